package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/sparlab/spar/dialog"
)

// Query selects sealed calls for List, newest first. Learner and Scenario may be combined.
type Query struct {
	Learner  string
	Scenario string
	Since    time.Time // started at or after; zero: no bound
	Until    time.Time // started before; zero: no bound
	Limit    int       // default 50, at most 1000
}

// Get returns the sealed record of call id, or ErrNotFound (also while the call is live).
func (s *Store) Get(ctx context.Context, id string) (*Record, error) {
	data, err := s.rdb.Get(ctx, s.keys.record(id)).Bytes()
	if isNil(err) {
		return nil, fmt.Errorf("store: get %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store: get %s: %w", id, err)
	}
	var r Record
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, fmt.Errorf("store: get %s: decode record: %w", id, err)
	}
	return &r, nil
}

// Timeline returns the call's events in order (live or sealed), or ErrNotFound.
func (s *Store) Timeline(ctx context.Context, id string) ([]dialog.Event, error) {
	events, err := s.timeline(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("store: timeline %s: %w", id, err)
	}
	if len(events) == 0 {
		n, err := s.rdb.Exists(ctx, s.keys.info(id), s.keys.record(id)).Result()
		if err != nil {
			return nil, fmt.Errorf("store: timeline %s: %w", id, err)
		}
		if n == 0 {
			return nil, fmt.Errorf("store: timeline %s: %w", id, ErrNotFound)
		}
	}
	return events, nil
}

// timelinePage is how many entries one XRANGE reads.
const timelinePage = 1000

func (s *Store) timeline(ctx context.Context, id string) ([]dialog.Event, error) {
	key := s.keys.timeline(id)
	var out []dialog.Event
	start := "-"
	for {
		msgs, err := s.rdb.XRangeN(ctx, key, start, "+", timelinePage).Result()
		if err != nil {
			return nil, fmt.Errorf("read timeline: %w", err)
		}
		for _, m := range msgs {
			e, err := DecodeEvent(m.Values)
			if err != nil {
				return nil, fmt.Errorf("entry %s: %w", m.ID, err)
			}
			out = append(out, e)
		}
		if len(msgs) < timelinePage {
			return out, nil
		}
		start = "(" + msgs[len(msgs)-1].ID
	}
}

// Live returns the IDs of calls whose heartbeat is fresher than LiveTTL.
func (s *Store) Live(ctx context.Context) ([]string, error) {
	min := s.now().Add(-s.cfg.LiveTTL).UnixMilli()
	ids, err := s.rdb.ZRangeByScore(ctx, s.keys.liveSet(), &redis.ZRangeBy{
		Min: strconv.FormatInt(min, 10), Max: "+inf",
	}).Result()
	if err != nil {
		return nil, fmt.Errorf("store: live calls: %w", err)
	}
	return ids, nil
}

// List returns sealed records matching q, newest first. Calls still live are not listed.
func (s *Store) List(ctx context.Context, q Query) ([]*Record, error) {
	limit := q.Limit
	if limit <= 0 {
		limit = 50
	}
	limit = min(limit, 1000)
	key := s.keys.byTime()
	switch {
	case q.Learner != "":
		key = s.keys.byLearner(q.Learner)
	case q.Scenario != "":
		key = s.keys.byScenario(q.Scenario)
	}
	hi, lo := "+inf", "-inf"
	if !q.Until.IsZero() {
		hi = "(" + strconv.FormatInt(q.Until.UnixMilli(), 10)
	}
	if !q.Since.IsZero() {
		lo = strconv.FormatInt(q.Since.UnixMilli(), 10)
	}
	var out []*Record
	page := int64(limit)
	for offset := int64(0); len(out) < limit; offset += page {
		ids, err := s.rdb.ZRangeArgs(ctx, redis.ZRangeArgs{
			Key: key, Start: hi, Stop: lo, ByScore: true, Rev: true, Offset: offset, Count: page,
		}).Result()
		if err != nil {
			return nil, fmt.Errorf("store: list: %w", err)
		}
		recs, err := s.getMany(ctx, ids)
		if err != nil {
			return nil, fmt.Errorf("store: list: %w", err)
		}
		for _, r := range recs {
			if q.Scenario != "" && r.Scenario != q.Scenario || len(out) == limit {
				continue
			}
			out = append(out, r)
		}
		if int64(len(ids)) < page {
			break
		}
	}
	return out, nil
}

// getMany reads the records of ids in one pipeline, skipping calls not sealed yet.
func (s *Store) getMany(ctx context.Context, ids []string) ([]*Record, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	cmds := make([]*redis.StringCmd, len(ids))
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, id := range ids {
			cmds[i] = p.Get(ctx, s.keys.record(id))
		}
		return nil
	})
	if err != nil && !isNil(err) {
		return nil, err
	}
	out := make([]*Record, 0, len(ids))
	for i, c := range cmds {
		data, err := c.Bytes()
		if isNil(err) {
			continue
		}
		if err != nil {
			return nil, err
		}
		r := new(Record)
		if err := json.Unmarshal(data, r); err != nil {
			return nil, fmt.Errorf("decode record %s: %w", ids[i], err)
		}
		out = append(out, r)
	}
	return out, nil
}
