package twilio

import (
	"errors"
	"fmt"

	"github.com/sparlab/spar/telephony"
)

var (
	// ErrMalformed is wrapped by every error DecodeMessage returns: the bytes are not a valid
	// Media Streams message.
	ErrMalformed = errors.New("twilio: malformed message")
	// ErrUnknownEvent is returned by DecodeMessage for an event name Spar does not know.
	ErrUnknownEvent = fmt.Errorf("%w: unknown event", ErrMalformed)
	// ErrStopped is the call's cause when Twilio sends a stop message (the caller hung up).
	ErrStopped = fmt.Errorf("twilio: stream stopped: %w", telephony.ErrFarEndHangup)
	// ErrSocketClosed is the call's cause when the stream WebSocket closes without a stop.
	ErrSocketClosed = errors.New("twilio: stream socket closed")
	// ErrTooManyMalformed ends a call after more than Config.MaxMalformed malformed,
	// oversized or out-of-order messages.
	ErrTooManyMalformed = errors.New("twilio: too many malformed messages")
	// ErrStreamIdle ends a call whose stream sent nothing for Config.IdleTimeout.
	ErrStreamIdle = errors.New("twilio: stream silent")
	// ErrNoStart ends a stream that did not send start within Config.StartTimeout.
	ErrNoStart = errors.New("twilio: no start message")
	// ErrUnsupportedFormat ends a stream whose audio is not 8 kHz mono mu-law.
	ErrUnsupportedFormat = errors.New("twilio: unsupported media format")
	// ErrHandlerDone is the call's cause when the handler returns nil: Spar ended the call.
	ErrHandlerDone = errors.New("twilio: call ended by Spar")
	// ErrDraining refuses a stream while the server drains for a restart.
	ErrDraining = errors.New("twilio: draining")
	// ErrBusy refuses a stream when Config.MaxCalls calls are live.
	ErrBusy = errors.New("twilio: all practice lines are busy")
	// ErrSinkClosed is returned by Sink writes after the call's socket was closed.
	ErrSinkClosed = errors.New("twilio: stream closed")
)

var (
	// ErrNoTicket refuses a stream whose start carries no token, or one the ticket store does
	// not hold (never issued, already used, or expired): no webhook Spar answered is behind it.
	ErrNoTicket = errors.New("twilio: stream has no valid ticket")
	// ErrTicketMismatch refuses a stream whose token was issued for another CallSid.
	ErrTicketMismatch = errors.New("twilio: ticket issued for another call")
	// ErrReplayed is returned by Tickets.Issue for a CallSid already answered within the
	// replay window: the webhook is a replay and gets no second stream.
	ErrReplayed = errors.New("twilio: webhook replayed")
)
