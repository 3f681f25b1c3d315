package store

import (
	"time"

	"github.com/sparlab/spar/dialog"
)

// Record statuses.
const (
	StatusSealed      = "sealed"      // the call ended normally and its server sealed it
	StatusInterrupted = "interrupted" // its server died mid-call; Recover sealed it from the timeline
)

// ReasonInterrupted is the EndReason of a call sealed by Recover.
const ReasonInterrupted = "interrupted: server stopped mid-call"

// ParamScenarioVersion is the telephony.Info parameter the server sets to the studio version
// of the call's scenario; the record carries it as ScenarioVersion.
const ParamScenarioVersion = "scenario_version"

// ParamTrial is the telephony.Info parameter that marks a trial call: a trainer trying a
// studio version (usually an unpublished draft) from the editor. Its value is the trainer's
// account ID; the record carries it as Trial.
const ParamTrial = "trial"

// Record is a finished call: what the transport knew, how it ended, and the transcript.
// Durations are nanoseconds in JSON, like dialog.Result.
type Record struct {
	ID       string `json:"id"`
	Scenario string `json:"scenario"`
	// ScenarioVersion is the studio version of the scenario the call ran against (see
	// ParamScenarioVersion); 0 for a file scenario.
	ScenarioVersion int `json:"scenario_version,omitempty"`
	// Trial is the account ID of the trainer who placed this call to try a studio version
	// (see ParamTrial); "" for a practice call. Trials count in no learner's progress.
	Trial      string             `json:"trial,omitempty"`
	Learner    string             `json:"learner"`
	Transport  string             `json:"transport"`
	ExternalID string             `json:"external_id,omitempty"`
	From       string             `json:"from,omitempty"`
	To         string             `json:"to,omitempty"`
	Status     string             `json:"status"`
	Node       string             `json:"node"`
	Started    time.Time          `json:"started"`
	Ended      time.Time          `json:"ended"`
	Duration   time.Duration      `json:"duration"`
	EndReason  string             `json:"end_reason"`
	Recording  string             `json:"recording,omitempty"`
	Transcript []dialog.Utterance `json:"transcript"`
	FinalMood  int                `json:"final_mood"`
	FinalStage string             `json:"final_stage"`
	Goal       bool               `json:"goal"`
	Turns      int                `json:"turns"`
	// Latency is each answered turn's latency split by stage (empty for interrupted calls).
	Latency []dialog.TurnLatency `json:"latency,omitempty"`
	// Events is the number of timeline entries written (the stream may be trimmed shorter).
	Events int64 `json:"events"`
	// Dropped counts events lost because the call's buffer was full while Redis was
	// unreachable; non-zero means the timeline has gaps.
	Dropped int64 `json:"dropped,omitempty"`
}
