package dialog

import "time"

// EventKind names a timeline event. Scoring and the trainer console read these names: keep
// them stable.
type EventKind string

// Timeline events.
const (
	EventCallStart     EventKind = "call.start"     // Detail: transport
	EventCallEnd       EventKind = "call.end"       // Detail: end reason
	EventSpeechStart   EventKind = "speech.start"   // learner started speaking
	EventSpeechStop    EventKind = "speech.stop"    // learner stopped (endpoint); Dur: utterance length
	EventInterim       EventKind = "stt.interim"    // Text: interim transcript
	EventLearnerSaid   EventKind = "learner.said"   // At: end of the line; Text: final transcript; Dur: utterance length; Data[DataConfidence] when known, Data["truncated"] when the persona cut in, Data[DataJoined] when it goes on with the previous one
	EventPersonaSays   EventKind = "persona.says"   // Text: one sentence as generated; Data[DataTurn]
	EventPersonaHeard  EventKind = "persona.heard"  // At: start of the turn's audio; Dur: how long it played; Text: what the learner actually heard; Data["truncated"], Data[DataTurn]
	EventBargeIn       EventKind = "barge_in"       // Speaker: who cut in (learner or persona)
	EventNoise         EventKind = "learner.noise"  // speech detected but no words recognised
	EventTurnCancelled EventKind = "turn.cancelled" // a reply was dropped before it was heard, or in its first moments when the learner went on with their line (Data["played_ms"]); Data[DataTurn]
	EventBackchannel   EventKind = "backchannel"    // learner said "okay" over the persona: no interrupt
	EventMood          EventKind = "persona.mood"   // Mood, Detail: why it moved
	EventStage         EventKind = "persona.stage"  // Stage
	EventSilence       EventKind = "silence"        // Dur: how long the learner was silent; Detail: prompt or hangup
	EventDTMF          EventKind = "dtmf"           // Detail: digit
	EventLatency       EventKind = "turn.latency"   // Data: per-stage milliseconds
	EventFault         EventKind = "fault"          // Detail: what failed; the call goes on
	EventTransport     EventKind = "transport"      // Detail: transport-level notice (malformed frames...)
)

// DataConfidence is the Event.Data key of a learner.said event holding the recognizer's
// confidence in the line (FormatConfidence; absent when the recognizer gave none).
const DataConfidence = "confidence"

// DataJoined is the Event.Data key ("true") of a learner.said event that goes on with the
// learner's previous one: the learner paused, the engine took it for the end of the line, and
// the learner went on before the persona's reply was heard (Turns.ResumeWithin). Its Text,
// At and Dur are the whole line's; it replaces the previous line in the transcript.
const DataJoined = "joined"

// Speakers.
const (
	SpeakerLearner = "learner"
	SpeakerPersona = "persona"
)

// Event is one timeline entry. At is media time since the call was answered, so events line
// up with the recording.
type Event struct {
	Kind    EventKind
	At      time.Duration
	Speaker string
	Text    string
	Dur     time.Duration
	Mood    int
	Stage   string
	Detail  string
	Data    map[string]string
}
