package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/redis/go-redis/v9"
)

// A browser's hang-up (navigator.sendBeacon) may reach a node other than the one holding its
// call. That node asks the others over Redis pub/sub: RequestHangup publishes the call's ID
// on one channel every node follows with HangupRequests, and the node that holds the call
// ends it.

// RequestHangup asks the node holding live call id to hang it up. It reports false, and
// publishes nothing, when no call by that ID is live (its heartbeat is older than LiveTTL or
// it never began).
func (s *Store) RequestHangup(ctx context.Context, id string) (bool, error) {
	score, err := s.rdb.ZScore(ctx, s.keys.liveSet(), id).Result()
	switch {
	case errors.Is(err, redis.Nil):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("store: hang up %s: %w", id, err)
	case int64(score) < s.now().Add(-s.cfg.LiveTTL).UnixMilli():
		return false, nil
	}
	if err := s.rdb.Publish(ctx, s.keys.hangups(), id).Err(); err != nil {
		return false, fmt.Errorf("store: hang up %s: %w", id, err)
	}
	return true, nil
}

// HangupRequests calls fn with the ID of each hang-up RequestHangup publishes, on any node,
// until ctx ends. fn runs on HangupRequests' goroutine: it must not block. The client
// subscribes, and subscribes again after Redis comes back; hang-ups published while it was
// away are lost (the call then ends when its media stops).
func (s *Store) HangupRequests(ctx context.Context, fn func(id string)) {
	sub := s.rdb.Subscribe(ctx, s.keys.hangups())
	defer sub.Close()
	ch := sub.Channel()
	for {
		select {
		case <-ctx.Done():
			return
		case m, ok := <-ch:
			if !ok {
				return
			}
			fn(m.Payload)
		}
	}
}
