package scoring

import (
	"context"
	"fmt"
	"time"

	"github.com/sparlab/spar/dialog/scenario"
	"github.com/sparlab/spar/dialog/store"
)

// Scenarios looks scenarios up by id; *scenario.Catalog is one.
type Scenarios interface {
	Get(id string) (*scenario.Scenario, bool)
}

// Scorer scores stored calls: it reads the record and timeline, finds the rubric and
// scenario, and asks its Judge.
type Scorer struct {
	st        *store.Store
	rubrics   *Rubrics
	scenarios Scenarios
	judge     Judge
	judgeName string
	now       func() time.Time
}

// NewScorer returns a Scorer. scenarios may be nil (behaviour detectors are then skipped).
func NewScorer(st *store.Store, rubrics *Rubrics, scenarios Scenarios, judge Judge, judgeName string) *Scorer {
	return &Scorer{st: st, rubrics: rubrics, scenarios: scenarios, judge: judge, judgeName: judgeName, now: time.Now}
}

// ScoreCall scores sealed call id. It does not store the card.
func (s *Scorer) ScoreCall(ctx context.Context, id string) (*Scorecard, error) {
	rec, err := s.st.Get(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("scoring: %w", err)
	}
	events, err := s.st.Timeline(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("scoring: %w", err)
	}
	r, err := s.rubrics.Get(rec.Scenario)
	if err != nil {
		return nil, fmt.Errorf("scoring: score %s: %w", id, err)
	}
	c := &Call{Record: rec, Events: events, Rubric: r}
	if s.scenarios != nil {
		c.Scenario, _ = s.scenarios.Get(rec.Scenario)
	}
	c.Metrics = Compute(c)
	return Score(ctx, s.judge, s.judgeName, c, s.now())
}
