package sip

import (
	"errors"
	"fmt"

	"github.com/sparlab/spar/telephony"
)

// Refusals: each is answered with its own SIP status (Server.refuse). A source outside
// Config.AllowFrom gets 403 and missing or wrong digest credentials 401 or 403 before any of
// these is decided.
var (
	// ErrUnknownNumber refuses a call to a number no scenario answers (404).
	ErrUnknownNumber = errors.New("sip: no scenario for the dialed number")
	// ErrUnknownCaller refuses a caller ID that is no learner when guests are off (403).
	ErrUnknownCaller = errors.New("sip: caller ID is not a known learner and guests are off")
	// ErrBadOffer refuses an INVITE whose SDP Spar cannot answer (488 Not Acceptable Here).
	ErrBadOffer = errors.New("sip: unusable SDP offer")
	// ErrNoCodec is an ErrBadOffer whose audio offers neither PCMU nor PCMA.
	ErrNoCodec = fmt.Errorf("%w: the audio offers neither PCMU (0) nor PCMA (8)", ErrBadOffer)
	// ErrBusy refuses a call while Config.MaxCalls calls are live (486 Busy Here).
	ErrBusy = errors.New("sip: all practice lines are busy")
	// ErrDraining refuses a call while the server drains for a restart (503, Retry-After).
	ErrDraining = errors.New("sip: server is draining, try again shortly")

	// ErrCancelled is how a call ends that the caller cancelled before Spar answered.
	ErrCancelled = errors.New("sip: the caller hung up before the answer (CANCEL)")
	// ErrLearnerHungUp is the call's cause when the caller sends BYE.
	ErrLearnerHungUp = fmt.Errorf("sip: %w", telephony.ErrFarEndHangup)
	// ErrRTPTimeout is the call's cause when no RTP came for Config.RTPTimeout off hold.
	ErrRTPTimeout = errors.New("sip: no audio from the caller (RTP timeout)")
	// ErrHandlerDone is the call's cause when the handler returns nil: Spar ended the call.
	ErrHandlerDone = errors.New("sip: call ended by Spar")
	// ErrServerClosed ends live calls when Server.Close is called.
	ErrServerClosed = errors.New("sip: server closed")
	// ErrSinkClosed is returned by persona audio writes once the call's media is closed.
	ErrSinkClosed = errors.New("sip: media closed")
)
