package scoring

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sparlab/spar/dialog"
)

// TestEvidenceChecked: whatever the judge, a quote must be the learner's own words, three
// words or more (or a whole shorter line), from one line, said when the judge says; a
// failed quote is dropped and its criterion marked low-confidence, and a criterion whose
// evidence all failed gets no credit. A real quote gets the line's own timestamp.
func TestEvidenceChecked(t *testing.T) {
	learner := func(at time.Duration, text string) Quote {
		return Quote{Speaker: "learner", At: at, Text: text, Positive: true}
	}
	real := learner(18*time.Second, "Being charged twice, right before your rent is due!")
	for _, tc := range []struct {
		name     string
		evidence []Quote
		score    float64
		want     []time.Duration // the kept quotes' timestamps
		low      bool
	}{
		{"real quote", []Quote{real}, 0.9, []time.Duration{17700 * time.Millisecond}, false},
		{"inside the line's span", []Quote{learner(25*time.Second, "right before your rent is due")}, 0.9, []time.Duration{17700 * time.Millisecond}, false},
		{"within 2 s after the line", []Quote{learner(27*time.Second, "i'd be worried too")}, 0.9, []time.Duration{17700 * time.Millisecond}, false},
		{"timestamp not given", []Quote{learner(AtUnknown, "that's really stressful")}, 0.9, []time.Duration{17700 * time.Millisecond}, false},
		{"whole short line", []Quote{learner(100*time.Second, "Anything else?")}, 0.9, []time.Duration{100 * time.Second}, false},
		{"short line said twice", []Quote{learner(AtUnknown, "okay great")}, 0.9, []time.Duration{99 * time.Second}, false},
		{"score clamped", []Quote{real}, 1.4, []time.Duration{17700 * time.Millisecond}, false},
		{"invented", []Quote{learner(27*time.Second, "I'm deeply sorry for everything")}, 1, nil, true},
		{"persona line", []Quote{{Speaker: "persona", At: 41 * time.Second, Text: "it's dana reyes dana dot reyes", Positive: true}}, 1, nil, true},
		{"persona line claimed as the learner's", []Quote{learner(41*time.Second, "it's dana reyes dana dot reyes")}, 1, nil, true},
		{"one word", []Quote{learner(18*time.Second, "stressful")}, 1, nil, true},
		{"two words", []Quote{learner(18*time.Second, "oh no")}, 1, nil, true},
		{"across two lines", []Quote{learner(26*time.Second, "i'd be worried too i'm sorry that's our mistake")}, 1, nil, true},
		{"wrong timestamp", []Quote{learner(99*time.Second, "Being charged twice, right before your rent is due")}, 1, nil, true},
		{"just over 2 s before the line", []Quote{learner(15500*time.Millisecond, "Being charged twice, right before your rent is due")}, 1, nil, true},
		{"one of two fails: the score stays", []Quote{real, learner(99*time.Second, "that's our mistake")}, 0.8, []time.Duration{17700 * time.Millisecond}, true},
		{"invented praise beside a real anti-pattern", []Quote{learner(99*time.Second, "i will refund you right now"),
			{Speaker: "learner", At: 18 * time.Second, Text: "that's really stressful", Positive: false}}, 0.8, []time.Duration{17700 * time.Millisecond}, true},
		{"anti-pattern invented too", []Quote{{Speaker: "learner", At: 30 * time.Second, Text: "calm down ma'am please", Positive: false}}, 0.4, nil, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := dcGoodCall(t)
			c.Record.Transcript = append(c.Record.Transcript,
				dialog.Utterance{Speaker: dialog.SpeakerLearner, Text: "okay great", Start: 99 * time.Second, End: 99500 * time.Millisecond},
				dialog.Utterance{Speaker: dialog.SpeakerLearner, Text: "anything else", Start: 100 * time.Second, End: 101 * time.Second},
				dialog.Utterance{Speaker: dialog.SpeakerLearner, Text: "okay great", Start: 102 * time.Second, End: 103 * time.Second})
			j := JudgeFunc(func(context.Context, *Call) ([]CriterionResult, error) {
				return []CriterionResult{{ID: "acknowledge", Score: tc.score, Rationale: "the judge's reason", Evidence: tc.evidence}}, nil
			})
			card, err := Score(context.Background(), j, "fake", c, time.Unix(0, 0))
			if err != nil {
				t.Fatal(err)
			}
			ack := card.Criteria[0]
			var got []time.Duration
			for _, q := range ack.Evidence {
				got = append(got, q.At)
			}
			if !slices.Equal(got, tc.want) || ack.LowConfidence != tc.low {
				t.Errorf("kept quotes at %v, low confidence %v; want %v, %v", got, ack.LowConfidence, tc.want, tc.low)
			}
			positive := slices.ContainsFunc(ack.Evidence, func(q Quote) bool { return q.Positive })
			switch {
			case !positive && slices.ContainsFunc(tc.evidence, func(q Quote) bool { return q.Positive }):
				if ack.Score != 0 || ack.Rationale != unverified {
					t.Errorf("no positive quote verified, yet score %v rationale %q; want 0, %q", ack.Score, ack.Rationale, unverified)
				}
			case len(tc.want) == 0 && (ack.Score != 0 || ack.Rationale != unverified):
				t.Errorf("no evidence verified, yet score %v rationale %q; want 0, %q", ack.Score, ack.Rationale, unverified)
			case len(tc.want) > 0 && (ack.Score != min(tc.score, 1) || ack.Rationale != "the judge's reason"):
				t.Errorf("score %v rationale %q; want the judge's %v (at most 1) and reason", ack.Score, ack.Rationale, tc.score)
			}
			if !slices.Contains(card.Flags, FlagLowConfidence) || !slices.Contains(card.Notes, Note(FlagLowConfidence)) {
				t.Errorf("flags %v notes %q; want low_confidence (criteria were skipped) with its note", card.Flags, card.Notes)
			}
			if cr := card.Criteria[1]; cr.Score != 0 || !cr.LowConfidence {
				t.Errorf("criterion the judge skipped: %+v; want 0, low confidence", cr)
			}
			if card.Pass {
				t.Error("a card missing required criteria passed")
			}
		})
	}
}

// TestMisheardQuote: a quote from a line the recognizer was unsure of (confidence below 0.6;
// 0 is unknown) is marked misheard, says so wherever it is shown, is never kept as a
// winning line, and flags the card with a note in plain words.
func TestMisheardQuote(t *testing.T) {
	for _, tc := range []struct {
		name       string
		confidence float64
		misheard   bool
	}{
		{"unsure", 0.41, true},
		{"at the threshold", 0.6, false},
		{"sure", 0.93, false},
		{"unknown", 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := dcGoodCall(t)
			for i, u := range c.Record.Transcript {
				if u.Start == 17700*time.Millisecond {
					c.Record.Transcript[i].Confidence = tc.confidence
				}
			}
			j := JudgeFunc(func(context.Context, *Call) ([]CriterionResult, error) {
				return []CriterionResult{
					{ID: "acknowledge", Score: 1, Rationale: "named the worry", Evidence: []Quote{
						{Speaker: "learner", At: 18 * time.Second, Text: "being charged twice right before your rent is due", Positive: true}}},
					{ID: "apologize_own", Score: 0.9, Rationale: "owned it", Evidence: []Quote{
						{Speaker: "learner", At: 27 * time.Second, Text: "that's our mistake", Positive: true}}},
				}, nil
			})
			card, err := Score(context.Background(), j, "fake", c, time.Unix(0, 0))
			if err != nil {
				t.Fatal(err)
			}
			if q := card.Criteria[0].Evidence[0]; q.Misheard != tc.misheard {
				t.Errorf("quote %+v: misheard %v, want %v", q, q.Misheard, tc.misheard)
			}
			if card.Criteria[1].Evidence[0].Misheard {
				t.Errorf("a line of unknown confidence marked misheard")
			}
			if got := slices.Contains(card.Flags, FlagMisheard) && slices.Contains(card.Notes, Note(FlagMisheard)); got != tc.misheard {
				t.Errorf("flags %v notes %q; want the misheard flag and note: %v", card.Flags, card.Notes, tc.misheard)
			}
			if len(card.Notes) != len(card.Flags) {
				t.Errorf("%d notes for %d flags", len(card.Notes), len(card.Flags))
			}
			if got := strings.HasSuffix(card.Strengths[0], "(may be misheard)"); got != tc.misheard {
				t.Errorf("strength %q; want it marked (may be misheard): %v", card.Strengths[0], tc.misheard)
			}
			var b bytes.Buffer
			if err := WriteText(&b, card); err != nil {
				t.Fatal(err)
			}
			if got := strings.Contains(b.String(), `rent is due" (may be misheard)`); got != tc.misheard {
				t.Errorf("spar score's evidence marked misheard: %v, want %v\n%s", got, tc.misheard, b.String())
			}
			if tc.misheard && !strings.Contains(b.String(), "note: "+Note(FlagMisheard)) {
				t.Errorf("spar score does not print the note:\n%s", b.String())
			}
			for _, w := range card.WinningLines {
				if strings.Contains(w.Text, "rent is due") && tc.misheard {
					t.Errorf("a misheard line kept as a winning line: %+v", w)
				}
			}
		})
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
