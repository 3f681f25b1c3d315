package store

import (
	"time"

	"github.com/sparlab/spar/dialog"
)

// fromTimeline is what Recover learns from a dead call's timeline.
type fromTimeline struct {
	transcript []dialog.Utterance
	duration   time.Duration // the latest moment the timeline reaches
	mood       int
	stage      string
	turns      int // learner.said events, but for those that join the line before
}

// rebuild reconstructs the transcript and final state from timeline events. The transcript
// is dialog.TranscriptOf, the very builder the engine sealed its transcript with, so a
// recovered call reads as it would have had it been sealed at that point.
func rebuild(events []dialog.Event) fromTimeline {
	out := fromTimeline{transcript: dialog.TranscriptOf(events)}
	for _, e := range events {
		out.duration = max(out.duration, e.At)
		switch e.Kind {
		case dialog.EventLearnerSaid:
			if e.Data[dialog.DataJoined] != "true" {
				out.turns++
			}
		case dialog.EventPersonaHeard:
			out.duration = max(out.duration, e.At+e.Dur)
		case dialog.EventMood:
			out.mood = e.Mood
		case dialog.EventStage:
			out.stage = e.Stage
		}
	}
	if len(out.transcript) == 0 {
		out.transcript = nil
	}
	return out
}
