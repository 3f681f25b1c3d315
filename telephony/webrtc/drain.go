package webrtc

import (
	"context"
	"sync"

	"github.com/sparlab/spar/telephony"
)

// registry holds the live sessions by call ID; its Drain counts them, refuses new ones once
// draining, and signals when the last one ends.
type registry struct {
	telephony.Drain
	mu   sync.Mutex
	live map[string]*session
}

func (g *registry) init() { g.live = map[string]*session{} }

// add admits a session unless the server is draining.
func (g *registry) add(s *session) error {
	if !g.Add(0) { // the cap is checked before negotiating: see Server.answer
		return ErrDraining
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	g.live[s.call.ID] = s
	return nil
}

func (g *registry) remove(id string) {
	g.mu.Lock()
	delete(g.live, id)
	g.mu.Unlock()
	g.Done()
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

// Drain stops admitting calls: offers get 503 from now on. Live calls go on; Wait reports
// when they have ended.
func (s *Server) Drain() { s.calls.Start() }

// Wait blocks until Drain was called and every live call has ended, or ctx is done.
func (s *Server) Wait(ctx context.Context) error { return s.calls.Wait(ctx) }

// Active returns the number of live calls, connecting ones included.
func (s *Server) Active() int { return s.calls.Active() }
