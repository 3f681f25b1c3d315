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
