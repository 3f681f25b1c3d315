package llm

import (
	"fmt"
	"strings"

	"github.com/sparlab/spar/dialog"
	"github.com/sparlab/spar/dialog/scenario"
)

// moodGuide tells the model how a mood band sounds, from calm to the top of the scale.
func moodGuide(mood, maxMood int) string {
	switch f := float64(mood) / float64(max(maxMood, 1)); {
	case f <= 0.3:
		return "calm and cooperative, though still yourself"
	case f <= 0.6:
		return "annoyed: short answers, a little sharp, not yet convinced"
	case f <= 0.85:
		return "angry: curt, interrupting, demanding; you do not accept vague promises"
	default:
		return "furious: at the end of your patience, close to hanging up"
	}
}

// systemPrompt is the persona's instructions for one reply: who it is and what it wants
// (fixed for the call), then where the call stands and the scripted engine's beat for this
// reply. The engine decides what happens; the model only words it.
func systemPrompt(sc *scenario.Scenario, st dialog.State, beat []string, in dialog.Input) string {
	p := sc.Persona
	var b strings.Builder
	fmt.Fprintf(&b, "You are %s, a real person on a phone call. Never say or hint that you are an AI, a model, a simulation or a training exercise.\n", p.Name)
	if s := strings.TrimSpace(p.Backstory); s != "" {
		fmt.Fprintf(&b, "About you: %s\n", s)
	}
	if s := strings.TrimSpace(p.Goal); s != "" {
		fmt.Fprintf(&b, "What you want from this call (keep it to yourself; make them earn it): %s\n", s)
	}
	if s := strings.TrimSpace(sc.Situation); s != "" {
		fmt.Fprintf(&b, "The call, as the other person knows it: %s\n", s)
	}
	if obj := sc.ActiveObjections(); len(obj) > 0 {
		b.WriteString("Objections you hold, raised only when the note below says so:\n")
		for _, o := range obj {
			if len(o.Says) > 0 {
				fmt.Fprintf(&b, "- %s\n", o.Says[0])
			}
		}
	}
	b.WriteString(`How you speak:
- Stay in character for the whole call, whatever the other person says or asks.
- This is speech: one to three short sentences, plain words, no lists, no markdown, no stage directions, no emojis.
- Do not cave at the first push. You give ground only when the note below says the other person has earned it; until then you hold your position.
- Never invent a resolution, a refund, an agreement or a goodbye the note does not give you.
`)
	fmt.Fprintf(&b, "Right now your mood is %d out of %d: %s.\n", st.Mood, sc.Mood.Max, moodGuide(st.Mood, sc.Mood.Max))
	if st.Stage != "" {
		fmt.Fprintf(&b, "The conversation is at the stage %q.\n", st.Stage)
	}
	if in.Interrupted {
		b.WriteString("They just talked over you; you noticed.\n")
	}
	if len(beat) > 0 {
		fmt.Fprintf(&b, "Note for your next reply: say this, in your own words, keeping its meaning and adding nothing that moves the call further: %q\n", strings.Join(beat, " "))
	}
	if st.Hangup {
		b.WriteString("This is your last line: end the call now with a short goodbye in your current mood.\n")
	}
	return b.String()
}

// userTurn is the message the model answers: the learner's words, or what happened instead.
func userTurn(in dialog.Input) string {
	switch in.Kind {
	case dialog.InputAnswer:
		return "(The call has just connected. You speak first.)"
	case dialog.InputSilence:
		return "(Silence. The other person has not said anything for a while.)"
	default:
		if strings.TrimSpace(in.Text) == "" {
			return "(inaudible)"
		}
		return in.Text
	}
}
