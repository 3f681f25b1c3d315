package scenario

import (
	"math"
	"time"
)

// Category groups scenarios in the catalog.
type Category string

// Categories.
const (
	Support Category = "support"
	Sales   Category = "sales"
	Other   Category = "other"
)

func (c Category) valid() bool { return c == Support || c == Sales || c == Other }

// Difficulty changes how the persona behaves, not only the label: see Profile.
type Difficulty string

// Difficulties.
const (
	Easy   Difficulty = "easy"
	Medium Difficulty = "medium"
	Hard   Difficulty = "hard"
)

func (d Difficulty) valid() bool { return d == Easy || d == Medium || d == Hard }

// Profile is what a difficulty sets when the scenario file does not say otherwise.
type Profile struct {
	Drift          float64       // multiplies provocations
	Recovery       float64       // multiplies calming behaviour
	SilenceTimeout time.Duration // patience before "are you still there?"
	SilencePrompts int           // prompts before hanging up
	PersonaBargeIn bool          // whether the persona cuts the learner off
	AfterTalk      time.Duration // learner monologue the persona tolerates
	ObjectionShare float64       // share of the objections raised, rounded up
}

// DefaultProfile returns the defaults of a difficulty (Medium for an unknown one). Harder
// means provocations cost more, good handling earns less, less patience, more interruptions
// and more objections before agreeing.
func DefaultProfile(d Difficulty) Profile {
	switch d {
	case Easy:
		return Profile{Drift: 0.6, Recovery: 1.5, SilenceTimeout: 12 * time.Second,
			SilencePrompts: 3, PersonaBargeIn: false, AfterTalk: 40 * time.Second, ObjectionShare: 1.0 / 3}
	case Hard:
		return Profile{Drift: 1.5, Recovery: 0.6, SilenceTimeout: 6 * time.Second,
			SilencePrompts: 1, PersonaBargeIn: true, AfterTalk: 15 * time.Second, ObjectionShare: 1}
	default:
		return Profile{Drift: 1, Recovery: 1, SilenceTimeout: 8 * time.Second,
			SilencePrompts: 2, PersonaBargeIn: true, AfterTalk: 25 * time.Second, ObjectionShare: 2.0 / 3}
	}
}

// Raised returns how many of n objections this profile raises.
func (p Profile) Raised(n int) int {
	if n == 0 {
		return 0
	}
	k := int(math.Ceil(p.ObjectionShare*float64(n) - 1e-9))
	return max(1, min(k, n))
}

// Defaults that do not depend on difficulty.
const (
	DefaultEndSilence = 700 * time.Millisecond
	// DefaultEndSilenceComplete ends a turn whose partial transcript reads as complete (no
	// trailing "and", "so", "um"); docs/BENCHMARKS.md ("Endpointing quality") measures it.
	DefaultEndSilenceComplete = 350 * time.Millisecond
	// DefaultResumeWithin: learner speech this soon after an endpoint goes on with the line
	// while the persona's reply is unheard or in its first moments (dialog.Turns.ResumeWithin).
	DefaultResumeWithin = time.Second
	DefaultMinBargeIn   = 300 * time.Millisecond
	DefaultMaxDuration  = 8 * time.Minute
	DefaultMoodMax      = 10
	// DefaultMaxStep bounds one learner turn's effect on the mood (a quarter of the default
	// scale): calming a furious caller takes several good turns.
	DefaultMaxStep = 2.5
)

// DefaultBackchannels are learner words that never interrupt the persona.
var DefaultBackchannels = []string{"okay", "right", "mm-hm", "uh-huh", "yeah", "sure", "i see"}
