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
		Transcript string `json:"transcript"`
	} `json:"alternatives"`
}

// transcript returns the best alternative of a Results message.
func (m *message) transcript() string {
	var ch resultChannel
	if json.Unmarshal(m.Channel, &ch) != nil || len(ch.Alternatives) == 0 {
		return ""
	}
	return ch.Alternatives[0].Transcript
}

// Control messages, sent as text frames.
var (
	msgKeepAlive   = []byte(`{"type":"KeepAlive"}`)
	msgFinalize    = []byte(`{"type":"Finalize"}`)
	msgCloseStream = []byte(`{"type":"CloseStream"}`)
)
