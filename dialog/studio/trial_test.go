package studio_test

import (
	"context"
	"errors"
	"testing"

	"github.com/sparlab/spar/dialog/store"
	"github.com/sparlab/spar/dialog/studio"
)

// TestTrialTicket: "Try it" gives a ticket for a clean version, draft or not, that names the
// version and the trainer; a version with problems, or one that does not exist, gets none,
// and an unknown ticket is ErrNoTrial.
func TestTrialTicket(t *testing.T) {
	ctx := context.Background()
	s, _, _ := newStudio(t)
	v1, err := s.Duplicate(ctx, "double-charge", "refund-try", "tina")
	if err != nil {
		t.Fatal(err)
	}
	tr, err := s.NewTrial(ctx, "refund-try", 0, "tina")
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.Trial(ctx, tr.Ticket)
	if err != nil || got.Scenario != "refund-try" || got.N != 1 || got.By != "tina" || len(got.Ticket) < 20 {
		t.Fatalf("trial = %+v, %v", got, err)
	}
	if p := got.Params(); p[store.ParamScenarioVersion] != "1" || p[store.ParamTrial] != "tina" {
		t.Errorf("params = %v", p)
	}
	if sc, err := s.Scenario(ctx, got.Scenario, got.N); err != nil || sc.Version != 1 {
		t.Errorf("the trial's scenario: %v, %v", sc, err)
	}

	bad, err := studio.SetFields([]byte(v1.YAML), map[string]string{"persona.start_mood": "furious"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Save(ctx, "refund-try", bad, []byte(v1.Rubric), "tina", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := s.NewTrial(ctx, "refund-try", 2, "tina"); !errors.Is(err, studio.ErrProblems) {
		t.Errorf("a trial of a version with problems: %v, want ErrProblems", err)
	}
	if _, err := s.NewTrial(ctx, "refund-try", 9, "tina"); !errors.Is(err, studio.ErrNotFound) {
		t.Errorf("a trial of a missing version: %v, want ErrNotFound", err)
	}
	if _, err := s.Trial(ctx, "NOPE"); !errors.Is(err, studio.ErrNoTrial) {
		t.Errorf("an unknown ticket: %v, want ErrNoTrial", err)
	}
}
