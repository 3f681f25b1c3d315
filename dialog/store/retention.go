package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// Delete removes every key of sealed call id (record, timeline, info, live hash, seal lock,
// scorecard, scoring attempts, trainer feedback) in one MULTI, since they share the call's
// hash tag, then its entries in the cross-call indexes (by time, learner, scenario, live set)
// in plain commands. The recording file is the caller's business (Sweeper removes it). A call
// still live answers ErrLive; a call with nothing left answers ErrNotFound. If Delete fails
// between the two steps, a dangling index entry is left, which List skips; calling Delete
// again removes it.
func (s *Store) Delete(ctx context.Context, id string) error {
	if err := checkID(id); err != nil {
		return fmt.Errorf("store: delete: %w", err)
	}
	live, err := s.rdb.Exists(ctx, s.keys.info(id)).Result()
	if err != nil {
		return fmt.Errorf("store: delete %s: %w", id, err)
	}
	if live > 0 {
		return fmt.Errorf("store: delete %s: %w", id, ErrLive)
	}
	rec, err := s.Get(ctx, id)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return fmt.Errorf("store: delete %s: %w", id, err)
	}
	fb := s.FeedbackKeys()
	var del *redis.IntCmd
	_, err = s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		del = p.Del(ctx, s.keys.record(id), s.keys.timeline(id), s.keys.info(id), s.keys.live(id),
			s.keys.sealLock(id), s.keys.scorecard(id), s.keys.scoreAttempts(id),
			fb.Comments(id), fb.Override(id), fb.Disagree(id))
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: delete %s: %w", id, err)
	}
	// Cross-call keys, one command each (they live in other slots in a cluster).
	indexes := []string{s.keys.byTime(), s.keys.liveSet()}
	if rec != nil && rec.Learner != "" {
		indexes = append(indexes, s.keys.byLearner(rec.Learner))
	}
	if rec != nil && rec.Scenario != "" {
		indexes = append(indexes, s.keys.byScenario(rec.Scenario))
	}
	var removed int64
	for _, key := range indexes {
		n, err := s.rdb.ZRem(ctx, key, id).Result()
		if err != nil {
			return fmt.Errorf("store: delete %s: leave index: %w", id, err)
		}
		removed += n
	}
	if del.Val() == 0 && removed == 0 {
		return fmt.Errorf("store: delete %s: %w", id, ErrNotFound)
	}
	return nil
}

// Expired returns up to limit sealed calls started before before, oldest first, from the
// calls:by-time index. Calls still live (or never sealed) are skipped, whatever their age.
func (s *Store) Expired(ctx context.Context, before time.Time, limit int) ([]*Record, error) {
	if limit <= 0 {
		return nil, nil
	}
	hi := "(" + strconv.FormatInt(before.UnixMilli(), 10)
	page := int64(max(limit, 100))
	var out []*Record
	for offset := int64(0); len(out) < limit; offset += page {
		ids, err := s.rdb.ZRangeArgs(ctx, redis.ZRangeArgs{
			Key: s.keys.byTime(), Start: "-inf", Stop: hi, ByScore: true, Offset: offset, Count: page,
		}).Result()
		if err != nil {
			return nil, fmt.Errorf("store: expired: %w", err)
		}
		recs, err := s.getMany(ctx, ids)
		if err != nil {
			return nil, fmt.Errorf("store: expired: %w", err)
		}
		out = append(out, recs[:min(len(recs), limit-len(out))]...)
		if int64(len(ids)) < page {
			break
		}
	}
	return out, nil
}
