package webrtc

import (
	"encoding/json"
	"fmt"

	"github.com/pion/webrtc/v4"
)

// Types of the JSON messages on the signaling socket (PathSignal).
const (
	msgOffer     = "offer"     // page: {scenario, learner, sdp}
	msgCandidate = "candidate" // both ways: {candidate: {candidate, sdpMid, sdpMLineIndex}}; none = end of candidates
	msgHangup    = "hangup"    // page: the learner hung up
	msgAnswer    = "answer"    // server: {call_id, sdp}
	msgError     = "error"     // server: {error}; the socket stays open
	msgEnded     = "ended"     // server: {reason}; the socket then closes
)

// message is one signaling message, either way.
type message struct {
	Type      string                   `json:"type"`
	Scenario  string                   `json:"scenario,omitempty"`
	Learner   string                   `json:"learner,omitempty"`
	SDP       string                   `json:"sdp,omitempty"`
	Candidate *webrtc.ICECandidateInit `json:"candidate,omitempty"`
	CallID    string                   `json:"call_id,omitempty"`
	Error     string                   `json:"error,omitempty"`
	Reason    string                   `json:"reason,omitempty"`

	close int // not sent: the writer sends a close frame with this code instead
}

// maxCandidate bounds one candidate line; real ones are under 200 bytes.
const maxCandidate = 1024

// decodeMessage parses a message from the page. It accepts only what a page sends (offer,
// candidate, hangup); every error wraps ErrBadRequest.
func decodeMessage(data []byte) (message, error) {
	var m message
	if err := json.Unmarshal(data, &m); err != nil {
		return message{}, fmt.Errorf("%w: message is not JSON: %v", ErrBadRequest, err)
	}
	switch m.Type {
	case msgOffer, msgHangup:
	case msgCandidate:
		if c := m.Candidate; c != nil && (len(c.Candidate) > maxCandidate ||
			(c.SDPMid != nil && len(*c.SDPMid) > 64) ||
			(c.UsernameFragment != nil && len(*c.UsernameFragment) > 256)) {
			return message{}, fmt.Errorf("%w: candidate too long", ErrBadRequest)
		}
	case "":
		return message{}, fmt.Errorf("%w: message has no type", ErrBadRequest)
	default:
		return message{}, fmt.Errorf("%w: unknown message type %q", ErrBadRequest, truncate(m.Type, 32))
	}
	return m, nil
}
