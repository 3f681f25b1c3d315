package scoring

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/sparlab/spar/dialog/store"
)

// CallScorer scores one stored call; *Scorer is one.
type CallScorer interface {
	ScoreCall(ctx context.Context, id string) (*Scorecard, error)
}

// Worker consumes calls:sealed through the scoring consumer group and stores one scorecard
// per call. Several workers (in `spar serve` and `spar worker` processes) share the group.
type Worker struct {
	rdb    redis.UniversalClient
	st     *store.Store
	scorer CallScorer
	cards  *Cards
	cfg    Config
	log    *slog.Logger
	// hook, for tests, runs at "claimed" (before scoring) and "stored" (after the card is
	// written, before the acknowledgement); an error makes the worker stop there as if it died.
	hook func(stage, id string) error
	// OnScored, when set, is called after a new scorecard is stored (webhooks, messages).
	// It must not block: Deliverer.Enqueue queues the card and returns.
	OnScored func(ctx context.Context, card *Scorecard)
	// Fallback, when set, scores a call whose judge still fails (ErrJudge) on its last
	// attempt, instead of dead-lettering it: an LLM judge falls back to Deterministic.
	Fallback CallScorer
}

// NewWorker returns a worker. Zero fields of cfg take their defaults.
func NewWorker(rdb redis.UniversalClient, st *store.Store, scorer CallScorer, cfg Config, log *slog.Logger) (*Worker, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	cfg = cfg.WithDefaults()
	return &Worker{rdb: rdb, st: st, scorer: scorer, cards: NewCards(rdb, st), cfg: cfg,
		log: log.With("component", "scoring", "consumer", cfg.Consumer)}, nil
}

// Run scores calls until ctx ends: each round reclaims jobs left by dead workers, then
// waits up to Config.Block for new notices. A Redis error is logged and retried with
// backoff; Run returns ctx's error.
func (w *Worker) Run(ctx context.Context) error {
	backoff := w.cfg.RetryMin
	for {
		_, err := w.Step(ctx, w.cfg.Block)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err == nil {
			backoff = w.cfg.RetryMin
			continue
		}
		w.log.Warn("scoring: queue round failed", "err", err, "retry_in", backoff)
		if err := wait(ctx, backoff); err != nil {
			return err
		}
		backoff = min(2*backoff, w.cfg.RetryMax)
	}
}

// Step runs one round: XAUTOCLAIM of notices idle for ClaimIdle in other consumers, then
// XREADGROUP of new ones (waiting up to block; negative: not at all). It returns how many
// notices it finished (scored, skipped as already scored, or dead-lettered).
func (w *Worker) Step(ctx context.Context, block time.Duration) (int, error) {
	if err := w.ensureGroup(ctx); err != nil {
		return 0, err
	}
	stream, group := w.st.SealedStream(), w.st.ScoringGroup()
	msgs, _, err := w.rdb.XAutoClaim(ctx, &redis.XAutoClaimArgs{
		Stream: stream, Group: group, Consumer: w.cfg.Consumer, MinIdle: w.cfg.ClaimIdle, Start: "0-0", Count: 16,
	}).Result()
	if err != nil {
		return 0, fmt.Errorf("scoring: reclaim: %w", err)
	}
	if len(msgs) == 0 {
		args := &redis.XReadGroupArgs{Group: group, Consumer: w.cfg.Consumer, Streams: []string{stream, ">"}, Count: 16, Block: block}
		if block < 0 {
			args.Block = -1
		}
		res, err := w.rdb.XReadGroup(ctx, args).Result()
		if err != nil && !errors.Is(err, redis.Nil) {
			return 0, fmt.Errorf("scoring: read notices: %w", err)
		}
		for _, s := range res {
			msgs = append(msgs, s.Messages...)
		}
	}
	done := 0
	for _, m := range msgs {
		if err := w.process(ctx, m); err != nil {
			return done, err
		}
		done++
	}
	return done, nil
}

func (w *Worker) ensureGroup(ctx context.Context) error {
	// "0": notices posted before the first worker ever ran are scored too.
	err := w.rdb.XGroupCreateMkStream(ctx, w.st.SealedStream(), w.st.ScoringGroup(), "0").Err()
	if err != nil && !strings.HasPrefix(err.Error(), "BUSYGROUP") {
		return fmt.Errorf("scoring: create consumer group: %w", err)
	}
	return nil
}

// process finishes one notice: skip if scored, else score with retries, store once, ack.
// It returns an error only when the worker must stop (ctx ended, a test hook); failures of
// the call itself end in the dead-letter stream.
func (w *Worker) process(ctx context.Context, m redis.XMessage) error {
	id, _ := m.Values["id"].(string)
	status, _ := m.Values["status"].(string)
	log := w.log.With("call_id", id, "notice", m.ID)
	if id == "" {
		return w.deadLetter(ctx, m, id, status, 0, errors.New("notice without a call id"))
	}
	if err := w.at("claimed", id); err != nil {
		return err
	}
	for {
		scored, err := w.cards.Exists(ctx, id)
		if err != nil {
			return w.redisTrouble(ctx, err)
		}
		if scored {
			log.Debug("scoring: call already scored")
			return w.ack(ctx, m, id)
		}
		attempts, err := w.attempt(ctx, id)
		if err != nil {
			return w.redisTrouble(ctx, err)
		}
		if attempts > w.cfg.MaxAttempts {
			return w.deadLetter(ctx, m, id, status, attempts-1, errors.New("too many attempts"))
		}
		card, err := w.scorer.ScoreCall(ctx, id)
		if err != nil && w.Fallback != nil && attempts >= w.cfg.MaxAttempts && errors.Is(err, ErrJudge) && ctx.Err() == nil {
			log.Warn("scoring: judge failed on the last attempt; using the fallback judge", "attempt", attempts, "err", err)
			card, err = ScoreFallback(ctx, w.Fallback, id, err)
		}
		if err == nil {
			added, err := w.cards.Add(ctx, card)
			if err != nil {
				return w.redisTrouble(ctx, err)
			}
			if err := w.at("stored", id); err != nil {
				return err
			}
			if added {
				log.Info("scoring: call scored", "overall", card.Overall, "pass", card.Pass, "flags", card.Flags)
				if w.OnScored != nil {
					w.OnScored(ctx, card)
				}
			}
			return w.ack(ctx, m, id)
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if errors.Is(err, ErrNoRubric) || attempts >= w.cfg.MaxAttempts {
			return w.deadLetter(ctx, m, id, status, attempts, err)
		}
		delay := backoffFor(w.cfg, attempts)
		log.Warn("scoring: attempt failed", "attempt", attempts, "retry_in", delay, "err", err)
		if err := wait(ctx, delay); err != nil {
			return err
		}
	}
}

// attempt counts one scoring attempt of call id, across workers and restarts.
func (w *Worker) attempt(ctx context.Context, id string) (int, error) {
	key := w.st.ScoreAttemptsKey(id)
	var n *redis.IntCmd
	_, err := w.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		n = p.Incr(ctx, key)
		p.Expire(ctx, key, w.cfg.AttemptsTTL)
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("scoring: count attempt: %w", err)
	}
	return int(n.Val()), nil
}

// ack acknowledges notice m and then drops call id's attempt counter. They are two commands,
// not one MULTI: the sealed stream and the call's keys live in different slots of a Redis
// Cluster. A counter left behind by a failure in between expires with its TTL.
func (w *Worker) ack(ctx context.Context, m redis.XMessage, id string) error {
	if err := w.rdb.XAck(ctx, w.st.SealedStream(), w.st.ScoringGroup(), m.ID).Err(); err != nil {
		return w.redisTrouble(ctx, fmt.Errorf("scoring: ack %s: %w", m.ID, err))
	}
	if id == "" {
		return nil
	}
	if err := w.rdb.Del(ctx, w.st.ScoreAttemptsKey(id)).Err(); err != nil {
		w.log.Warn("scoring: drop attempt counter", "call_id", id, "err", err)
	}
	return nil
}

// deadLetter gives up on a notice: it goes to the dead-letter stream with the last error,
// then is acknowledged.
func (w *Worker) deadLetter(ctx context.Context, m redis.XMessage, id, status string, attempts int, cause error) error {
	w.log.Error("scoring: giving up on call", "call_id", id, "attempts", attempts, "err", cause)
	err := w.rdb.XAdd(ctx, &redis.XAddArgs{Stream: w.st.ScoringDeadStream(), Values: []any{
		"id", id, "status", status, "notice", m.ID, "attempts", strconv.Itoa(attempts), "error", cause.Error(),
	}}).Err()
	if err != nil {
		return w.redisTrouble(ctx, fmt.Errorf("scoring: dead-letter %s: %w", id, err))
	}
	return w.ack(ctx, m, id)
}

// redisTrouble ends the round: the notice stays pending and is retried (by this worker's
// next reclaim or another's).
func (w *Worker) redisTrouble(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}

func (w *Worker) at(stage, id string) error {
	if w.hook == nil {
		return nil
	}
	return w.hook(stage, id)
}

// backoffFor is the wait after the n-th failed attempt: RetryMin doubled each time, capped
// at RetryMax.
func backoffFor(cfg Config, n int) time.Duration {
	d := cfg.RetryMin
	for i := 1; i < n && d < cfg.RetryMax; i++ {
		d *= 2
	}
	return min(d, cfg.RetryMax)
}

func wait(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
