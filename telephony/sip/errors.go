package sip

import (
	"errors"
	"fmt"

	"github.com/sparlab/spar/telephony"
)

// Refusals: each is answered with its own SIP status (see refusal.status).
var (
	// ErrForbiddenSource refuses a request from an address outside Config.AllowFrom (403).
	ErrForbiddenSource = errors.New("sip: source address not in allow_from")
	// ErrUnauthorized refuses an INVITE without valid digest credentials (401, then 403).
	ErrUnauthorized = errors.New("sip: digest authentication failed")
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
