package scoring

import (
	"context"
	"errors"
	"fmt"
)

// FlagJudgeFallback marks a card scored by the fallback judge because the configured one
// (an LLM) kept failing.
const FlagJudgeFallback = "judge_fallback"

// ScoreFallback scores call id with fb after the configured judge failed with cause, and
// flags the card FlagJudgeFallback. The worker calls it on a call's last attempt;
// `spar score` and `spar rescore` at once.
func ScoreFallback(ctx context.Context, fb CallScorer, id string, cause error) (*Scorecard, error) {
	card, err := fb.ScoreCall(ctx, id)
	if err != nil {
		return nil, errors.Join(cause, fmt.Errorf("scoring: fallback judge: %w", err))
	}
	card.AddFlag(FlagJudgeFallback)
	return card, nil
}
