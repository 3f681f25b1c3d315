package scoring

import (
	"math"
	"slices"
	"strings"
	"time"

	"github.com/sparlab/spar/dialog"
	"github.com/sparlab/spar/dialog/scenario"
	"github.com/sparlab/spar/dialog/store"
)

// Call is everything a Judge sees of one sealed call.
type Call struct {
	Record   *store.Record
	Events   []dialog.Event     // the timeline; may be empty
	Scenario *scenario.Scenario // nil when the scenario is no longer offered
	Rubric   *Rubric
	Metrics  Metrics
}

// Scorecard is the result of scoring one call. It is stored as JSON under the call's
// scorecard key; durations are nanoseconds.
type Scorecard struct {
	CallID   string `json:"call_id"`
	Scenario string `json:"scenario"`
	Learner  string `json:"learner,omitempty"`
	Rubric   string `json:"rubric"`
	// ScenarioVersion is the studio version whose scenario and rubric scored the call (its
	// own, or the one `spar rescore --version` named); 0 for a file scenario.
	ScenarioVersion int       `json:"scenario_version,omitempty"`
	Judge           string    `json:"judge"`
	ScoredAt        time.Time `json:"scored_at"`
	// Overall is the weighted mean of the criteria, 0..100.
	Overall  int  `json:"overall"`
	PassMark int  `json:"pass_mark"`
	Pass     bool `json:"pass"`
	// Flags qualify the score: FlagInterrupted, FlagTimelineGaps, FlagNoTimeline,
	// FlagShortCall, FlagLowConfidence, FlagMisheard, FlagJudgeFallback.
	Flags []string `json:"flags,omitempty"`
	// Notes say what each flag means for the learner and the trainer, one plain sentence per
	// flag in the order of Flags (Note). The learner page and the console show them above
	// the criteria.
	Notes        []string          `json:"notes,omitempty"`
	Criteria     []CriterionResult `json:"criteria"`
	Strengths    []string          `json:"strengths,omitempty"`
	PractiseNext []Practice        `json:"practise_next"`
	WinningLines []Quote           `json:"winning_lines,omitempty"`
	Metrics      Metrics           `json:"metrics"`
}

// Scorecard flags.
const (
	FlagInterrupted   = "interrupted"    // the server died mid-call; scored up to that point
	FlagTimelineGaps  = "timeline_gaps"  // events were lost while Redis was unreachable
	FlagNoTimeline    = "no_timeline"    // no timeline events: event-based metrics are zero
	FlagShortCall     = "short_call"     // fewer than three learner lines
	FlagLowConfidence = "low_confidence" // some evidence could not be found in the transcript
	FlagMisheard      = "misheard"       // a quoted line may have been misheard by the recognizer
)

// notes are the plain sentences of the flags (Note).
var notes = map[string]string{
	FlagInterrupted:   "The call was cut off by a server problem, so it was scored on what was said up to that point.",
	FlagTimelineGaps:  "Part of the call's timeline was lost, so the timing measures (interruptions, silences, response times) may be incomplete.",
	FlagNoTimeline:    "The call has no timeline, so the timing measures (interruptions, silences, response times) count as zero.",
	FlagShortCall:     "Fewer than three lines were heard from the learner, so there was little to score.",
	FlagLowConfidence: "Some of the judge's evidence could not be found in the transcript, so those criteria got no credit.",
	FlagMisheard:      "Some quoted lines were hard for the speech recognizer to hear and may be misheard; they are marked \"(may be misheard)\".",
	FlagJudgeFallback: "The AI judge could not be reached, so the built-in rule-based judge scored this call.",
}

// Note is flag's plain sentence; a flag without one is named in words.
func Note(flag string) string {
	if n, ok := notes[flag]; ok {
		return n
	}
	return "Flagged: " + strings.ReplaceAll(flag, "_", " ") + "."
}

// AddFlag adds flag to the card, once, with its note.
func (c *Scorecard) AddFlag(flag string) {
	if slices.Contains(c.Flags, flag) {
		return
	}
	c.Flags = append(c.Flags, flag)
	c.Notes = append(c.Notes, Note(flag))
}

// CriterionResult is one criterion's score with its evidence.
type CriterionResult struct {
	ID        string  `json:"id"`
	Name      string  `json:"name"`
	Weight    float64 `json:"weight"`
	Required  bool    `json:"required,omitempty"`
	Score     float64 `json:"score"` // 0..1
	Rationale string  `json:"rationale"`
	Evidence  []Quote `json:"evidence,omitempty"`
	Better    string  `json:"better"`
	// LowConfidence is set when a quote the judge gave could not be found in the transcript
	// and was dropped.
	LowConfidence bool `json:"low_confidence,omitempty"`
}

// Quote is a moment of the transcript. At is the start of the line it comes from.
type Quote struct {
	Speaker string        `json:"speaker"`
	At      time.Duration `json:"at"`
	Text    string        `json:"text"`
	// Positive is false for an anti-pattern ("calm down").
	Positive bool   `json:"positive"`
	Note     string `json:"note,omitempty"`
	// Misheard is set when the recognizer was unsure of the quoted line (a confidence below
	// misheardBelow): the line is shown with "(may be misheard)" and never kept as a
	// winning line.
	Misheard bool `json:"misheard,omitempty"`
}

// AtUnknown is the At of a quote whose judge did not say when it was said: verification
// then looks for it in every line of the learner.
const AtUnknown time.Duration = -1

// Practice is one thing to practise next.
type Practice struct {
	Criterion string `json:"criterion"`
	Name      string `json:"name"`
	Why       string `json:"why"`
	Try       string `json:"try"`
}

// Band names a score range for the labeled set and the learner page: low below midAt, high
// from strongAt.
func Band(score float64) string {
	switch {
	case score < midAt:
		return "low"
	case score < strongAt:
		return "mid"
	}
	return "high"
}

// midAt is where the mid band starts: done adequately, not strongly.
const midAt = 0.4

// Holds reports whether a criterion's score clears the bar a required one must for the call
// to pass: the mid band as the card shows it (a whole percent), where trainers put a
// required step done adequately on a call they pass. A learner never reads "40%" beside a
// failed gate.
func Holds(score float64) bool { return math.Round(score*100) >= 100*midAt }
