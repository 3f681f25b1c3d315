package scoring

import (
	"context"
	"slices"
	"testing"
	"time"
)

// TestEvidenceChecked: whatever the judge, a quote not in the transcript is dropped and its
// criterion marked low-confidence; a real quote gets the line's own timestamp.
func TestEvidenceChecked(t *testing.T) {
	rs, cat := shipped(t)
	var dcGood *labeled
	for _, l := range loadLabeled(t) {
		if l.Name == "rw-dc-good" {
			dcGood = l
		}
	}
	c := callFor(t, dcGood, rs, cat)
	j := JudgeFunc(func(context.Context, *Call) ([]CriterionResult, error) {
		return []CriterionResult{
			{ID: "acknowledge", Score: 0.9, Evidence: []Quote{
				{Speaker: "learner", At: 99 * time.Second, Text: "Being charged twice, right before your rent is due!", Positive: true},
			}},
			{ID: "apologize_own", Score: 1.4, Evidence: []Quote{
				{Speaker: "learner", At: 27 * time.Second, Text: "I'm deeply sorry for everything", Positive: true}, // invented
			}},
			{ID: "verify", Score: 1, Evidence: []Quote{
				{Speaker: "learner", Text: "it's dana reyes", Positive: true}, // the persona said it
			}},
		}, nil
	})
	card, err := Score(context.Background(), j, "fake", c, time.Unix(0, 0))
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]CriterionResult{}
	for _, cr := range card.Criteria {
		byID[cr.ID] = cr
	}
	ack := byID["acknowledge"]
	if len(ack.Evidence) != 1 || ack.Evidence[0].At != 17700*time.Millisecond || ack.LowConfidence {
		t.Errorf("acknowledge evidence = %+v, low %v; want the quote kept at 17.7s", ack.Evidence, ack.LowConfidence)
	}
	for _, id := range []string{"apologize_own", "verify"} {
		if cr := byID[id]; len(cr.Evidence) != 0 || !cr.LowConfidence {
			t.Errorf("%s: evidence %+v low %v; want the quote dropped, low confidence", id, cr.Evidence, cr.LowConfidence)
		}
	}
	if byID["apologize_own"].Score != 1 {
		t.Errorf("score not clamped: %v", byID["apologize_own"].Score)
	}
	if cr := byID["resolve"]; cr.Score != 0 || !cr.LowConfidence {
		t.Errorf("criterion the judge skipped: %+v; want 0, low confidence", cr)
	}
	if !slices.Contains(card.Flags, FlagLowConfidence) {
		t.Errorf("flags %v lack %s", card.Flags, FlagLowConfidence)
	}
	if card.Pass {
		t.Error("a card missing required criteria passed")
	}
}

// TestScorecardShape checks the parts of a deterministic card a learner sees.
func TestScorecardShape(t *testing.T) {
	rs, cat := shipped(t)
	for _, l := range loadLabeled(t) {
		t.Run(l.Name, func(t *testing.T) {
			card, err := Score(context.Background(), Deterministic{}, "deterministic", callFor(t, l, rs, cat), time.Unix(0, 0))
			if err != nil {
				t.Fatal(err)
			}
			if n := len(card.PractiseNext); n < 1 || n > 3 {
				t.Errorf("%d things to practise, want 1 to 3", n)
			}
			for _, cr := range card.Criteria {
				if cr.Better == "" || cr.Rationale == "" {
					t.Errorf("%s: missing better line or rationale", cr.ID)
				}
				if cr.LowConfidence {
					t.Errorf("%s: deterministic evidence not found in the transcript", cr.ID)
				}
			}
			if l.Level == "good" && len(card.WinningLines) == 0 {
				t.Error("a good call has no winning lines")
			}
			if l.Level == "good" && len(card.Strengths) == 0 {
				t.Error("a good call has no strengths")
			}
			if l.Status == "interrupted" && !slices.Contains(card.Flags, FlagInterrupted) {
				t.Errorf("flags %v lack %s", card.Flags, FlagInterrupted)
			}
		})
	}
}
