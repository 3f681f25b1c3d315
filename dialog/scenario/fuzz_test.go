package scenario_test

import (
	"testing"
	"testing/fstest"

	"github.com/sparlab/spar/configs"
	"github.com/sparlab/spar/dialog/scenario"
)

// FuzzParse feeds untrusted trainer YAML through everything that reads it: Parse, Validate,
// the detectors, WithDifficulty and Lint must never panic. The committed corpus is in
// testdata/fuzz/FuzzParse; the shipped scenarios are added as seeds.
func FuzzParse(f *testing.F) {
	entries, _ := configs.Scenarios.ReadDir("scenarios")
	for _, e := range entries {
		data, err := configs.Scenarios.ReadFile("scenarios/" + e.Name())
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(minimal))
	f.Fuzz(func(t *testing.T, data []byte) {
		probs := scenario.Lint(fstest.MapFS{"f.yaml": {Data: data}}, "f.yaml")
		s, err := scenario.Parse("f.yaml", data)
		if err != nil {
			if len(probs) == 0 {
				t.Fatalf("Parse failed (%v) but Lint found nothing", err)
			}
			return
		}
		verr := s.Validate()
		if (verr == nil) != (len(probs) == 0) {
			t.Fatalf("Validate = %v but Lint found %d problems", verr, len(probs))
		}
		s.Detector().Detect("I'm so sorry, that's our mistake, refund in five business days")
		s.Phrases()
		if _, err := s.WithDifficulty(scenario.Hard); err != nil {
			t.Fatalf("WithDifficulty after a clean Parse: %v", err)
		}
	})
}

// FuzzUnderstand feeds untrusted learner text (a recognizer's, or a transcript file's) to
// the shipped scenarios' detectors and to question counting: they must never panic, and a
// detector credits only behaviours its scenario has.
func FuzzUnderstand(f *testing.F) {
	for _, s := range []string{"", ",", ",,which", "which,", "so the charge, which is refunded, which",
		"It's nobody's fault.", "I'm sorry for any mix-up on your side, which?", "can I ask, though, how does that work?"} {
		f.Add(s)
	}
	c, err := scenario.Load(configs.Scenarios, "scenarios")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, text string) {
		if open, closed := scenario.CountQuestions(text); open < 0 || closed < 0 {
			t.Fatalf("CountQuestions(%q) = %d, %d", text, open, closed)
		}
		for _, sc := range c.List() {
			for _, b := range sc.Detector().Understand(text).Found {
				if _, ok := sc.Behaviour(b); !ok {
					t.Fatalf("%s: %q credited unknown behaviour %q", sc.ID, text, b)
				}
			}
		}
	})
}
