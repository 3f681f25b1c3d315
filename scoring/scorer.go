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

// Versions gives the versions of scenarios made in the console's studio, each with its own
// rubric; dialog/studio's Studio is one. A call on a studio scenario is scored against the
// version it ran with, however the scenario was edited since.
type Versions interface {
	Scenario(ctx context.Context, id string, n int) (*scenario.Scenario, error)
	RubricFile(ctx context.Context, id string, n int) ([]byte, error)
}

// Scorer scores stored calls: it reads the record and timeline, finds the rubric and
// scenario, and asks its Judge.
type Scorer struct {
	st        *store.Store
	rubrics   *Rubrics
	scenarios Scenarios
	versions  Versions // nil: calls on studio scenarios cannot be scored (ErrNoRubric)
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
	return s.ScoreCallAt(ctx, id, 0)
}

// ScoreCallAt scores sealed call id against version n of its studio scenario (its scenario
// and rubric), whichever version the call ran with; n 0 is the call's own version (what
// ScoreCall does). A version that does not exist is ErrNoRubric. It does not store the card.
func (s *Scorer) ScoreCallAt(ctx context.Context, id string, n int) (*Scorecard, error) {
	rec, err := s.st.Get(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("scoring: %w", err)
	}
	events, err := s.st.Timeline(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("scoring: %w", err)
	}
	c := &Call{Record: rec, Events: events}
	version := rec.ScenarioVersion
	if n > 0 {
		version = n
	}
	if c.Rubric, c.Scenario, err = s.rubricOf(ctx, rec.Scenario, version); err != nil {
		return nil, fmt.Errorf("scoring: score %s: %w", id, err)
	}
	c.Metrics = Compute(c)
	card, err := Score(ctx, s.judge, s.judgeName, c, s.now())
	if card != nil {
		card.ScenarioVersion = version
	}
	return card, err
}

// At returns a CallScorer that scores every call against version n (ScoreCallAt), for
// ScoreFallback and rescoring.
func (s *Scorer) At(n int) CallScorer { return atVersion{s, n} }

type atVersion struct {
	s *Scorer
	n int
}

func (a atVersion) ScoreCall(ctx context.Context, id string) (*Scorecard, error) {
	return a.s.ScoreCallAt(ctx, id, a.n)
}

// WithVersions lets s score calls on studio scenarios, each against its own version.
func (s *Scorer) WithVersions(v Versions) *Scorer {
	s.versions = v
	return s
}

// rubricOf returns the rubric and scenario of scenario id: studio version n, or (n 0) the
// loaded files. The scenario may be nil for a file scenario no longer loaded.
func (s *Scorer) rubricOf(ctx context.Context, id string, n int) (*Rubric, *scenario.Scenario, error) {
	if n > 0 {
		if s.versions == nil {
			return nil, nil, fmt.Errorf("%w %q version %d: no studio to read it from", ErrNoRubric, id, n)
		}
		sc, err := s.versions.Scenario(ctx, id, n)
		if err != nil {
			return nil, nil, fmt.Errorf("%w %q version %d: %w", ErrNoRubric, id, n, err)
		}
		data, err := s.versions.RubricFile(ctx, id, n)
		if err != nil {
			return nil, nil, fmt.Errorf("%w %q version %d: %w", ErrNoRubric, id, n, err)
		}
		r, err := ParseRubric(fmt.Sprintf("%s version %d", id, n), data)
		if err == nil {
			err = r.CheckScenario(sc)
		}
		if err != nil {
			return nil, nil, err
		}
		return r, sc, nil
	}
	r, err := s.rubrics.Get(id)
	if err != nil {
		return nil, nil, err
	}
	var sc *scenario.Scenario
	if s.scenarios != nil {
		sc, _ = s.scenarios.Get(id)
	}
	return r, sc, nil
}
