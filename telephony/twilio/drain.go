package twilio

import (
	"context"
	"sync"
	"time"
)

// Admission: the webhook reserves a line for each call it connects (Server.reserve), before
// Twilio is told to open the stream, so that a caller past Config.MaxCalls always hears the
// busy message instead of a stream refused after the TwiML. The reservation is keyed by the
// call's ticket token: the stream that claims the ticket takes the line over (claimLine);
// if no stream comes within Config.StreamTimeout the line is released. A stream whose line
// was reserved on another node (or expired) asks for a line of its own (admit).

// reservations are the lines held for calls whose stream has not come yet.
type reservations struct {
	mu   sync.Mutex
	held map[string]func() bool // token -> stop its release timer
}

// admit counts a new stream unless the server is draining (ErrDraining) or full (ErrBusy).
func (s *Server) admit() error {
	switch {
	case s.calls.Add(s.cfg.MaxCalls):
		return nil
	case s.calls.Draining():
		return ErrDraining
	}
	return ErrBusy
}

// reserve holds the line admit counted for the call whose ticket is token, releasing it
// after Config.StreamTimeout unless claimLine takes it first.
func (s *Server) reserve(token string) {
	r := &s.reserved
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.held == nil {
		r.held = map[string]func() bool{}
	}
	r.held[token] = s.afterFunc(s.cfg.StreamTimeout, func() {
		if s.unreserve(token) {
			s.refused(reasonNoStream)
			s.log.Warn("twilio call: no stream came for its reserved line; line released",
				"timeout", s.cfg.StreamTimeout)
			s.calls.Done()
		}
	})
}

// unreserve forgets token's reservation, reporting whether it was held.
func (s *Server) unreserve(token string) bool {
	r := &s.reserved
	r.mu.Lock()
	defer r.mu.Unlock()
	_, ok := r.held[token]
	delete(r.held, token)
	return ok
}

// claimLine hands the line reserved for token to its stream, reporting whether there was one.
func (s *Server) claimLine(token string) bool {
	r := &s.reserved
	r.mu.Lock()
	stop, ok := r.held[token]
	delete(r.held, token)
	r.mu.Unlock()
	if ok {
		stop()
	}
	return ok
}

// pendingLines returns how many lines are reserved for streams not yet come.
func (s *Server) pendingLines() int {
	s.reserved.mu.Lock()
	defer s.reserved.mu.Unlock()
	return len(s.reserved.held)
}

func afterFunc(d time.Duration, f func()) func() bool { return time.AfterFunc(d, f).Stop }

// Drain stops admitting calls: from now on the webhook politely asks callers to call again
// and streams without a reserved line are refused. Live calls go on, as do calls whose line
// was reserved before; Wait reports when they have ended.
func (s *Server) Drain() { s.calls.Start() }

// Wait blocks until Drain was called and every live call has ended, or ctx is done.
func (s *Server) Wait(ctx context.Context) error { return s.calls.Wait(ctx) }

// Active returns the number of live streams and reserved lines.
func (s *Server) Active() int { return s.calls.Active() }
