package store

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// readyTimeout bounds one readiness probe, so a stalled Redis reads as down.
const readyTimeout = time.Second

// ErrNotReady wraps every Ready failure.
var ErrNotReady = errors.New("store: not ready")

// Ready reports whether Redis answers, for a readiness endpoint (503 with the error's text
// when it fails). Calls still go on while it fails: their logs spill to disk when
// Config.SpillDir is set.
func (s *Store) Ready(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, readyTimeout)
	defer cancel()
	if err := s.rdb.Ping(ctx).Err(); err != nil {
		return fmt.Errorf("%w: redis unreachable: %w", ErrNotReady, err)
	}
	return nil
}
