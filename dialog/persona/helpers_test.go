package persona_test

import (
	"context"
	"strings"
	"testing"

	"github.com/sparlab/spar/configs"
	"github.com/sparlab/spar/dialog"
	"github.com/sparlab/spar/dialog/persona"
	"github.com/sparlab/spar/dialog/scenario"
)

// shipped loads a scenario from configs/scenarios, at its own difficulty or another.
func shipped(t testing.TB, id string, d scenario.Difficulty) *scenario.Scenario {
	t.Helper()
	cat, err := scenario.Load(configs.Scenarios, "scenarios")
	if err != nil {
		t.Fatal(err)
	}
	sc, ok := cat.Get(id)
	if !ok {
		t.Fatalf("no scenario %q", id)
	}
	if d == "" || d == sc.Difficulty {
		return sc
	}
	sc, err = sc.WithDifficulty(d)
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

// turn is one step of a scripted call: learner speech unless Kind says otherwise.
type turn struct {
	say  string
	in   dialog.Input // used when say is empty
	note string
}

type step struct {
	in    dialog.Input
	lines []string
	state dialog.State
}

// play answers the call, then feeds each turn until the persona hangs up.
func play(t testing.TB, sc *scenario.Scenario, seed int64, turns []turn) []step {
	t.Helper()
	p := persona.NewScripted(sc, seed)
	var steps []step
	run := func(in dialog.Input) dialog.State {
		var lines []string
		st, err := p.Respond(context.Background(), in, func(s string) error {
			lines = append(lines, s)
			return nil
		})
		if err != nil {
			t.Fatalf("respond: %v", err)
		}
		steps = append(steps, step{in, lines, st})
		return st
	}
	run(dialog.Input{Kind: dialog.InputAnswer})
	for _, tr := range turns {
		in := tr.in
		if tr.say != "" {
			in = dialog.Input{Kind: dialog.InputSpeech, Text: tr.say}
		}
		if st := run(in); st.Hangup {
			break
		}
	}
	return steps
}

func final(steps []step) dialog.State { return steps[len(steps)-1].state }

func transcript(steps []step) string {
	var b strings.Builder
	for _, s := range steps {
		if s.in.Kind == dialog.InputSpeech {
			b.WriteString("  learner: " + s.in.Text + "\n")
		}
		b.WriteString("  persona: " + strings.Join(s.lines, " | ") + "\n")
		b.WriteString("           mood=" + itoa(s.state.Mood) + " stage=" + s.state.Stage +
			" reason=" + s.state.Reason + "\n")
	}
	return b.String()
}

func itoa(n int) string {
	if n < 0 {
		return "-" + itoa(-n)
	}
	if n < 10 {
		return string(rune('0' + n))
	}
	return itoa(n/10) + string(rune('0'+n%10))
}

func says(lines ...string) []turn {
	out := make([]turn, len(lines))
	for i, l := range lines {
		out[i] = turn{say: l}
	}
	return out
}

func scenarioDifficulty(s string) scenario.Difficulty { return scenario.Difficulty(s) }
