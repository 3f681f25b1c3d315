package store

import (
	"cmp"
	"slices"
	"time"

	"github.com/sparlab/spar/dialog"
)

// fromTimeline is what Recover learns from a dead call's timeline.
type fromTimeline struct {
	transcript []dialog.Utterance
	duration   time.Duration // At of the latest event
	mood       int
	stage      string
	turns      int // learner.said events
}

// rebuild reconstructs the transcript and final state from timeline events. The learner's
// lines are learner.said events (At is the end of the utterance, Dur its length, and
// Data["confidence"] the recognizer's confidence, when it gave one). The
// persona's lines are persona.heard events, which carry what was actually played; a
// persona.says that no persona.heard followed (the server died while it played) counts as
// heard in full.
func rebuild(events []dialog.Event) fromTimeline {
	var (
		out     fromTimeline
		pending *dialog.Event // persona.says awaiting its persona.heard
	)
	says := func(e dialog.Event) {
		out.transcript = append(out.transcript, dialog.Utterance{
			Speaker: dialog.SpeakerPersona, Text: e.Text, Start: e.At, End: e.At + e.Dur,
		})
	}
	for i := range events {
		e := events[i]
		out.duration = max(out.duration, e.At)
		switch e.Kind {
		case dialog.EventLearnerSaid:
			out.turns++
			out.transcript = append(out.transcript, dialog.Utterance{
				Speaker: dialog.SpeakerLearner, Text: e.Text, Start: max(0, e.At-e.Dur), End: e.At,
				Confidence: dialog.ParseConfidence(e.Data[dialog.DataConfidence]),
			})
		case dialog.EventPersonaSays:
			if pending != nil {
				says(*pending)
			}
			pending = &events[i]
		case dialog.EventPersonaHeard:
			u := dialog.Utterance{
				Speaker: dialog.SpeakerPersona, Text: e.Text, Start: e.At - e.Dur, End: e.At,
				Truncated: e.Data["truncated"] == "true",
			}
			if pending != nil {
				u.Start = pending.At
				pending = nil
			}
			u.Start = max(0, u.Start)
			out.transcript = append(out.transcript, u)
		case dialog.EventMood:
			out.mood = e.Mood
		case dialog.EventStage:
			out.stage = e.Stage
		}
	}
	if pending != nil {
		says(*pending)
	}
	// A learner's line is logged when it ends, a persona's when it starts: order by start.
	slices.SortStableFunc(out.transcript, func(a, b dialog.Utterance) int {
		return cmp.Compare(a.Start, b.Start)
	})
	return out
}
