package scoring

import (
	"context"
	"fmt"
	"time"
)

// Judge scores a call's criteria. It returns one result per rubric criterion it could judge,
// keyed by criterion ID; Score checks every quote against the transcript and assembles the
// card, so a judge cannot invent evidence.
type Judge interface {
	Judge(ctx context.Context, c *Call) ([]CriterionResult, error)
}

// JudgeFunc adapts a function to Judge.
type JudgeFunc func(ctx context.Context, c *Call) ([]CriterionResult, error)

// Judge calls f.
func (f JudgeFunc) Judge(ctx context.Context, c *Call) ([]CriterionResult, error) {
	return f(ctx, c)
}

// Score computes c's metrics (when not done yet), asks j for the criteria and assembles the
// scorecard. judgeName is recorded on the card ("deterministic", "llm:<model>"). A judge's
// failure is returned wrapping ErrJudge.
func Score(ctx context.Context, j Judge, judgeName string, c *Call, now time.Time) (*Scorecard, error) {
	if c.Rubric == nil {
		return nil, fmt.Errorf("scoring: score %s: %w %q", c.Record.ID, ErrNoRubric, c.Record.Scenario)
	}
	if c.Metrics.Duration == 0 && c.Metrics.LearnerTurns == 0 {
		c.Metrics = Compute(c)
	}
	results, err := j.Judge(ctx, c)
	if err != nil {
		return nil, fmt.Errorf("%w for %s: %w", ErrJudge, c.Record.ID, err)
	}
	card := assemble(c, results)
	card.Judge, card.ScoredAt = judgeName, now.UTC()
	return card, nil
}
