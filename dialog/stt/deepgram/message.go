package deepgram

import "encoding/json"

// message is what Deepgram sends: Results, UtteranceEnd, SpeechStarted, Metadata.
// https://developers.deepgram.com/docs/live-streaming-audio
type message struct {
	Type         string          `json:"type"`
	IsFinal      bool            `json:"is_final"`
	SpeechFinal  bool            `json:"speech_final"`
	FromFinalize bool            `json:"from_finalize"`
	Channel      json.RawMessage `json:"channel"` // an object for Results, an array for UtteranceEnd
}

type resultChannel struct {
	Alternatives []struct {
		Transcript string   `json:"transcript"`
		Confidence *float64 `json:"confidence"` // 0..1; nil when the server sent none
	} `json:"alternatives"`
}

// best returns the best alternative of a Results message: its transcript and confidence
// (ok false when the message has none).
func (m *message) best() (text string, confidence float64, ok bool) {
	var ch resultChannel
	if json.Unmarshal(m.Channel, &ch) != nil || len(ch.Alternatives) == 0 {
		return "", 0, false
	}
	a := ch.Alternatives[0]
	if a.Confidence == nil {
		return a.Transcript, 0, false
	}
	return a.Transcript, *a.Confidence, true
}

// Control messages, sent as text frames.
var (
	msgKeepAlive   = []byte(`{"type":"KeepAlive"}`)
	msgFinalize    = []byte(`{"type":"Finalize"}`)
	msgCloseStream = []byte(`{"type":"CloseStream"}`)
)
