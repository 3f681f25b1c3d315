package scoring

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync/atomic"
	"testing"
)

// scorerFunc adapts a function to CallScorer.
type scorerFunc func(ctx context.Context, id string) (*Scorecard, error)

func (f scorerFunc) ScoreCall(ctx context.Context, id string) (*Scorecard, error) { return f(ctx, id) }

// TestWorkerFallback: a judge that keeps failing is retried MaxAttempts times, then the
// fallback scores the call and the card is flagged; a failure that is not the judge's
// still goes to the dead-letter stream.
func TestWorkerFallback(t *testing.T) {
	for _, tc := range []struct {
		name     string
		err      error
		wantCard bool
	}{
		{"judge keeps failing", fmt.Errorf("%w for call-1: %w", ErrJudge, ErrJudgeReply), true},
		{"record unreadable", errors.New("redis: connection refused"), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := newQueueEnv(t)
			var primary, fallback atomic.Int32
			w := env.worker(t, "a", scorerFunc(func(context.Context, string) (*Scorecard, error) {
				primary.Add(1)
				return nil, tc.err
			}), nil)
			w.Fallback = scorerFunc(func(_ context.Context, id string) (*Scorecard, error) {
				fallback.Add(1)
				return &Scorecard{CallID: id, Judge: "deterministic", Overall: 40}, nil
			})
			var delivered atomic.Int32
			w.OnScored = func(context.Context, *Scorecard) { delivered.Add(1) }
			env.drain(t, w)
			if primary.Load() != 3 {
				t.Errorf("primary judge ran %d times, want max_attempts 3", primary.Load())
			}
			ctx := context.Background()
			card, err := NewCards(env.rdb, env.st).Get(ctx, env.id)
			if !tc.wantCard {
				if !errors.Is(err, ErrNotScored) || fallback.Load() != 0 {
					t.Errorf("card %+v, %v, fallback ran %d times; want no card, no fallback", card, err, fallback.Load())
				}
				if n, _ := env.rdb.XLen(ctx, env.st.ScoringDeadStream()).Result(); n != 1 {
					t.Errorf("%d dead letters, want 1", n)
				}
				return
			}
			if err != nil || card.Judge != "deterministic" || !slices.Contains(card.Flags, FlagJudgeFallback) || !slices.Contains(card.Notes, Note(FlagJudgeFallback)) {
				t.Fatalf("card = %+v, %v; want the fallback's card flagged %s, with its note", card, err, FlagJudgeFallback)
			}
			if fallback.Load() != 1 || delivered.Load() != 1 {
				t.Errorf("fallback ran %d times, OnScored %d; want 1 and 1", fallback.Load(), delivered.Load())
			}
		})
	}
}
