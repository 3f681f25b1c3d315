package scoring

import (
	"context"
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sparlab/spar/dialog"
)

var (
	update = flag.Bool("update", false, "rewrite golden files")
	// show prints the scorecards of the tuning half's calls (and their phone copies) whose name contains it, with
	// each line as the detector read it: go test ./scoring -run TestLabeledSet -v -show dc-warm.
	// Held-out calls are never shown, so nobody tunes on them by accident.
	show = flag.String("show", "", "print the scorecards of tune-half calls whose name contains this")
)

// halves are the folders of testdata/labeled. The rules are tuned on tune only; heldout is
// never edited to make a result pass; phone holds both halves' learner lines as heard
// through the phone path (flite -> 8 kHz mu-law -> pocketsphinx).
var halves = []string{"tune", "heldout", "phone"}

// scoredLabel is one labeled call with the deterministic scorecard it got.
type scoredLabel struct {
	l    *labeled
	card *Scorecard
}

func scoreHalf(t *testing.T, half string) []scoredLabel {
	t.Helper()
	rs, cat := shipped(t)
	var out []scoredLabel
	for _, l := range loadHalf(t, half) {
		card, err := Score(context.Background(), Deterministic{}, "deterministic", callFor(t, l, rs, cat), time.Unix(0, 0))
		if err != nil {
			t.Fatalf("%s/%s: %v", half, l.Name, err)
		}
		out = append(out, scoredLabel{l, card})
	}
	return out
}

// TestAdversarial holds the scorer to the calls written to fool it (keyword stuffing,
// negation, sarcasm, polite but never resolving, silence, one-word answers): every tuning
// one, and its phone copy, must fail, and no quote on any labeled card may be one the
// transcript does not hold. Held-out adversarial calls are measured, not asserted: a test
// that fails on a held-out call can only be made to pass by tuning on it. Their result is
// the held-out "adversarial failed" line of testdata/agreement.golden, which TestLabeledSet
// holds to (a change shows as a golden diff) and docs/SCORING.md reports.
func TestAdversarial(t *testing.T) {
	n := 0
	for _, half := range halves {
		if _, err := os.Stat("testdata/labeled/" + half); err != nil {
			continue
		}
		for _, s := range scoreHalf(t, half) {
			if slices.Contains(s.card.Flags, FlagLowConfidence) {
				t.Errorf("%s/%s: a quote could not be verified:\n%s", half, s.l.Name, fmtCard(s.card))
			}
			if s.l.Level != "adversarial" {
				continue
			}
			if half != "phone" { // phone copies are the same calls heard through the phone path
				n++
			}
			switch {
			case !s.card.Pass:
			case half == "heldout" || s.l.Source == "heldout":
				t.Logf("held out: %s/%s passed with %d (measured in agreement.golden)", half, s.l.Name, s.card.Overall)
			default:
				t.Errorf("%s/%s (%s) passed with %d:\n%s", half, s.l.Name, s.l.Expect.Why, s.card.Overall, fmtCard(s.card))
			}
		}
	}
	// Written so far: eight for the two support scenarios, four for the clinic, four for the cold call.
	if n < 15 {
		t.Errorf("%d adversarial transcripts, want at least 15", n)
	}
}

// TestLabeledSet writes the agreement report (testdata/agreement.golden, quoted in
// docs/SCORING.md; `make agreement` prints it) and holds the tuning half to what it reached.
func TestLabeledSet(t *testing.T) {
	var report strings.Builder
	for _, half := range halves {
		if _, err := os.Stat("testdata/labeled/" + half); err != nil {
			continue
		}
		scored := scoreHalf(t, half)
		if *show != "" && half != "heldout" {
			showCards(t, scored)
		}
		a := agree(scored)
		a.write(&report, half)
		// A regression guard at what the tuning half reached, not a target.
		if half == "tune" && a.pass*100 < 90*a.n {
			t.Errorf("tuning half: pass/fail agreement %d/%d is under 90 %%", a.pass, a.n)
		}
	}
	golden(t, "testdata/agreement.golden", []byte(report.String()))
}

// agreement tallies how far the scorer agrees with the labels of one half.
type agreement struct {
	n, pass               int
	confusion             [2][2]int // [labeled pass][scored pass]
	bands, near, bandsAll int
	perCriterion          map[string]*[2]int // agreed, labeled
	adversarial, advFail  int
	rows                  []string
}

var bandRank = map[string]int{"low": 0, "mid": 1, "high": 2}

func agree(set []scoredLabel) agreement {
	a := agreement{perCriterion: map[string]*[2]int{}}
	for _, s := range set {
		l, card := s.l, s.card
		a.n++
		if card.Pass == l.Expect.Pass {
			a.pass++
		}
		a.confusion[b2i(l.Expect.Pass)][b2i(card.Pass)]++
		if l.Level == "adversarial" {
			a.adversarial++
			if !card.Pass {
				a.advFail++
			}
		}
		var misses []string
		for _, cr := range card.Criteria {
			want, ok := l.Expect.Bands[cr.ID]
			if !ok {
				continue
			}
			key := l.Scenario + "/" + cr.ID
			if a.perCriterion[key] == nil {
				a.perCriterion[key] = &[2]int{}
			}
			a.perCriterion[key][1]++
			a.bandsAll++
			got := Band(cr.Score)
			if got == want {
				a.bands++
				a.perCriterion[key][0]++
			} else {
				misses = append(misses, fmt.Sprintf("%s=%s(labeled %s)", cr.ID, got, want))
			}
			if d := bandRank[got] - bandRank[want]; d >= -1 && d <= 1 {
				a.near++
			}
		}
		mark := " "
		if card.Pass != l.Expect.Pass {
			mark = "x"
		}
		a.rows = append(a.rows, fmt.Sprintf("%s %-30s %-11s %-5s overall %3d pass %-5v (labeled %-5v) band misses: %s",
			mark, l.Name, l.Level, l.Noise, card.Overall, card.Pass, l.Expect.Pass, strings.Join(misses, " ")))
	}
	return a
}

func (a agreement) write(w *strings.Builder, half string) {
	fmt.Fprintf(w, "== %s: n=%d (%d labeled pass, %d labeled fail, %d adversarial)\n", half, a.n,
		a.confusion[1][0]+a.confusion[1][1], a.confusion[0][0]+a.confusion[0][1], a.adversarial)
	fmt.Fprintf(w, "pass/fail agreement: %d/%d (%s)\n", a.pass, a.n, pct(a.pass, a.n))
	fmt.Fprintf(w, "confusion: labeled pass -> scored pass %d, fail %d; labeled fail -> scored pass %d, fail %d\n",
		a.confusion[1][1], a.confusion[1][0], a.confusion[0][1], a.confusion[0][0])
	fmt.Fprintf(w, "adversarial failed: %d/%d\n", a.advFail, a.adversarial)
	fmt.Fprintf(w, "per-criterion band agreement: %d/%d (%s); within one band: %d/%d (%s)\n",
		a.bands, a.bandsAll, pct(a.bands, a.bandsAll), a.near, a.bandsAll, pct(a.near, a.bandsAll))
	keys := make([]string, 0, len(a.perCriterion))
	for k := range a.perCriterion {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		fmt.Fprintf(w, "  %-36s %d/%d\n", k, a.perCriterion[k][0], a.perCriterion[k][1])
	}
	for _, r := range a.rows {
		fmt.Fprintln(w, r)
	}
	fmt.Fprintln(w)
}

func pct(a, b int) string {
	if b == 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.0f %%", 100*float64(a)/float64(b))
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if string(want) != string(got) {
		t.Errorf("%s differs from the result (run go test -update to accept):\n%s", path, got)
	}
}

// showCards logs the scorecards and detector readings of the calls -show names.
func showCards(t *testing.T, set []scoredLabel) {
	rs, cat := shipped(t)
	for _, s := range set {
		if !strings.Contains(s.l.Name, *show) || s.l.Source == "heldout" {
			continue
		}
		c := callFor(t, s.l, rs, cat)
		var b strings.Builder
		fmt.Fprintf(&b, "%s: labeled pass %v %v\n  %s\n%s", s.l.Name, s.l.Expect.Pass, s.l.Expect.Bands, s.l.Expect.Why, fmtCard(s.card))
		for _, u := range c.Record.Transcript {
			if u.Speaker != dialog.SpeakerLearner {
				fmt.Fprintf(&b, "    P  %s\n", u.Text)
				continue
			}
			turn := c.Scenario.Detector().Understand(u.Text)
			fmt.Fprintf(&b, "    L  %s\n         -> %v heard %v %s\n", u.Text, turn.Found, turn.Heard, turn.Why())
		}
		t.Log(b.String())
	}
}
