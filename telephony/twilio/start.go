package twilio

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/sparlab/spar/telephony"
)

// setup turns the start message into a call: its Info, context, sink and inbound chain.
// The returned context is the call's; st.cancel ends it with a cause.
func (st *stream) setup(parent context.Context, start *StartPayload, d Decision) (context.Context, error) {
	f := start.MediaFormat
	if f.Encoding != "audio/x-mulaw" || f.SampleRate != 8000 || f.Channels != 1 {
		return nil, fmt.Errorf("%w: %s %d Hz x%d", ErrUnsupportedFormat, truncate(f.Encoding, 32), f.SampleRate, f.Channels)
	}
	if !validSid(start.StreamSid) {
		return nil, fmt.Errorf("%w: start.streamSid %q", ErrMalformed, truncate(start.StreamSid, 40))
	}
	// Everything about the call comes from what the webhook decided (its ticket), never
	// from the stream's own customParameters.
	info := telephony.Info{
		ID:         d.CallID,
		Transport:  "twilio",
		ExternalID: d.CallSid,
		From:       d.From,
		To:         d.To,
		Scenario:   d.Scenario,
		Learner:    d.Learner,
		Params:     map[string]string{"call": d.CallID, "scenario": d.Scenario, "learner": d.Learner, "from": d.From, "to": d.To},
		Started:    time.Now(),
	}
	st.log = st.log.With("call_id", d.CallID, "call_sid", start.CallSid, "scenario", info.Scenario)
	ctx, cancel := context.WithCancelCause(parent)
	sink, err := newSink(st.conn, start.StreamSid, st.srv.cfg, cancel)
	if err != nil {
		cancel(err)
		return nil, err
	}
	st.cancel, st.sink = cancel, sink
	st.call = telephony.NewCall(info, sink, cancel)
	if st.in, err = newInbound(st.call, st.srv.now); err != nil {
		cancel(err)
		return nil, err
	}
	st.log.Info("twilio call started", "learner", info.Learner, "stream_sid", start.StreamSid)
	return ctx, nil
}

// validSid accepts Twilio's IDs (two letters and 32 hex digits, in practice): the sink
// writes the stream SID into JSON without escaping.
func validSid(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}

// Errors claim wraps for a start without a usable token.
var (
	errNoToken  = fmt.Errorf("%w: start carries no token", ErrNoTicket)
	errBadToken = fmt.Errorf("%w: malformed token", ErrNoTicket)
)

// claim redeems the ticket named by start's token (once: the store deletes it) and takes
// the line the webhook reserved for it, or a new one when this node reserved none. The
// ticket must have been issued for start's CallSid.
func (s *Server) claim(ctx context.Context, start *StartPayload) (Decision, error) {
	token := start.CustomParameters[paramToken]
	switch {
	case token == "":
		return Decision{}, errNoToken
	case !validToken(token):
		return Decision{}, errBadToken
	}
	d, err := s.Tickets.Claim(ctx, token)
	if err != nil {
		return Decision{}, err
	}
	owned := s.claimLine(token)
	if d.CallSid != start.CallSid {
		if owned {
			s.calls.Done()
		}
		return Decision{}, fmt.Errorf("%w: issued for %s, stream for %s", ErrTicketMismatch, d.CallSid, truncate(start.CallSid, 40))
	}
	if !owned {
		if err := s.admit(); err != nil {
			return Decision{}, err
		}
	}
	return d, nil
}

// reasonOf names a refused stream's cause for Refusals.
func reasonOf(err error) string {
	switch {
	case errors.Is(err, errNoToken):
		return reasonNoToken
	case errors.Is(err, ErrNoTicket):
		return reasonBadToken
	case errors.Is(err, ErrTicketMismatch):
		return reasonTokenMismatch
	case errors.Is(err, ErrBusy):
		return reasonStreamNoLine
	case errors.Is(err, ErrDraining):
		return reasonStreamDraining
	case errors.Is(err, ErrNoStart):
		return reasonNoStart
	case errors.Is(err, ErrUnsupportedFormat), errors.Is(err, ErrMalformed), errors.Is(err, ErrTooManyMalformed):
		return reasonBadStart
	case errors.Is(err, ErrSocketClosed):
		return "socket_closed"
	}
	return reasonTicketStore
}
