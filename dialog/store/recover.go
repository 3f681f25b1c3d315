package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// Recover seals the calls whose server died mid-call, as StatusInterrupted: every call in
// calls:live that this node was running before it restarted, or whose heartbeat is older
// than LiveTTL (another node died). Calls begun by this Store and not yet sealed are left
// alone. Run it at start; RunRecovery (RecoverStale) is the periodic pass, which leaves
// calls with a fresh heartbeat alone, so it cannot race a call this node is beginning. The
// record's transcript, mood and stage are rebuilt from the timeline, which is kept, as is
// the recording path. Several nodes may recover at once: the seal lock lets one of them seal
// each call. It returns the records it sealed and keeps going past a call it cannot seal,
// joining the errors.
//
// First it replays the calls spilled to disk (ReplaySpilled): a call sealed to disk during
// an outage is sealed as it ended, not as interrupted, and one whose process died while it
// spilled gets its whole timeline back before it is sealed. A call whose spill file cannot
// be replayed yet is left alone.
func (s *Store) Recover(ctx context.Context) ([]*Record, error) {
	return s.recover(ctx, "+inf")
}

// RecoverStale is the periodic pass of Recover: it replays spilled calls as Recover does,
// then seals only the live calls whose heartbeat is older than LiveTTL, whichever node ran
// them. A call this node is beginning or sealing right now has a fresh heartbeat, so the pass
// cannot race it.
func (s *Store) RecoverStale(ctx context.Context) ([]*Record, error) {
	return s.recover(ctx, strconv.FormatInt(s.now().Add(-s.cfg.LiveTTL).UnixMilli()-1, 10))
}

// RunRecovery calls RecoverStale every Heartbeat until ctx ends, so that a surviving node
// seals the calls of a node that died within about LiveTTL plus one Heartbeat of its last
// heartbeat, and they are scored. Every server runs it; the seal lock lets one of them seal
// each call. A failed pass is logged and retried at the next tick.
func (s *Store) RunRecovery(ctx context.Context) {
	t := time.NewTicker(s.cfg.Heartbeat)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if _, err := s.RecoverStale(ctx); err != nil && ctx.Err() == nil {
			s.log.Warn("store: periodic recovery", "err", err)
		}
	}
}

// recover is Recover over the calls in calls:live whose heartbeat score is at most max.
func (s *Store) recover(ctx context.Context, max string) ([]*Record, error) {
	waiting, rerr := s.ReplaySpilled(ctx)
	live, err := s.rdb.ZRangeByScoreWithScores(ctx, s.keys.liveSet(), &redis.ZRangeBy{Min: "-inf", Max: max}).Result()
	if err != nil {
		return nil, errors.Join(rerr, fmt.Errorf("store: recover: list live calls: %w", err))
	}
	if len(waiting) > 0 {
		s.kickReplay()
	}
	now := s.now()
	var (
		out  []*Record
		errs = []error{rerr}
	)
	for _, z := range live {
		id, _ := z.Member.(string)
		if _, mine := s.active.Load(id); mine || waiting[id] {
			continue
		}
		heartbeat := time.UnixMilli(int64(z.Score))
		node, err := s.rdb.HGet(ctx, s.keys.info(id), "node").Result()
		if err != nil && !isNil(err) {
			errs = append(errs, fmt.Errorf("store: recover %s: %w", id, err))
			continue
		}
		if node != s.cfg.Node && now.Sub(heartbeat) <= s.cfg.LiveTTL {
			continue // alive on another node
		}
		rec, sealedNow, err := s.sealCall(ctx, id, false, func(ctx context.Context) (*Record, error) {
			return s.interrupted(ctx, id, heartbeat)
		})
		switch {
		case errors.Is(err, errLockHeld):
			continue // another node is sealing it
		case err != nil:
			errs = append(errs, fmt.Errorf("store: recover %s: %w", id, err))
		case sealedNow:
			s.log.Info("store: recovered interrupted call", "call_id", id, "node", rec.Node,
				"events", rec.Events, "duration", rec.Duration)
			out = append(out, rec)
		}
	}
	return out, errors.Join(errs...)
}

// interrupted builds the record of a call whose server died, from its info hash, what is
// left of its live hash, and its timeline.
func (s *Store) interrupted(ctx context.Context, id string, heartbeat time.Time) (*Record, error) {
	var info, live *redis.MapStringStringCmd
	var last *redis.XMessageSliceCmd
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		info = p.HGetAll(ctx, s.keys.info(id))
		live = p.HGetAll(ctx, s.keys.live(id))
		last = p.XRevRangeN(ctx, s.keys.timeline(id), "+", "-", 1)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read live state: %w", err)
	}
	events, err := s.timeline(ctx, id)
	if err != nil {
		return nil, err
	}
	rec := recordFromInfo(id, info.Val())
	tl := rebuild(events)
	rec.Status = StatusInterrupted
	rec.EndReason = ReasonInterrupted
	rec.Ended = heartbeat
	rec.Duration = tl.duration
	rec.Transcript = tl.transcript
	rec.FinalMood, rec.FinalStage = tl.mood, tl.stage
	if v, ok := live.Val()["mood"]; ok {
		if m, err := strconv.Atoi(v); err == nil {
			rec.FinalMood = m
		}
	}
	if v, ok := live.Val()["stage"]; ok {
		rec.FinalStage = v
	}
	rec.Turns = tl.turns
	rec.Events = int64(len(events))
	if msgs := last.Val(); len(msgs) == 1 {
		// The entry ID is <ms>-<n>: n counts every event, including any trimmed away.
		_, n, _ := strings.Cut(msgs[0].ID, "-")
		if v, err := strconv.ParseInt(n, 10, 64); err == nil {
			rec.Events = v
		}
	}
	return rec, nil
}
