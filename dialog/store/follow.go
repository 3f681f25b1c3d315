package store

import (
	"context"
	"fmt"

	"github.com/redis/go-redis/v9"

	"github.com/sparlab/spar/dialog"
)

// Follow calls fn with each timeline event of call id, in order, starting after stream entry
// ID from ("" or "0": from the first event; "$": only events appended from now on), and keeps
// waiting for new ones (XREAD BLOCK). fn gets the entry ID, which a client may pass back as
// from to resume (SSE Last-Event-ID). Follow returns nil after delivering the call.end event
// or, for a call sealed without one (an interrupted call), after its last event; ctx.Err()
// when ctx ends (within one block round); and fn's error if fn fails. Each Follow holds a
// Redis connection while it waits.
func (s *Store) Follow(ctx context.Context, id, from string, fn func(id string, e dialog.Event) error) error {
	select {
	case s.followSlots <- struct{}{}:
		defer func() { <-s.followSlots }()
	default:
		return ErrBusy
	}
	key := s.keys.timeline(id)
	// Only a call that exists is followed: live (its live key), sealed, or with a timeline.
	n, err := s.rdb.Exists(ctx, s.keys.live(id), s.keys.record(id), key).Result()
	if err != nil {
		return s.followErr(ctx, id, err)
	}
	if n == 0 {
		return fmt.Errorf("store: follow %s: %w", id, ErrNotFound)
	}
	last := from
	switch from {
	case "":
		last = "0"
	case "$":
		// Resolve "$" once: re-sending "$" each round would skip events written in between.
		msgs, err := s.rdb.XRevRangeN(ctx, key, "+", "-", 1).Result()
		if err != nil {
			return fmt.Errorf("store: follow %s: %w", id, err)
		}
		last = "0"
		if len(msgs) == 1 {
			last = msgs[0].ID
		}
	}
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		// Sealing comes after the last event is written: once the record exists, one more
		// read without blocking sees everything.
		sealed, err := s.rdb.Exists(ctx, s.keys.record(id)).Result()
		if err != nil {
			return s.followErr(ctx, id, err)
		}
		block := s.followBlock
		if sealed > 0 {
			block = -1 // no BLOCK
		}
		res, err := s.followRDB.XRead(ctx, &redis.XReadArgs{Streams: []string{key, last}, Count: 256, Block: block}).Result()
		if isNil(err) {
			if sealed > 0 {
				return nil
			}
			continue
		}
		if err != nil {
			return s.followErr(ctx, id, err)
		}
		for _, st := range res {
			for _, m := range st.Messages {
				e, err := DecodeEvent(m.Values)
				if err != nil {
					return fmt.Errorf("store: follow %s: entry %s: %w", id, m.ID, err)
				}
				if err := fn(m.ID, e); err != nil {
					return err
				}
				last = m.ID
				if e.Kind == dialog.EventCallEnd {
					return nil
				}
			}
		}
	}
}

func (s *Store) followErr(ctx context.Context, id string, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return fmt.Errorf("store: follow %s: %w", id, err)
}

// followClient returns a client on rdb's server (or cluster) with a pool of n connections
// (per cluster node) for Follow's blocking reads, so that many open feeds cannot starve the
// call path of connections. A client it cannot copy (a Sentinel failover client, whose
// connections follow the master it watches, or a ring) is shared as it is.
func followClient(rdb redis.UniversalClient, n int) redis.UniversalClient {
	switch c := rdb.(type) {
	case *redis.Client:
		opt := *c.Options()
		if opt.Addr == "FailoverClient" {
			return rdb
		}
		opt.PoolSize, opt.MinIdleConns, opt.MaxIdleConns = n, 0, 4
		return redis.NewClient(&opt)
	case *redis.ClusterClient:
		opt := *c.Options()
		opt.PoolSize, opt.MinIdleConns, opt.MaxIdleConns = n, 0, 4
		return redis.NewClusterClient(&opt)
	}
	return rdb
}
