package webrtc

import (
	"encoding/json"
	"fmt"

	"github.com/pion/webrtc/v4"
)

// Types of the JSON messages on the signaling socket (PathSignal): Message.Type.
const (
	MsgOffer     = "offer"     // page: {scenario, learner, sdp, trial?}
	MsgCandidate = "candidate" // both ways: {candidate: {candidate, sdpMid, sdpMLineIndex}}; none = end of candidates
	MsgHangup    = "hangup"    // page: the learner hung up
	MsgAnswer    = "answer"    // server: {call_id, sdp}
	MsgError     = "error"     // server: {error}; the socket stays open
	MsgEnded     = "ended"     // server: {reason}; the socket then closes
)

// Message is one signaling message on PathSignal, either way; its Type is one of the Msg
// constants. Other callers than the learner page (the sim) speak it too.
type Message struct {
	Type      string                   `json:"type"`
	Scenario  string                   `json:"scenario,omitempty"`
	Learner   string                   `json:"learner,omitempty"`
	Trial     string                   `json:"trial,omitempty"` // offer: a trial ticket (Server.Trial)
	SDP       string                   `json:"sdp,omitempty"`
	Candidate *webrtc.ICECandidateInit `json:"candidate,omitempty"`
	CallID    string                   `json:"call_id,omitempty"`
	Error     string                   `json:"error,omitempty"`
	Reason    string                   `json:"reason,omitempty"`

	close int // not sent: the writer sends a close frame with this code instead
}

// CandidateMessage is the MsgCandidate message for c; a nil c (gathering is over) gives the
// end-of-candidates message.
func CandidateMessage(c *webrtc.ICECandidate) Message {
	m := Message{Type: MsgCandidate}
	if c != nil {
		init := c.ToJSON()
		m.Candidate = &init
	}
	return m
}

// maxCandidate bounds one candidate line; real ones are under 200 bytes.
const maxCandidate = 1024

// decodeMessage parses a message from the page. It accepts only what a page sends (offer,
// candidate, hangup); every error wraps ErrBadRequest.
func decodeMessage(data []byte) (Message, error) {
	var m Message
	if err := json.Unmarshal(data, &m); err != nil {
		return Message{}, fmt.Errorf("%w: message is not JSON: %v", ErrBadRequest, err)
	}
	switch m.Type {
	case MsgOffer, MsgHangup:
	case MsgCandidate:
		if c := m.Candidate; c != nil && (len(c.Candidate) > maxCandidate ||
			(c.SDPMid != nil && len(*c.SDPMid) > 64) ||
			(c.UsernameFragment != nil && len(*c.UsernameFragment) > 256)) {
			return Message{}, fmt.Errorf("%w: candidate too long", ErrBadRequest)
		}
	case "":
		return Message{}, fmt.Errorf("%w: message has no type", ErrBadRequest)
	default:
		return Message{}, fmt.Errorf("%w: unknown message type %q", ErrBadRequest, truncate(m.Type, 32))
	}
	return m, nil
}
