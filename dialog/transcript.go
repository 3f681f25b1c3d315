package dialog

import (
	"slices"
	"strings"
	"sync"
	"time"
)

// DataTurn is the Event.Data key naming the persona turn (a number, in call order) that a
// persona.says, persona.heard or turn.cancelled event belongs to.
const DataTurn = "turn"

// unheardWord is how long a persona line that the timeline never confirmed as heard (the
// server died while it played) is taken to last per word: about 150 words a minute.
const unheardWord = 400 * time.Millisecond

// TranscriptBuilder builds a call's transcript from its timeline events, in the order they
// were logged. The engine feeds it every event it logs and seals what it returns; Recover
// feeds it a dead call's stored timeline. So a recovered transcript is the one sealing would
// have produced from the same events.
//
// The lines come from three events: learner.said (At is the end of the line, Dur its
// length), persona.heard (At is the start of what was played, Dur its length, Text what the
// learner heard) and, for a turn the timeline never confirmed, its persona.says sentences,
// joined into one line heard in full. A turn.cancelled drops its turn's sentences. A
// learner.said marked DataJoined replaces the learner's previous line.
// Sentences of a turn already confirmed or cancelled are ignored.
type TranscriptBuilder struct {
	mu       sync.Mutex
	lines    []Utterance
	pending  map[string]*pendingTurn // by turn
	order    []string                // pending turns, first logged first
	resolved map[string]bool         // turns confirmed (heard) or cancelled
}

// pendingTurn is a persona turn whose sentences were logged but not yet confirmed as heard.
type pendingTurn struct {
	start time.Duration
	text  []string
}

// Add takes the next event of the timeline.
func (b *TranscriptBuilder) Add(e Event) {
	b.mu.Lock()
	defer b.mu.Unlock()
	turn := e.Data[DataTurn]
	switch e.Kind {
	case EventLearnerSaid:
		u := Utterance{
			Speaker: SpeakerLearner, Text: e.Text, Start: max(0, e.At-e.Dur), End: e.At,
			Truncated: e.Data["truncated"] == "true", Confidence: ParseConfidence(e.Data[DataConfidence]),
		}
		if e.Data[DataJoined] == "true" {
			// The whole line: it replaces the part the engine had taken for the line.
			for i := len(b.lines) - 1; i >= 0; i-- {
				if b.lines[i].Speaker == SpeakerLearner {
					b.lines[i] = u
					return
				}
			}
		}
		b.lines = append(b.lines, u)
	case EventPersonaSays:
		if b.resolved[turn] && turn != "" {
			return // a sentence that raced its turn's end
		}
		if b.pending == nil {
			b.pending = map[string]*pendingTurn{}
		}
		p, ok := b.pending[turn]
		if !ok {
			p = &pendingTurn{start: e.At}
			b.pending[turn] = p
			b.order = append(b.order, turn)
		}
		p.text = append(p.text, e.Text)
	case EventPersonaHeard:
		start := max(0, e.At)
		b.lines = append(b.lines, Utterance{
			Speaker: SpeakerPersona, Text: e.Text, Start: start, End: start + max(0, e.Dur),
			Truncated: e.Data["truncated"] == "true",
		})
		b.resolve(turn)
	case EventTurnCancelled:
		b.resolve(turn)
	}
}

func (b *TranscriptBuilder) resolve(turn string) {
	if b.resolved == nil {
		b.resolved = map[string]bool{}
	}
	b.resolved[turn] = true
	if _, ok := b.pending[turn]; ok {
		delete(b.pending, turn)
		b.order = slices.DeleteFunc(b.order, func(t string) bool { return t == turn })
	}
	if turn == "" {
		b.resolved[turn] = false // timelines without turn numbers: each heard ends one turn
	}
}

// Transcript returns the lines so far, ordered by start (a learner's line is logged when it
// ends, a persona's when it has been played). Turns not yet confirmed count as heard in
// full.
func (b *TranscriptBuilder) Transcript() []Utterance {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := slices.Clone(b.lines)
	for _, turn := range b.order {
		p := b.pending[turn]
		text := strings.Join(p.text, " ")
		words := time.Duration(max(1, len(strings.Fields(text))))
		out = append(out, Utterance{Speaker: SpeakerPersona, Text: text, Start: p.start, End: p.start + words*unheardWord})
	}
	slices.SortStableFunc(out, func(a, b Utterance) int {
		switch {
		case a.Start < b.Start:
			return -1
		case a.Start > b.Start:
			return 1
		}
		return 0
	})
	return out
}

// TranscriptOf is the transcript of a whole timeline (see TranscriptBuilder).
func TranscriptOf(events []Event) []Utterance {
	var b TranscriptBuilder
	for _, e := range events {
		b.Add(e)
	}
	return b.Transcript()
}
