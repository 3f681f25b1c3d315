package sim

import (
	"encoding/base64"
	"encoding/json"
	"fmt"

	"github.com/gorilla/websocket"

	"github.com/sparlab/spar/telephony/twilio"
)

// serverMsg is one message from the server, checked the way Twilio checks it.
type serverMsg struct {
	event string // twilio.EventMedia, EventMark, EventClear, or "" when malformed
	audio []byte // media: decoded mu-law
	name  string // mark: its name
	fault string // malformed: what was wrong
}

// decodeServerMsg parses one WebSocket frame from the server. Anything Twilio would reject
// (binary frames, bad JSON, an unknown event, a foreign streamSid, a bad payload) comes back
// with event "" and the reason in fault.
func decodeServerMsg(frameType int, b []byte, streamSid string) serverMsg {
	if frameType != websocket.TextMessage {
		return serverMsg{fault: "binary frame"}
	}
	var m twilio.Message
	if err := json.Unmarshal(b, &m); err != nil {
		return serverMsg{fault: fmt.Sprintf("bad JSON: %v", err)}
	}
	if m.StreamSid != streamSid {
		return serverMsg{fault: fmt.Sprintf("%s with streamSid %q", m.Event, m.StreamSid)}
	}
	switch m.Event {
	case twilio.EventMedia:
		if m.Media == nil {
			return serverMsg{fault: "media without payload"}
		}
		audio, err := base64.StdEncoding.DecodeString(m.Media.Payload)
		if err != nil {
			return serverMsg{fault: fmt.Sprintf("media payload: %v", err)}
		}
		return serverMsg{event: m.Event, audio: audio}
	case twilio.EventMark:
		if m.Mark == nil || m.Mark.Name == "" {
			return serverMsg{fault: "mark without name"}
		}
		return serverMsg{event: m.Event, name: m.Mark.Name}
	case twilio.EventClear:
		return serverMsg{event: m.Event}
	default:
		return serverMsg{fault: fmt.Sprintf("unexpected event %q", m.Event)}
	}
}
