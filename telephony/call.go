// Package telephony turns transports (Twilio Media Streams, WebRTC) into Calls: one value per
// live call carrying 16 kHz learner audio in, persona audio out, DTMF, and a way to hang up.
// Transports live in subpackages; telephony never imports dialog.
package telephony

import (
	"context"
	"errors"
	"sync/atomic"
	"time"
)

// Rate is the sample rate of audio crossing the Call boundary, both ways.
const Rate = 16000

// Info describes a call as the transport learned it.
type Info struct {
	ID         string            // Spar's call ID
	Transport  string            // "twilio", "webrtc" or "sip"
	ExternalID string            // the transport's own ID (Twilio CallSid)
	From, To   string            // caller and dialed number, when known
	Scenario   string            // scenario ID chosen at answer time
	Learner    string            // learner ID (caller ID for phone calls) or "guest:..."
	Params     map[string]string // extra transport parameters
	Started    time.Time
}

// EventKind names what a transport reports besides audio.
type EventKind string

// Transport events.
const (
	EventDTMF      EventKind = "dtmf"      // Detail is the digit
	EventMalformed EventKind = "malformed" // Detail says what was wrong
	EventMark      EventKind = "mark"      // Detail is the mark name echoed by the far end
	EventStop      EventKind = "stop"      // the far end ended the stream
)

// Event is something the transport saw, stamped with the media clock.
type Event struct {
	Kind   EventKind
	Detail string
	At     time.Duration // media time since the stream started
}

// Listener receives what the learner sends. A transport calls it from its reader goroutine in
// media-time order; it must not block.
type Listener interface {
	// Audio gets 20 ms of 16 kHz learner audio. Gaps in the transport's media clock arrive as
	// silence, so the sample count is the call's clock.
	Audio(p []int16)
	// Event reports DTMF, marks and transport faults.
	Event(e Event)
}

// Sink is the outbound half a transport implements.
type Sink interface {
	// WriteSample sends one paced frame of 16 kHz persona audio.
	WriteSample(p []int16) error
	// Clear drops persona audio the far end has buffered but not yet played.
	Clear() error
	// Played reports how much persona audio the far end confirmed as played since the call began.
	Played() time.Duration
	// Close ends the call on the wire.
	Close(cause error) error
}

// Call is one live practice call. The transport owns the network; the handler it was given
// owns the conversation and returns when the call should end.
type Call struct {
	Info
	sink     Sink
	listener atomic.Pointer[Listener]
	cancel   context.CancelCauseFunc
	dropped  atomic.Int64
}

// NewCall ties a transport's sink to a call. cancel ends the call's context; Hangup calls it.
func NewCall(info Info, sink Sink, cancel context.CancelCauseFunc) *Call {
	return &Call{Info: info, sink: sink, cancel: cancel}
}

// Listen installs where learner audio and events go. Until it is called they are dropped.
func (c *Call) Listen(l Listener) { c.listener.Store(&l) }

// Deliver is called by the transport with one frame of learner audio.
func (c *Call) Deliver(p []int16) {
	if l := c.listener.Load(); l != nil {
		(*l).Audio(p)
	}
}

// Discard is called by the transport for learner audio it received but could not use
// (malformed, out of order, undecodable), counted in 20 ms frames.
func (c *Call) Discard(frames int) { c.dropped.Add(int64(frames)) }

// Discarded returns how many frames of learner audio the transport discarded.
func (c *Call) Discarded() int64 { return c.dropped.Load() }

// Notify is called by the transport with an event.
func (c *Call) Notify(e Event) {
	if l := c.listener.Load(); l != nil {
		(*l).Event(e)
	}
}

// WriteSample sends one frame of persona audio (16 kHz).
func (c *Call) WriteSample(p []int16) error { return c.sink.WriteSample(p) }

// Clear drops buffered persona audio at the far end (barge-in).
func (c *Call) Clear() error { return c.sink.Clear() }

// Played reports persona audio confirmed as heard.
func (c *Call) Played() time.Duration { return c.sink.Played() }

// SendAhead is how much persona audio the far end should be sent ahead of playing it: the
// budget of a sink whose far end buffers what it is sent and drops it on Clear (it implements
// SendAhead() time.Duration, as Twilio's does), else 0: the engine's own small lead applies.
func (c *Call) SendAhead() time.Duration {
	if s, ok := c.sink.(interface{ SendAhead() time.Duration }); ok {
		return s.SendAhead()
	}
	return 0
}

// Hangup ends the call with a reason.
func (c *Call) Hangup(cause error) { c.cancel(cause) }

// Handler runs one call. It returns when the call should end; the transport then hangs up.
// ctx is cancelled with a cause when the far end goes away.
type Handler func(ctx context.Context, call *Call) error

// ErrFarEndHangup is the cause of a call context when the learner hung up. Transports wrap it.
var ErrFarEndHangup = errors.New("learner hung up")
