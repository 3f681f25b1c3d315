package twilio

import "sync"

// Why calls and streams were turned away, as Refusals counts them.
const (
	reasonDraining         = "draining"           // the server is restarting
	reasonBusy             = "busy"               // every line is live or reserved
	reasonReplayed         = "replayed_webhook"   // a CallSid already answered
	reasonTicketStore      = "ticket_store"       // the ticket could not be stored or read
	reasonNoStream         = "no_stream"          // a reserved line's stream never came
	reasonNoToken          = "no_token"           // a stream whose start carries no token
	reasonBadToken         = "bad_token"          // unknown, used or expired token
	reasonTokenMismatch    = "call_sid_mismatch"  // a token issued for another CallSid
	reasonNoStart          = "no_start"           // no start message in time
	reasonBadStart         = "bad_start"          // start with an unusable format or IDs
	reasonStreamNoLine     = "stream_busy"        // a stream with no reserved line, at the cap
	reasonStreamDraining   = "stream_draining"    // a stream with no reserved line, while draining
	reasonTooManyUnstarted = "too_many_unstarted" // maxAwaitingStart streams await start
)

// refusals counts turned-away calls and streams by reason.
type refusals struct {
	mu sync.Mutex
	n  map[string]uint64
}

func (s *Server) refused(reason string) {
	s.refusals.mu.Lock()
	defer s.refusals.mu.Unlock()
	if s.refusals.n == nil {
		s.refusals.n = map[string]uint64{}
	}
	s.refusals.n[reason]++
}

// Refusals returns how many calls and streams were turned away, by reason (a copy): for
// metrics, e.g. a spar_twilio_refused_total{reason} counter.
func (s *Server) Refusals() map[string]uint64 {
	s.refusals.mu.Lock()
	defer s.refusals.mu.Unlock()
	out := make(map[string]uint64, len(s.refusals.n))
	for k, v := range s.refusals.n {
		out[k] = v
	}
	return out
}
