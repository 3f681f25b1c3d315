package twilio

import "context"

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

// Drain stops admitting calls: from now on the webhook politely asks callers to call again
// and the media endpoint answers 503. Live calls go on; Wait reports when they have ended.
func (s *Server) Drain() { s.calls.Start() }

// Wait blocks until Drain was called and every live call has ended, or ctx is done.
func (s *Server) Wait(ctx context.Context) error { return s.calls.Wait(ctx) }

// Active returns the number of live streams.
func (s *Server) Active() int { return s.calls.Active() }
