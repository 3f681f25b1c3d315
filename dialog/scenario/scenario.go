package scenario

import "time"

// Scenario is one practice situation, with every default already applied: the values below are
// what the persona and the engine use. Parse builds it from a file; WithDifficulty rebuilds it
// for another difficulty from the same file.
type Scenario struct {
	ID          string
	Title       string
	Category    Category
	Difficulty  Difficulty
	Situation   string // told to the learner before the call
	LearnerGoal string // what success looks like, shown to the learner
	Persona     Persona
	Words       []string // product and company words, for recognition boosting
	Turns       Turns
	Mood        Mood
	Behaviours  []Behaviour // in file order
	Stages      []Stage     // in order; the last one ends the call with the goal met
	// Objections are raised in order, each in its stage once the stage's own requirement is
	// met. Only the first RaiseObjections of them are used at this difficulty.
	Objections      []Objection
	RaiseObjections int
	Lines           Lines
	// Providers names the engines this scenario's calls run on; empty fields mean the
	// server's defaults.
	Providers Providers
	// Version is the studio version this scenario was built from (1, 2, ...); 0 for a file
	// (built-in or SPAR_SCENARIO_DIR).
	Version int

	file     string // the name given to Parse
	src      *source
	compiled *compiled // built once by Parse, shared read-only by every call
}

// Persona is who the learner talks to.
type Persona struct {
	Name      string
	Voice     string // flite voice (slt, rms, awb, kal) or espeak:<voice>
	Backstory string
	Goal      string // hidden from the learner: what the persona wants
	StartMood int
}

// Providers picks engines by the names the server's config gives them (spar.yaml
// providers:), so one scenario can run on an LLM persona and a vendor voice while the others
// stay offline. The server checks the names when it loads the scenarios.
type Providers struct {
	Persona string // e.g. "scripted", "llm" or a name under providers.named
	STT     string
	TTS     string
	// Voice is passed to the scenario's TTS as is (an ElevenLabs voice id, an OpenAI voice
	// name); empty uses Persona.Voice.
	Voice string
}

// ProviderKeys are the keys of a scenario's providers block, in file order.
var ProviderKeys = []string{"persona", "stt", "tts", "voice"}

// Get returns the value of one of ProviderKeys.
func (p Providers) Get(key string) string {
	switch key {
	case "persona":
		return p.Persona
	case "stt":
		return p.STT
	case "tts":
		return p.TTS
	case "voice":
		return p.Voice
	}
	return ""
}

// Turns are the engine's turn-taking settings for this scenario.
type Turns struct {
	EndSilence     time.Duration // silence that ends a learner turn
	EndSilenceDone time.Duration // shorter silence once the partial transcript reads as complete
	ResumeWithin   time.Duration // after an endpoint, learner speech that still goes on with the line (0: off)
	MinBargeIn     time.Duration // learner speech needed to interrupt the persona
	Backchannels   []string      // learner words that never interrupt ("okay", "right")
	SilenceTimeout time.Duration // learner silence before "are you still there?"
	SilencePrompts int           // prompts before the persona hangs up
	MaxDuration    time.Duration
	PersonaBargeIn PersonaBargeIn
}

// PersonaBargeIn says when the persona cuts the learner off.
type PersonaBargeIn struct {
	Enabled   bool
	AfterTalk time.Duration // learner monologue length after which the persona cuts in
	Triggers  []string      // phrases (phrase syntax) that make the persona cut in
}

// Mood is the persona's temper scale: 0 is calm, Max is furious (or hostile for a prospect).
type Mood struct {
	Max      int
	HangupAt int    // the persona hangs up when its mood reaches this
	Bands    []Band // ascending; the last one ends at Max
	// Drift multiplies provocations and Recovery multiplies calming behaviour.
	Drift, Recovery float64
	// Base costs, multiplied by Drift: a turn with nothing relevant, the learner talking over
	// the persona, a monologue past PersonaBargeIn.AfterTalk, a silence prompt.
	Idle, TalkedOver, Monologue, Silence float64
	// MaxStep bounds how far one learner turn calms the persona: no single line, however
	// many kind words it stacks, takes a furious caller to calm.
	MaxStep float64
}

// Band names a mood range, used to pick lines: moods up to UpTo (inclusive) and above the
// previous band's UpTo.
type Band struct {
	Name string
	UpTo int
}

// BandOf returns the band a mood falls in.
func (m Mood) BandOf(mood int) string {
	for _, b := range m.Bands {
		if mood <= b.UpTo {
			return b.Name
		}
	}
	if len(m.Bands) == 0 {
		return ""
	}
	return m.Bands[len(m.Bands)-1].Name
}

// Behaviour is a named intent the persona listens for in the learner's words.
type Behaviour struct {
	Name    string
	Label   string   // what the learner did, for the timeline ("owned the mistake")
	Phrases []string // phrase syntax, see doc.go
	// Needs says in what kind of clause the phrases count (a question, a commitment...).
	Needs Needs
	// Mood is the effect of the first use: negative calms (scaled by Recovery), positive
	// provokes (scaled by Drift). Repeat is the effect of every later use.
	Mood, Repeat float64
	// EndsCall makes the persona end the call (without the goal) when the learner does this
	// in a turn that made no progress, e.g. accepting a brush-off.
	EndsCall bool
	// CorrectedBy names behaviours that, done in a later learner line, take this one back:
	// another doctor offered, then her own doctor kept. A corrected slip costs no credit;
	// the persona still reacted to it when it was said. Whichever comes last wins: a slip
	// the scorer heard clearly after its fix takes the fix back.
	CorrectedBy []string
	// ShownBy are phrases of the persona's reply that show the learner's line before it did
	// this ("Forty, fifty calls a day" answers "how many of those calls?"). The persona's
	// lines are never misheard; the scorer uses them only for a learner line the recognizer
	// was unsure of.
	ShownBy []string
	// List, when above 1, credits the behaviour only where the turn names that many of its
	// phrases at different places: a list ("the app, the portal, SMS, email, the API" is a
	// feature dump; "you get a text" is not).
	List int
}

// Stage is one step of the conversation.
type Stage struct {
	Name    string
	Advance Requirement // what moves the persona past this stage
	// Skip lets the persona pass this stage without its own requirement when the learner
	// has already done this (a fix with a time frame makes "what do you need from me?"
	// moot). Empty: the stage is never skipped.
	Skip    Requirement
	MaxMood int // the persona moves on only at or below this mood
}

// Requirement is met when every behaviour in All has been seen during the call and behaviours
// from Any were seen in at least Min learner turns.
type Requirement struct {
	All []string
	Any []string
	Min int
}

// Empty reports whether the requirement is met by any learner turn.
func (r Requirement) Empty() bool { return len(r.All) == 0 && r.Min == 0 }

// Objection is a pushback the persona raises before agreeing (a prospect's brush-off, a
// caller's extra demand).
type Objection struct {
	ID        string
	Stage     string
	Says      []string    // how the persona raises it
	Again     []string    // when the learner did not handle it
	Yields    []string    // when the learner handled it, before moving on
	HandledBy Requirement // counted from the turn after it was raised
}

// Lines are what the persona says. Every list holds variants.
type Lines struct {
	Greeting        []string
	Silence         []string // "Hello? Are you still there?"
	SilenceHangup   []string
	HangupAngry     []string
	GoodbyeResolved []string
	Goodbye         []string // the call ends without the goal
	Repair          []string // after a provider fault
	Interrupted     []string // the persona cuts in
	RepeatQuestion  []string // the learner ignored the persona again
	// Reactions answer one behaviour, keyed by behaviour name.
	Reactions map[string][]string
	// Stages holds, per stage, lines keyed by mood band, plus EnterKey for the line said on
	// entering the stage.
	Stages map[string]map[string][]string
}

// Reserved keys under lines.stages.<stage>, beside the mood bands: EnterKey for the line said
// on entering the stage in order, EarlyKey for the line said when the learner has already
// done a later stage's work but this stage cannot be skipped ("Don't you need my account
// number first?").
const (
	EnterKey = "enter"
	EarlyKey = "early"
)

// File returns the name the scenario was parsed from.
func (s *Scenario) File() string { return s.file }

// Behaviour returns the named behaviour.
func (s *Scenario) Behaviour(name string) (Behaviour, bool) {
	for _, b := range s.Behaviours {
		if b.Name == name {
			return b, true
		}
	}
	return Behaviour{}, false
}

// ActiveObjections returns the objections raised at this difficulty, in order.
func (s *Scenario) ActiveObjections() []Objection {
	n := min(s.RaiseObjections, len(s.Objections))
	return s.Objections[:n]
}
