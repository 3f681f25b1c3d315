package scoring

import (
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
	CallID   string    `json:"call_id"`
	Scenario string    `json:"scenario"`
	Learner  string    `json:"learner,omitempty"`
	Rubric   string    `json:"rubric"`
	Judge    string    `json:"judge"`
	ScoredAt time.Time `json:"scored_at"`
	// Overall is the weighted mean of the criteria, 0..100.
	Overall  int  `json:"overall"`
	PassMark int  `json:"pass_mark"`
	Pass     bool `json:"pass"`
	// Flags qualify the score: FlagInterrupted, FlagTimelineGaps, FlagNoTimeline,
	// FlagShortCall, FlagLowConfidence, FlagJudgeFallback.
	Flags        []string          `json:"flags,omitempty"`
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
)

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
}

// Practice is one thing to practise next.
type Practice struct {
	Criterion string `json:"criterion"`
	Name      string `json:"name"`
	Why       string `json:"why"`
	Try       string `json:"try"`
}

// Band names a score range for the labeled set and the learner page: low below 0.4, high
// from 0.75.
func Band(score float64) string {
	switch {
	case score < 0.4:
		return "low"
	case score < 0.75:
		return "mid"
	}
	return "high"
}
