package twilio

// Media Streams messages, as Twilio sends and accepts them on the stream WebSocket.
// https://www.twilio.com/docs/voice/media-streams/websocket-messages
// sequenceNumber, chunk and timestamp are decimal strings on the wire.

// Message is any Media Streams message; Event says which part is set.
type Message struct {
	Event          string        `json:"event"`
	SequenceNumber string        `json:"sequenceNumber,omitempty"`
	StreamSid      string        `json:"streamSid,omitempty"`
	Protocol       string        `json:"protocol,omitempty"` // connected
	Version        string        `json:"version,omitempty"`  // connected
	Start          *StartPayload `json:"start,omitempty"`
	Media          *MediaPayload `json:"media,omitempty"`
	DTMF           *DTMFPayload  `json:"dtmf,omitempty"`
	Mark           *MarkPayload  `json:"mark,omitempty"`
	Stop           *StopPayload  `json:"stop,omitempty"`
}

// StartPayload describes the stream; it arrives once, after connected.
type StartPayload struct {
	AccountSid       string            `json:"accountSid"`
	StreamSid        string            `json:"streamSid"`
	CallSid          string            `json:"callSid"`
	Tracks           []string          `json:"tracks"`
	MediaFormat      MediaFormat       `json:"mediaFormat"`
	CustomParameters map[string]string `json:"customParameters,omitempty"`
}

// MediaFormat is the inbound audio encoding: audio/x-mulaw, 8000 Hz, mono.
type MediaFormat struct {
	Encoding   string `json:"encoding"`
	SampleRate int    `json:"sampleRate"`
	Channels   int    `json:"channels"`
}

// MediaPayload carries base64 mu-law audio. Outbound messages set only Payload.
type MediaPayload struct {
	Track     string `json:"track,omitempty"`
	Chunk     string `json:"chunk,omitempty"`
	Timestamp string `json:"timestamp,omitempty"` // ms since the stream started
	Payload   string `json:"payload"`
}

// DTMFPayload is a key the caller pressed.
type DTMFPayload struct {
	Track string `json:"track"`
	Digit string `json:"digit"`
}

// MarkPayload names a point in the outbound audio; Twilio echoes it once played.
type MarkPayload struct {
	Name string `json:"name"`
}

// StopPayload ends the stream.
type StopPayload struct {
	AccountSid string `json:"accountSid"`
	CallSid    string `json:"callSid"`
}

// Event names.
const (
	EventConnected = "connected"
	EventStart     = "start"
	EventMedia     = "media"
	EventDTMF      = "dtmf"
	EventMark      = "mark"
	EventStop      = "stop"
	EventClear     = "clear" // outbound only
)
