package webrtc

import (
	"context"
	"sync"
)

// registry holds the live sessions by call ID and, once draining, refuses new ones and
// signals when the last one ends.
type registry struct {
	mu       sync.Mutex
	live     map[string]*session
	draining bool
	idle     chan struct{} // closed when draining and no session is live
}

func (g *registry) init() {
	g.live = map[string]*session{}
	g.idle = make(chan struct{})
}

// add admits a session unless the server is draining.
func (g *registry) add(s *session) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.draining {
		return ErrDraining
	}
	g.live[s.call.ID] = s
	return nil
}

func (g *registry) remove(id string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	delete(g.live, id)
	if g.draining && len(g.live) == 0 {
		close(g.idle)
	}
}

func (g *registry) get(id string) (*session, bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	s, ok := g.live[id]
	return s, ok
}

func (g *registry) all() []*session {
	g.mu.Lock()
	defer g.mu.Unlock()
	out := make([]*session, 0, len(g.live))
	for _, s := range g.live {
		out = append(out, s)
	}
	return out
}

func (g *registry) drain() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.draining {
		return
	}
	g.draining = true
	if len(g.live) == 0 {
		close(g.idle)
	}
}

// Drain stops admitting calls: offers get 503 from now on. Live calls go on; Wait reports
// when they have ended.
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

// Active returns the number of live calls, connecting ones included.
func (s *Server) Active() int {
	s.calls.mu.Lock()
	defer s.calls.mu.Unlock()
	return len(s.calls.live)
}
