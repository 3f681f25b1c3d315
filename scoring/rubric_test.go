package scoring

import (
	"errors"
	"strings"
	"testing"
)

// TestShippedRubrics: one rubric per shipped scenario, each consistent with it.
func TestShippedRubrics(t *testing.T) {
	rs, cat := shipped(t)
	for _, sc := range cat.List() {
		r, err := rs.Get(sc.ID)
		if err != nil {
			t.Errorf("scenario %s: %v", sc.ID, err)
			continue
		}
		if err := r.CheckScenario(sc); err != nil {
			t.Error(err)
		}
	}
}

func TestParseRubricErrors(t *testing.T) {
	for _, tc := range []struct{ name, yaml, want string }{
		{"unknown key", "scenario: x\npass_mark: 50\ncolour: red\n", "colour"},
		{"no criteria", "scenario: x\npass_mark: 50\n", "no criteria"},
		{"bad pass mark", "scenario: x\npass_mark: 150\ncriteria: [{id: a, name: A, weight: 1, better: [b], behaviours: [greet]}]\n", "pass_mark"},
		{"phrases of its own", "scenario: x\npass_mark: 50\ncriteria: [{id: a, name: A, weight: 1, better: [b], phrases: [hi]}]\n", "name the scenario's behaviours"},
		{"want more than it has", "scenario: x\npass_mark: 50\ncriteria: [{id: a, name: A, weight: 1, better: [b], behaviours: [greet], want: 2}]\n", "want 2"},
		{"outcome without behaviours", "scenario: x\npass_mark: 50\ncriteria: [{id: a, name: A, weight: 1, better: [b], outcome: true, metrics: [{metric: goal, full: 1, zero: 0}]}]\n", "outcome needs behaviours"},
		{"unknown metric", "scenario: x\npass_mark: 50\ncriteria: [{id: a, name: A, weight: 1, better: [b], metrics: [{metric: charm, full: 1, zero: 0}]}]\n", "unknown metric"},
		{"nothing to grade", "scenario: x\npass_mark: 50\ncriteria: [{id: a, name: A, weight: 1, better: [b]}]\n", "nothing to grade"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseRubric("x.yaml", []byte(tc.yaml))
			if !errors.Is(err, ErrInvalidRubric) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want ErrInvalidRubric mentioning %q", err, tc.want)
			}
		})
	}
}

// TestRubricsCheck: a rubric naming a behaviour its scenario lacks is refused at load.
func TestRubricsCheck(t *testing.T) {
	rs, cat := shipped(t)
	if err := rs.Check(cat); err != nil {
		t.Fatalf("shipped rubrics: %v", err)
	}
	r, err := ParseRubric("double-charge.yaml", []byte("scenario: double-charge\npass_mark: 50\n"+
		"criteria: [{id: a, name: A, weight: 1, better: [b], behaviours: [levitate]}]\n"))
	if err != nil {
		t.Fatal(err)
	}
	bad := &Rubrics{byScenario: map[string]*Rubric{"double-charge": r}}
	if err := bad.Check(cat); !errors.Is(err, ErrInvalidRubric) || !strings.Contains(err.Error(), `"levitate"`) {
		t.Errorf("Check = %v, want ErrInvalidRubric naming levitate", err)
	}
}

func TestJudgeWords(t *testing.T) {
	for name, want := range map[string]string{
		"deterministic":   "the offline rules",
		"llm:gpt-4o-mini": "the AI judge (gpt-4o-mini)",
		"llm":             "the AI judge",
		"":                "an unknown judge",
	} {
		if got := JudgeWords(name); got != want {
			t.Errorf("JudgeWords(%q) = %q, want %q", name, got, want)
		}
	}
}
