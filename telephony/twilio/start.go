package twilio

import (
	"context"
	"fmt"
	"time"

	"github.com/sparlab/spar/telephony"
)

// setup turns the start message into a call: its Info, context, sink and inbound chain.
// The returned context is the call's; st.cancel ends it with a cause.
func (st *stream) setup(parent context.Context, start *StartPayload) (context.Context, error) {
	f := start.MediaFormat
	if f.Encoding != "audio/x-mulaw" || f.SampleRate != 8000 || f.Channels != 1 {
		return nil, fmt.Errorf("%w: %s %d Hz x%d", ErrUnsupportedFormat, truncate(f.Encoding, 32), f.SampleRate, f.Channels)
	}
	if !validSid(start.StreamSid) {
		return nil, fmt.Errorf("%w: start.streamSid %q", ErrMalformed, truncate(start.StreamSid, 40))
	}
	p := start.CustomParameters
	id := p["call"]
	if !validCallID(id) {
		if id != "" {
			st.log.Warn("twilio stream: invalid call parameter, using a new ID", "call", truncate(id, 40))
		}
		id = st.srv.newID()
	}
	info := telephony.Info{
		ID:         id,
		Transport:  "twilio",
		ExternalID: start.CallSid,
		From:       p["from"],
		To:         p["to"],
		Scenario:   p["scenario"],
		Learner:    p["learner"],
		Params:     p,
		Started:    time.Now(),
	}
	st.log = st.log.With("call_id", id, "call_sid", start.CallSid, "scenario", info.Scenario)
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

// validCallID accepts IDs safe in Redis keys and URLs: [A-Za-z0-9_-], at most 64 bytes.
func validCallID(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}
