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
	found := p.det.Detect(in.Text)
	p.history = append(p.history, found)

	var reasons []string
	delta, react, reactMag, reactCalms := 0.0, "", 0.0, false
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
		// Provocations get a reaction every time; kind words only the first time, so the
		// persona does not thank the learner twice for the same thing.
		fresh := eff > 0 || eff < 0 && p.uses[name] == 1
		if _, ok := sc.Lines.Reactions[name]; ok && fresh && math.Abs(scaled) > reactMag {
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
	if len(found) == 0 {
		p.idle++
		delta += sc.Mood.Idle * sc.Mood.Drift
		reasons = append(reasons, "said nothing the persona could use")
	} else {
		p.idle = 0
	}
	p.mood = p.clamp(p.mood + delta)

	var pieces []string
	if p.CutIn(in.Text, in.TalkTime) {
		pieces = append(pieces, p.pick("interrupted", sc.Lines.Interrupted))
	}
	reaction := ""
	if react != "" {
		reaction = p.pick("reaction/"+react, sc.Lines.Reactions[react])
	}

	if p.moodInt() >= sc.Mood.HangupAt {
		p.end("caller hung up: mood at maximum", strings.Join(reasons, "; "))
		return append(pieces, reaction, p.pick("hangup_angry", sc.Lines.HangupAngry))
	}

	progressed, goal, handled := false, false, false
	entered, inOrder := false, false // inOrder: the stage was entered by meeting the one before
	yields, main := "", ""
	if p.pending {
		o := p.active[p.obj]
		if p.met(o.HandledBy, p.raisedAt) {
			p.pending = false
			p.obj++
			progressed, handled = true, true
			yields = p.pick("yields/"+o.ID, o.Yields)
			reasons = append(reasons, "handled objection: "+o.ID)
		}
	}
	for !p.pending {
		st := sc.Stages[p.stage]
		own := p.met(st.Advance, 0)
		skip := !own && !st.Skip.Empty() && p.met(st.Skip, 0)
		if !own && !skip || p.moodInt() > st.MaxMood {
			break
		}
		if p.obj < len(p.active) && p.active[p.obj].Stage == st.Name {
			o := p.active[p.obj]
			if !handled && p.met(o.HandledBy, len(p.history)-1) {
				// The learner answered it before it was asked: credit, no question. One
				// answer handles one objection: generic handling must not clear two at once.
				handled = true
				p.obj++
				progressed = true
				reasons = append(reasons, "pre-empted objection: "+o.ID)
				continue
			}
			p.pending, p.raisedAt = true, len(p.history)
			main = p.pick("says/"+o.ID, o.Says)
			progressed = true
			reasons = append(reasons, "raised objection: "+o.ID)
			break
		}
		if p.stage == len(sc.Stages)-1 {
			goal = true
			break
		}
		if skip {
			reasons = append(reasons, "skipped "+st.Name+" (already done)")
		}
		p.stage++
		entered, inOrder, progressed = true, own, true
		reasons = append(reasons, "moved to "+sc.Stages[p.stage].Name)
	}

	why := strings.Join(reasons, "; ")
	switch {
	case goal:
		p.end("resolved", why+"; goal reached")
		p.state.Goal = true
		return append(pieces, yields, p.pick("goodbye_resolved", sc.Lines.GoodbyeResolved))
	case !progressed && p.endsCall(found):
		b := p.endsCallBehaviour(found)
		p.end("conversation ended: "+b.Label, why)
		return append(pieces, p.pick("goodbye", sc.Lines.Goodbye))
	}
	p.state.Reason = why

	// The line said on entering a stage answers what earned it; it is said only when the
	// stage was earned in order (after a skip it would answer a question nobody asked).
	// Before a freshly raised objection only a statement fits: a question would go unanswered.
	enter, enterSaid := "", false
	if entered && inOrder {
		enter = p.pick("enter/"+p.stageName(), sc.Lines.Stages[p.stageName()][scenario.EnterKey])
		if main != "" && strings.HasSuffix(enter, "?") {
			enter = ""
		}
	}
	switch {
	case main != "": // an objection was just raised
	case p.pending: // the learner has not handled it yet
		o := p.active[p.obj]
		main = p.pick("again/"+o.ID, firstNonEmpty(o.Again, o.Says))
	case enter != "":
		main, enter = enter, ""
		enterSaid = true
	case p.ranAhead() && len(sc.Lines.Stages[p.stageName()][scenario.EarlyKey]) > 0:
		// The learner did a later stage's work, but this stage may not be skipped.
		main = p.pick("early/"+p.stageName(), sc.Lines.Stages[p.stageName()][scenario.EarlyKey])
	case reaction != "" && !entered:
		// The reaction answers the learner; repeating the stage's question on top would
		// sound like a script.
	default:
		main = p.stageLine()
		if p.idle >= 2 {
			pieces = append(pieces, p.pick("repeat_question", sc.Lines.RepeatQuestion))
		}
	}
	if reactCalms && (yields != "" || enter != "" || enterSaid) {
		// The objection's own answer, or the line that greets the new stage, already says
		// what a generic thank-you would.
		reaction = ""
	}
	return append(pieces, reaction, yields, enter, main)
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

// scale weighs a mood effect by the difficulty: provocations by Drift, calming by Recovery.
func (p *Scripted) scale(eff float64) float64 {
	if eff > 0 {
		return eff * p.sc.Mood.Drift
	}
	return eff * p.sc.Mood.Recovery
}

// met reports whether a requirement holds over the learner turns from turn from on.
func (p *Scripted) met(r scenario.Requirement, from int) bool {
	turns := p.history[min(from, len(p.history)):]
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

func (p *Scripted) endsCall(found []string) bool {
	return p.endsCallBehaviour(found).EndsCall
}

func (p *Scripted) endsCallBehaviour(found []string) scenario.Behaviour {
	for _, name := range found {
		if b, _ := p.sc.Behaviour(name); b.EndsCall {
			return b
		}
	}
	return scenario.Behaviour{}
}
