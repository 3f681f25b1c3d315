// Package persona holds the personas a learner talks to. Scripted plays a scenario file
// offline and deterministically: it listens for the scenario's behaviours in the learner's
// words, moves a mood up (provocations) or down (good handling), walks the scenario's stages
// and objections, and answers with the scenario's lines.
package persona

import (
	"context"
	"maps"
	"math"
	"math/rand/v2"
	"strconv"
	"sync"
	"time"

	"github.com/sparlab/spar/dialog"
	"github.com/sparlab/spar/dialog/scenario"
	"github.com/sparlab/spar/dialog/sentence"
)

// Scripted is the offline persona of one call. Respond calls are serialized.
type Scripted struct {
	sc       *scenario.Scenario
	det      *scenario.Detector
	triggers []scenario.Phrase
	active   []scenario.Objection

	mu       sync.Mutex
	pcg      *rand.PCG // rng's source, whose state a memory keeps
	rng      *rand.Rand
	last     map[string]int    // variant list -> index said last, so reps don't repeat a line
	said     map[string]uint64 // variant list -> indexes said in this call
	mood     float64
	stage    int
	uses     map[string]int // behaviour -> turns it was used in
	history  [][]string     // behaviours per learner turn
	obj      int            // next objection in active
	pending  bool           // active[obj] has been raised and not handled
	raisedAt int            // first turn that counts towards handling the pending objection
	idle     int            // consecutive turns with nothing relevant
	silences int
	state    dialog.State
	before   *memory // the persona before the last learner turn, for one that takes it back
}

// memory is what a learner turn changes in a Scripted persona.
type memory struct {
	pcg                           rand.PCG
	last                          map[string]int
	said                          map[string]uint64
	uses                          map[string]int
	mood                          float64
	stage, history, obj, raisedAt int
	idle, silences                int
	pending                       bool
	state                         dialog.State
}

func (p *Scripted) remember() *memory {
	return &memory{pcg: *p.pcg, last: maps.Clone(p.last), said: maps.Clone(p.said), uses: maps.Clone(p.uses),
		mood: p.mood, stage: p.stage, history: len(p.history), obj: p.obj, raisedAt: p.raisedAt,
		idle: p.idle, silences: p.silences, pending: p.pending, state: p.state}
}

func (p *Scripted) restore(m *memory) {
	*p.pcg = m.pcg
	p.last, p.said, p.uses = maps.Clone(m.last), maps.Clone(m.said), maps.Clone(m.uses)
	p.mood, p.stage, p.history, p.obj, p.raisedAt = m.mood, m.stage, p.history[:m.history], m.obj, m.raisedAt
	p.idle, p.silences, p.pending, p.state = m.idle, m.silences, m.pending, m.state
}

var _ dialog.Persona = (*Scripted)(nil)

// NewScripted returns a persona for sc. The same scenario, seed and inputs give the same
// lines, so a rep can be replayed.
func NewScripted(sc *scenario.Scenario, seed int64) *Scripted {
	pcg := rand.NewPCG(uint64(seed), 0x5ca1ab1e)
	p := &Scripted{sc: sc, det: sc.Detector(), triggers: sc.BargeInTriggers(), active: sc.ActiveObjections(),
		pcg: pcg, rng: rand.New(pcg)}
	p.reset()
	return p
}

func (p *Scripted) reset() {
	p.last = map[string]int{}
	p.said = map[string]uint64{}
	p.uses = map[string]int{}
	p.mood = float64(p.sc.Persona.StartMood)
	p.stage, p.obj, p.pending, p.raisedAt, p.idle, p.silences = 0, 0, false, 0, 0, 0
	p.history = nil
	p.state = dialog.State{}
	p.before = nil
}

// Detect returns the names of the scenario's behaviours found in text.
func (p *Scripted) Detect(text string) []string { return p.det.Detect(text) }

// CutIn reports whether the persona would cut the learner off: persona barge-in is enabled
// and the learner has talked past the scenario's limit or said a trigger phrase.
func (p *Scripted) CutIn(text string, talk time.Duration) bool {
	b := p.sc.Turns.PersonaBargeIn
	if !b.Enabled {
		return false
	}
	if b.AfterTalk > 0 && talk >= b.AfterTalk {
		return true
	}
	toks := scenario.Tokenize(text)
	for _, t := range p.triggers {
		if t.Match(toks) {
			return true
		}
	}
	return false
}

// Respond reacts to one input and speaks the reply one sentence at a time. The state is
// updated before speaking: if ctx is cancelled (barge-in) the learner still said what they
// said, so the returned state stands alongside ctx's error. An input that goes on with the
// learner's last line (Input.Resumed) first takes that line back: the persona reads the
// whole line as if it had come at once.
func (p *Scripted) Respond(ctx context.Context, in dialog.Input, say func(string) error) (dialog.State, error) {
	p.mu.Lock()
	if in.Kind == dialog.InputSpeech && in.Resumed && p.before != nil {
		p.restore(p.before) // a hang-up on the part taken back is taken back too
	}
	var pieces []string
	switch {
	case p.state.Hangup:
		// The call is over; nothing more to say.
	case in.Kind == dialog.InputAnswer:
		p.reset()
		p.state = dialog.State{Stage: p.stageName(), Reason: "answered"}
		pieces = []string{p.pick("greeting", p.sc.Lines.Greeting)}
	case in.Kind == dialog.InputFault:
		pieces = []string{p.pick("repair", p.sc.Lines.Repair)}
	case in.Kind == dialog.InputSilence:
		pieces = p.silence(in)
	case in.Kind == dialog.InputSpeech:
		p.before = p.remember()
		pieces = p.speech(in)
	}
	p.state.Mood = p.moodInt()
	p.state.Stage = p.stageName()
	st := p.state
	p.mu.Unlock()

	for _, piece := range pieces {
		for _, s := range sentence.Split(piece) {
			if err := ctx.Err(); err != nil {
				return st, err
			}
			if err := say(s); err != nil {
				return st, err
			}
		}
	}
	return st, nil
}

func (p *Scripted) moodInt() int { return int(math.Round(p.mood)) }

func (p *Scripted) stageName() string {
	if len(p.sc.Stages) == 0 {
		return ""
	}
	return p.sc.Stages[p.stage].Name
}

// silence prompts the learner, and hangs up after the scenario's number of prompts.
func (p *Scripted) silence(in dialog.Input) []string {
	n := max(in.Silences, p.silences)
	if n >= p.sc.Turns.SilencePrompts {
		p.end("silence", "no answer after "+plural(n, "prompt"))
		return []string{p.pick("silence_hangup", firstNonEmpty(p.sc.Lines.SilenceHangup, p.sc.Lines.Goodbye, p.sc.Lines.HangupAngry))}
	}
	p.silences = n + 1
	p.mood = p.clamp(p.mood + p.sc.Mood.Silence*p.sc.Mood.Drift)
	p.state.Reason = "left a silence"
	if p.moodInt() >= p.sc.Mood.HangupAt {
		p.end(dialog.EndWalkedOut, "left a silence")
		return []string{p.pick("hangup_angry", p.sc.Lines.HangupAngry)}
	}
	return []string{p.pick("silence", p.sc.Lines.Silence)}
}

func (p *Scripted) end(reason, why string) {
	p.state.Hangup = true
	p.state.EndReason = reason
	p.state.Reason = why
}

func (p *Scripted) clamp(m float64) float64 {
	return math.Max(0, math.Min(float64(p.sc.Mood.Max), m))
}

func firstNonEmpty(lists ...[]string) []string {
	for _, l := range lists {
		if len(l) > 0 {
			return l
		}
	}
	return nil
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return strconv.Itoa(n) + " " + word + "s"
}
