package persona

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/sparlab/spar/dialog"
	"github.com/sparlab/spar/dialog/scenario"
)

// speech handles one learner turn: detect, move the mood, move the stage or objection, and
// choose the reply. It returns the reply as pieces, each one or more sentences.
func (p *Scripted) speech(in dialog.Input) []string {
	sc := p.sc
	p.silences = 0
	heard := p.det.Understand(in.Text)
	found := heard.Found
	p.history = append(p.history, found)

	var reasons []string
	delta, react, reactMag, reactCalms := 0.0, "", 0.0, false
	if why := heard.Why(); why != "" {
		// Kind words recited or said with a sneer are worse than none.
		delta += sc.Mood.TalkedOver * sc.Mood.Drift
		reasons = append(reasons, why)
		if _, ok := sc.Lines.Reactions[scriptedReaction]; ok {
			react, reactMag = scriptedReaction, sc.Mood.TalkedOver*sc.Mood.Drift
		}
	}
	for _, name := range found {
		b, _ := sc.Behaviour(name)
		p.uses[name]++
		eff := b.Mood
		if p.uses[name] > 1 {
			eff = b.Repeat
		}
		scaled := p.scale(eff)
		delta += scaled
		switch {
		case p.uses[name] == 1 || b.Mood > 0:
			reasons = append(reasons, b.Label)
		case eff > 0:
			reasons = append(reasons, b.Label+" again (grating)")
		case eff == 0:
			reasons = append(reasons, b.Label+" again (no effect)")
		default:
			reasons = append(reasons, b.Label+" again")
		}
		// A reaction fits only an effect of the behaviour's own kind: an apology repeated
		// until it grates gets no thank-you.
		fits := b.Mood > 0 && eff > 0 || b.Mood < 0 && eff < 0
		if _, ok := sc.Lines.Reactions[name]; ok && fits && math.Abs(scaled) > reactMag {
			react, reactMag, reactCalms = name, math.Abs(scaled), scaled < 0
		}
	}
	if in.Interrupted {
		delta += sc.Mood.TalkedOver * sc.Mood.Drift
		reasons = append(reasons, "talked over the persona")
	}
	if at := sc.Turns.PersonaBargeIn.AfterTalk; at > 0 && in.TalkTime > at {
		delta += sc.Mood.Monologue * sc.Mood.Drift
		reasons = append(reasons, fmt.Sprintf("talked for %s without a break", in.TalkTime.Round(1e9)))
	}
	if len(found) == 0 && heard.Why() == "" {
		p.idle++
		delta += sc.Mood.Idle * sc.Mood.Drift
		reasons = append(reasons, "said nothing the persona could use")
	} else {
		p.idle = 0
	}
	// One turn calms the persona a bounded amount, however many kind words it stacks; a
	// torrent of provocations is not bounded (one rude line can end a call).
	p.mood = p.clamp(p.mood + max(-sc.Mood.MaxStep, delta))

	var pieces []string
	if p.CutIn(in.Text, in.TalkTime) {
		pieces = append(pieces, p.pick("interrupted", sc.Lines.Interrupted))
	}
	reaction := func() string { return p.pick("reaction/"+react, sc.Lines.Reactions[react]) }

	if p.moodInt() >= sc.Mood.HangupAt {
		p.end(dialog.EndWalkedOut, strings.Join(reasons, "; "))
		if react != "" {
			pieces = append(pieces, reaction())
		}
		return append(pieces, p.pick("hangup_angry", sc.Lines.HangupAngry))
	}

	mv := p.advance()
	reasons = append(reasons, mv.reasons...)
	why := strings.Join(reasons, "; ")
	ender := p.endsCall(found)
	switch {
	case mv.goal:
		p.end("resolved", why+"; goal reached")
		p.state.Goal = true
		return append(pieces, mv.yields, p.pick("goodbye_resolved", sc.Lines.GoodbyeResolved))
	case !mv.progressed && ender.EndsCall:
		p.end(dialog.EndConversation+": "+ender.Label, why)
		return append(pieces, p.pick("goodbye", sc.Lines.Goodbye))
	}
	p.state.Reason = why

	// A kind word's reaction is left out when the yield of the objection it handled already
	// answers it. Otherwise it leads the reply, before the line of a stage just earned.
	if reactCalms && slices.Contains(mv.handledBy, react) {
		react = ""
	}
	enter := mv.enter
	main := mv.raised
	switch {
	case main != "":
		// An objection was just raised. Only a statement may come before it: a question
		// would go unanswered.
		if strings.HasSuffix(enter, "?") {
			enter = ""
		}
	case p.pending: // the learner has not handled it yet
		o := p.active[p.obj]
		main = p.pick("again/"+o.ID, firstNonEmpty(o.Again, o.Says))
	case enter != "":
		main, enter = enter, ""
	case p.ranAhead() && len(sc.Lines.Stages[p.stageName()][scenario.EarlyKey]) > 0:
		// The learner did a later stage's work, but this stage may not be skipped.
		main = p.pick("early/"+p.stageName(), sc.Lines.Stages[p.stageName()][scenario.EarlyKey])
	case react != "" && reactCalms, react != "" && !mv.entered:
		// The reaction answers the learner; the stage's question on top would sound like a
		// script.
	default:
		main = p.stageLine()
		if p.idle >= 2 {
			pieces = append(pieces, p.pick("repeat_question", sc.Lines.RepeatQuestion))
		}
	}
	var said string
	if react != "" {
		said = reaction()
	}
	if reactCalms {
		return append(pieces, mv.yields, said, enter, main)
	}
	return append(pieces, said, mv.yields, enter, main)
}

// unansweredTurns is how many learner turns an objection waits for an answer before the
// persona lets it go.
const unansweredTurns = 2

// scriptedReaction is the reaction said to a turn that sounded scripted or sarcastic, when
// the scenario has one.
const scriptedReaction = "scripted_empathy"

// move is what one learner turn did to the stages and objections.
type move struct {
	progressed, goal, entered bool
	yields, raised            string   // the handled objection's yield, the objection raised
	enter                     string   // the line for a stage the learner just earned
	handledBy                 []string // behaviours that handled the objection
	reasons                   []string
}

// advance settles the pending objection, then walks the stages as far as the learner's
// work allows: a stage passes when its requirement (or its skip) holds and the mood is low
// enough, after raising its objections one at a time.
func (p *Scripted) advance() move {
	sc := p.sc
	var mv move
	handled := false
	if p.pending {
		o := p.active[p.obj]
		switch {
		case p.met(o.HandledBy, p.raisedAt):
			p.pending = false
			p.obj++
			mv.progressed, handled = true, true
			mv.yields = p.pick("yields/"+o.ID, o.Yields)
			mv.handledBy = slices.Concat(o.HandledBy.All, o.HandledBy.Any)
			mv.reasons = append(mv.reasons, "handled objection: "+o.ID)
		case len(p.history)-p.raisedAt >= unansweredTurns:
			// A real prospect moves on, annoyed, rather than repeating himself forever: the
			// conversation must stay winnable by what comes next.
			p.pending = false
			p.obj++
			p.mood = p.clamp(p.mood + sc.Mood.Idle*sc.Mood.Drift)
			mv.reasons = append(mv.reasons, "let go of unanswered objection: "+o.ID)
		}
	}
	enterAt := -1 // the stage entered after the last one this turn's words completed
	lastInOrder := -1
	before := p.history[:len(p.history)-1]
	for !p.pending {
		st := sc.Stages[p.stage]
		own := p.met(st.Advance, 0)
		skip := !own && !st.Skip.Empty() && p.met(st.Skip, 0)
		if !own && !skip || p.moodInt() > st.MaxMood {
			break
		}
		if p.obj < len(p.active) && p.active[p.obj].Stage == st.Name {
			o := p.active[p.obj]
			if !handled && p.met(o.HandledBy, p.metSince(st)) {
				// The learner answered it before it was asked (since the stage's work was
				// done): credit, no question. One answer handles one objection: generic
				// handling must not clear two at once.
				handled = true
				p.obj++
				mv.progressed = true
				mv.reasons = append(mv.reasons, "pre-empted objection: "+o.ID)
				continue
			}
			p.pending, p.raisedAt = true, len(p.history)
			mv.raised = p.pick("says/"+o.ID, o.Says)
			mv.progressed = true
			mv.reasons = append(mv.reasons, "raised objection: "+o.ID)
			break
		}
		if p.stage == len(sc.Stages)-1 {
			mv.goal = true
			break
		}
		switch {
		case skip:
			// After a jump, a stage's line would answer a question nobody asked.
			enterAt, lastInOrder = -1, -1
			mv.reasons = append(mv.reasons, "skipped "+st.Name+" (already done)")
		case !p.metIn(st.Advance, before):
			enterAt = p.stage + 1
		default:
			lastInOrder = p.stage + 1
		}
		p.stage++
		mv.entered, mv.progressed = true, true
		mv.reasons = append(mv.reasons, "moved to "+sc.Stages[p.stage].Name)
	}
	// The line for the stage this turn's words earned answers the learner; failing that
	// (the stage opened once an objection was settled), the line of the stage entered last.
	at := enterAt
	if at < 0 && lastInOrder == p.stage {
		at = lastInOrder
	}
	if at >= 0 {
		name := sc.Stages[at].Name
		mv.enter = p.pick("enter/"+name, sc.Lines.Stages[name][scenario.EnterKey])
	}
	return mv
}

// scale weighs a mood effect by the difficulty: provocations by Drift, calming by Recovery.
func (p *Scripted) scale(eff float64) float64 {
	if eff > 0 {
		return eff * p.sc.Mood.Drift
	}
	return eff * p.sc.Mood.Recovery
}

// met reports whether a requirement holds over the learner turns from turn from on.
func (p *Scripted) met(r scenario.Requirement, from int) bool {
	return p.metIn(r, p.history[min(from, len(p.history)):])
}

// metIn reports whether a requirement holds over the given learner turns.
func (p *Scripted) metIn(r scenario.Requirement, turns [][]string) bool {
	for _, name := range r.All {
		if !slices.ContainsFunc(turns, func(t []string) bool { return slices.Contains(t, name) }) {
			return false
		}
	}
	n := 0
	for _, t := range turns {
		if slices.ContainsFunc(r.Any, func(name string) bool { return slices.Contains(t, name) }) {
			n++
		}
	}
	return n >= r.Min
}

// endsCall returns the first behaviour in found that ends the call, or the zero Behaviour.
func (p *Scripted) endsCall(found []string) scenario.Behaviour {
	for _, name := range found {
		if b, _ := p.sc.Behaviour(name); b.EndsCall {
			return b
		}
	}
	return scenario.Behaviour{}
}

// metSince returns the learner turn in which stage st's requirement (or its skip) first
// held: what the learner said from then on can answer the stage's objections before they
// are raised.
func (p *Scripted) metSince(st scenario.Stage) int {
	first := len(p.history) - 1
	reqs := []scenario.Requirement{st.Advance}
	if !st.Skip.Empty() {
		reqs = append(reqs, st.Skip)
	}
	for _, r := range reqs {
		for k := range first {
			if p.metIn(r, p.history[:k+1]) {
				first = k
				break
			}
		}
	}
	return first
}

// ranAhead reports whether the learner has met the requirement of a later stage (not the
// last one: "anything else?" is not a resolution) while the persona waits in this one.
func (p *Scripted) ranAhead() bool {
	for i := p.stage + 1; i < len(p.sc.Stages)-1; i++ {
		if r := p.sc.Stages[i].Advance; !r.Empty() && p.met(r, 0) {
			return true
		}
	}
	return false
}
