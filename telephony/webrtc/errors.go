package webrtc

import (
	"errors"
	"fmt"

	"github.com/sparlab/spar/telephony"
)

var (
	// ErrBadRequest is wrapped by every error about a malformed offer request.
	ErrBadRequest = errors.New("webrtc: bad request")
	// ErrBadOffer is returned for an offer SDP that does not parse or that pion rejects.
	ErrBadOffer = fmt.Errorf("%w: invalid offer SDP", ErrBadRequest)
	// ErrNoAudio is returned for an offer without an audio section.
	ErrNoAudio = fmt.Errorf("%w: the offer has no audio", ErrBadRequest)
	// ErrNoCodec is returned for an offer whose audio has neither Opus nor PCMU.
	ErrNoCodec = fmt.Errorf("%w: the offer's audio has neither Opus nor PCMU", ErrBadRequest)
	// ErrUnknownScenario is returned for an offer naming a scenario the server does not have.
	ErrUnknownScenario = errors.New("webrtc: unknown scenario")
	// ErrCallExists is returned for a second offer on a call that already has its session.
	ErrCallExists = errors.New("webrtc: the call already has a session; start a new call")
	// ErrNoSuchCall is returned for a hang-up of a call that is not live here.
	ErrNoSuchCall = errors.New("webrtc: no such live call")
	// ErrHangupNotForwarded is returned for a hang-up of a call another node may hold when
	// that node could not be asked (Redis unreachable): the call ends when its media stops.
	ErrHangupNotForwarded = errors.New("webrtc: the hang-up could not reach the node holding the call")
	// ErrBusy is returned for offers while MaxCalls browser calls are live.
	ErrBusy = errors.New("webrtc: all practice lines are busy, please try again in a few minutes")
	// ErrNoOffer is returned for a signaling message that needs a call before an offer made one.
	ErrNoOffer = fmt.Errorf("%w: send an offer first", ErrBadRequest)
	// ErrNoSession refuses an offer from a page with neither a signed-in learner nor a guest
	// pass (GuestCookie, handed out by PathConfig).
	ErrNoSession = errors.New("webrtc: open the practice page first (no session or guest pass)")
	// ErrTooManyPending refuses an offer from a client or address that already has
	// Config.MaxPendingPerClient (or MaxPendingPerIP) offers connecting.
	ErrTooManyPending = errors.New("webrtc: too many calls connecting from this client; wait for one to connect")
	// ErrDraining is returned for offers while the server drains.
	ErrDraining = errors.New("webrtc: server is draining, try again shortly")

	// ErrLearnerHungUp is the call's cause when the page hangs up.
	ErrLearnerHungUp = fmt.Errorf("webrtc: %w", telephony.ErrFarEndHangup)
	// ErrConnectTimeout ends a call whose ICE/DTLS did not connect within ConnectTimeout.
	ErrConnectTimeout = errors.New("webrtc: the browser never connected (ICE timeout)")
	// ErrICEFailed is the call's cause when ICE fails.
	ErrICEFailed = errors.New("webrtc: connection failed (ICE)")
	// ErrDisconnected is the call's cause when the connection stayed down for DisconnectGrace.
	ErrDisconnected = errors.New("webrtc: connection lost (browser gone)")
	// ErrSignalingLost is the call's cause when the page's signaling WebSocket closed without
	// a hang-up and DisconnectGrace passed: the tab was closed or the page went away.
	ErrSignalingLost = errors.New("webrtc: the page went away (signaling closed without a hang-up)")
	// ErrPeerClosed is the call's cause when the PeerConnection closed under the call.
	ErrPeerClosed = errors.New("webrtc: peer connection closed")
	// ErrHandlerDone is the call's cause when the handler returns nil: Spar ended the call.
	ErrHandlerDone = errors.New("webrtc: call ended by Spar")
	// ErrSinkClosed is returned by sink writes once the call's connection is closed.
	ErrSinkClosed = errors.New("webrtc: connection closed")
	// ErrServerClosed ends live calls when Server.Close is called without a cause.
	ErrServerClosed = errors.New("webrtc: server closed")
)
