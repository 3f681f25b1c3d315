package dialog

import (
	"context"
	"strings"
	"time"
)

// Persona decides what the simulated customer or prospect says next.
type Persona interface {
	// Respond reacts to one input, calling say once per sentence as soon as each is ready
	// (so speech can start before the reply is complete). ctx is the turn's context: barge-in
	// cancels it. The returned State is the persona's state after the reply.
	Respond(ctx context.Context, in Input, say func(sentence string) error) (State, error)
}

// InputKind says why the persona is asked to speak.
type InputKind int

// Inputs.
const (
	InputAnswer  InputKind = iota // the call was just answered: greet
	InputSpeech                   // the learner finished a turn (Text)
	InputSilence                  // the learner said nothing for the scenario's silence timeout
	InputFault                    // a provider failed; say something in character
)

// Input is one thing the persona reacts to.
type Input struct {
	Kind InputKind
	Text string // the learner's final transcript for InputSpeech
	// Interrupted is true when the learner cut the persona's previous line short; Heard is
	// the part of it the learner actually heard.
	Interrupted bool
	Heard       string
	// Resumed is true when the learner went on after a pause the engine took for the end of
	// their line, and the reply to it was dropped before it was heard, or after at most its
	// first moments (turn.cancelled): Text is the whole line, repeating the previous
	// InputSpeech's Text, and the persona takes that input back (its mood and stage moves,
	// its place in the history) before reading this one. Interrupted and Heard are that
	// input's own.
	Resumed bool
	// TalkTime is how long the learner spoke in this turn; long monologues provoke some personas.
	TalkTime time.Duration
	// Elapsed is the time since the call was answered.
	Elapsed time.Duration
	// Silences counts consecutive silence prompts so far.
	Silences int
}

// End reasons a persona gives when it ends the call short of its goal.
const (
	// EndHungUp begins the end reason of a call the persona hung up on.
	EndHungUp = "caller hung up"
	// EndWalkedOut is the end reason of a call the persona hung up on at its worst mood: the
	// customer or prospect walked out, so nothing the learner proposed was agreed.
	EndWalkedOut = EndHungUp + ": mood at maximum"
	// EndConversation begins the end reason of a call the persona ended politely on
	// something the learner did (accepting a brush-off): "conversation ended: <label>".
	EndConversation = "conversation ended"
)

// PersonaLeft reports whether end reason reason says the persona ended the call short of
// its goal: hung up (angry or not) or ended the conversation.
func PersonaLeft(reason string) bool {
	return strings.HasPrefix(reason, EndHungUp) || strings.HasPrefix(reason, EndConversation)
}

// State is the persona's condition after a reply.
type State struct {
	Mood   int    // 0 calm .. MaxMood furious (or hostile / disengaged for prospects)
	Stage  string // opening, complaint, investigation, resolution, close
	Reason string // why the mood or stage moved, for the timeline
	// Hangup ends the call after the reply has been played; EndReason says why
	// ("resolved", "caller hung up: mood at maximum", ...).
	Hangup    bool
	EndReason string
	// Goal is true once the scenario's goal has been reached.
	Goal bool
}
