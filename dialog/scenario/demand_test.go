package scenario_test

import (
	"testing"

	"github.com/sparlab/spar/configs"
	"github.com/sparlab/spar/dialog/scenario"
)

// TestDemand: a persona line, reworded or not, raises the objection whose line it carries;
// only an objection one behaviour answers is a demand, and an again line says so.
func TestDemand(t *testing.T) {
	type demand struct {
		Objection, Answer string
		Again             bool
	}
	cat, err := scenario.Load(configs.Scenarios, "scenarios")
	if err != nil {
		t.Fatal(err)
	}
	hard, _ := cat.Get("double-charge-hard")
	cold, _ := cat.Get("cold-call-vendor")
	read := func(sc *scenario.Scenario, text string) (demand, bool) {
		o, again, ok := sc.Raises(text)
		if !ok {
			return demand{}, false
		}
		answer, ok := o.HandledBy.Only()
		if !ok {
			return demand{}, false
		}
		return demand{o.ID, answer, again}, true
	}
	for _, tc := range []struct {
		sc       *scenario.Scenario
		text     string
		want     demand
		isDemand bool
	}{
		{hard, "Right. And my bank charged me a twenty-five pound overdraft fee because of you. Who pays that?",
			demand{Objection: "overdraft_fee", Answer: "compensate"}, true},
		{hard, "i want all that in writing today and a name not a team",
			demand{Objection: "in_writing", Answer: "set_expectations"}, true},
		{hard, "The overdraft fee. Are you covering it or not?",
			demand{Objection: "overdraft_fee", Answer: "compensate", Again: true}, true},
		{hard, "Okay, that covers it.", demand{}, false},
		{hard, "I want a refund.", demand{}, false},
		// Raised, but answered by acknowledging and asking together: not a demand.
		{cold, "Alright. Just send me an email and I'll take a look.", demand{}, false},
	} {
		got, ok := read(tc.sc, tc.text)
		if ok != tc.isDemand || got != tc.want {
			t.Errorf("%s: demand of %q = %+v, %v; want %+v, %v", tc.sc.ID, tc.text, got, ok, tc.want, tc.isDemand)
		}
	}
	if o, _, ok := cold.Raises("Alright. Just send me an email and I'll take a look."); !ok || o.ID != "send_email" {
		t.Errorf("Raises(the email brush-off) = %q, %v; want send_email", o.ID, ok)
	}
}

func TestStates(t *testing.T) {
	for text, want := range map[string]bool{
		"we do, it's going back on your card":                 true,
		"which fee is that?":                                  false,
		"sorry, which fee is that?":                           false,
		"what fee are you talking about":                      false,
		"we dated like with twenty five pounds also back now": true,
		"yes": false,
	} {
		if got := scenario.States(text); got != want {
			t.Errorf("States(%q) = %v, want %v", text, got, want)
		}
	}
}

func TestAsks(t *testing.T) {
	for text, want := range map[string]bool{
		"Thursday at two? I'll see.":             true,
		"can you do thursday at two":             true,
		"Thursday, two o'clock. Twenty minutes.": false,
		"Right. I want it in writing.":           false,
	} {
		if got := scenario.Asks(text); got != want {
			t.Errorf("Asks(%q) = %v, want %v", text, got, want)
		}
	}
}
