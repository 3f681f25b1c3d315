package dialog

import "time"

// Utterance is one line of the transcript.
type Utterance struct {
	Speaker string        `json:"speaker"` // SpeakerLearner or SpeakerPersona
	Text    string        `json:"text"`    // for the persona: only what the learner heard
	Start   time.Duration `json:"start"`   // media time since answer
	End     time.Duration `json:"end"`
	// Truncated is true when the persona was cut off by a learner barge-in (Text then holds
	// the heard part) or the learner's line was cut by a persona barge-in.
	Truncated bool `json:"truncated,omitempty"`
	// Confidence is the recognizer's confidence in a learner line, 0..1; 0 means the
	// recognizer gave none. Scoring says a quote may be misheard when it is low.
	Confidence float64 `json:"confidence,omitempty"`
}

// Result is how a call ended, returned by the engine and sealed into the call record.
type Result struct {
	EndReason  string        `json:"end_reason"` // "learner hung up", "resolved", "caller hung up: mood at maximum", "max duration", "silence", "transport: ...", ...
	Duration   time.Duration `json:"duration"`   // media time from answer to end
	Transcript []Utterance   `json:"transcript"`
	FinalMood  int           `json:"final_mood"`
	FinalStage string        `json:"final_stage"`
	Goal       bool          `json:"goal"`
	Turns      int           `json:"turns"` // learner turns answered
	// Latency is each answered turn's latency, in order.
	Latency []TurnLatency `json:"latency,omitempty"`
}

// TurnLatency splits one turn's voice-to-voice time: the endpoint's silence window, then
// each stage. Total runs from the end of the learner's speech to the persona's first frame.
// Hold is how long a reply ready to play waited for the learner to go on, its line's final
// transcript having trailed off (Turns.holdFor); Playout does not include it.
type TurnLatency struct {
	At       time.Duration `json:"at"`
	Endpoint time.Duration `json:"endpoint"`
	STT      time.Duration `json:"stt"`
	Persona  time.Duration `json:"persona"`
	TTS      time.Duration `json:"tts"`
	Hold     time.Duration `json:"hold,omitempty"`
	Playout  time.Duration `json:"playout"`
	Total    time.Duration `json:"total"`
}
