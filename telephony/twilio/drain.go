package twilio

import (
	"context"
	"sync"
)

// tracker counts live streams and refuses new ones when draining or at the cap (max > 0);
// once draining it signals when the last one ends.
type tracker struct {
	mu       sync.Mutex
	active   int
	max      int
	draining bool
	idle     chan struct{} // closed when draining and active == 0
}

func (t *tracker) init() { t.idle = make(chan struct{}) }

// add admits a stream unless the server is draining (ErrDraining) or full (ErrBusy).
func (t *tracker) add() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	switch {
	case t.draining:
		return ErrDraining
	case t.max > 0 && t.active >= t.max:
		return ErrBusy
	}
	t.active++
	return nil
}

// full reports whether a new stream would be refused as busy now.
func (t *tracker) full() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.max > 0 && t.active >= t.max
}

func (t *tracker) done() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.active--
	if t.draining && t.active == 0 {
		close(t.idle)
	}
}

func (t *tracker) drain() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.draining {
		return
	}
	t.draining = true
	if t.active == 0 {
		close(t.idle)
	}
}

func (t *tracker) isDraining() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.draining
}

// Drain stops admitting calls: from now on the webhook politely asks callers to call again
// and the media endpoint answers 503. Live calls go on; Wait reports when they have ended.
func (s *Server) Drain() { s.calls.drain() }

// Wait blocks until Drain was called and every live call has ended, or ctx is done.
func (s *Server) Wait(ctx context.Context) error {
	select {
	case <-s.calls.idle:
		return nil
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}

// Active returns the number of live streams.
func (s *Server) Active() int {
	s.calls.mu.Lock()
	defer s.calls.mu.Unlock()
	return s.calls.active
}
