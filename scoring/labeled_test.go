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
)

var update = flag.Bool("update", false, "rewrite golden files")

// TestLabeledSet scores every hand-labeled transcript with the deterministic judge: pass or
// fail must match the label for every one; per-criterion band agreement is written to
// testdata/agreement.golden (quoted in docs/SCORING.md) and must stay at or above 80 %.
func TestLabeledSet(t *testing.T) {
	rs, cat := shipped(t)
	set := loadLabeled(t)
	if len(set) < 12 {
		t.Errorf("labeled set has %d transcripts, want at least 12", len(set))
	}
	type tally struct{ agree, total int }
	perCriterion := map[string]*tally{}
	var report strings.Builder
	for _, l := range set {
		t.Run(l.Name, func(t *testing.T) {
			c := callFor(t, l, rs, cat)
			card, err := Score(context.Background(), Deterministic{}, "deterministic", c, time.Unix(0, 0))
			if err != nil {
				t.Fatal(err)
			}
			if card.Pass != l.Expect.Pass {
				t.Errorf("pass = %v (overall %d), labeled %v\n%s", card.Pass, card.Overall, l.Expect.Pass, fmtCard(card))
			}
			var misses []string
			for _, cr := range card.Criteria {
				want, ok := l.Expect.Bands[cr.ID]
				if !ok {
					t.Errorf("criterion %s has no expected band", cr.ID)
					continue
				}
				key := l.Scenario + "/" + cr.ID
				if perCriterion[key] == nil {
					perCriterion[key] = &tally{}
				}
				perCriterion[key].total++
				if Band(cr.Score) == want {
					perCriterion[key].agree++
				} else {
					misses = append(misses, fmt.Sprintf("%s=%s(labeled %s)", cr.ID, Band(cr.Score), want))
				}
			}
			fmt.Fprintf(&report, "%-22s %-9s overall %3d pass %-5v (labeled %-5v) band misses: %s\n",
				l.Name, l.Level, card.Overall, card.Pass, l.Expect.Pass, strings.Join(misses, " "))
			if testing.Verbose() {
				t.Log("\n" + fmtCard(card))
			}
		})
	}
	var keys []string
	agree, total := 0, 0
	for k, v := range perCriterion {
		keys = append(keys, k)
		agree += v.agree
		total += v.total
	}
	slices.Sort(keys)
	fmt.Fprintf(&report, "\nper-criterion band agreement (scenario/criterion agreed/labeled):\n")
	for _, k := range keys {
		fmt.Fprintf(&report, "  %-36s %d/%d\n", k, perCriterion[k].agree, perCriterion[k].total)
	}
	fmt.Fprintf(&report, "overall band agreement: %d/%d (%.0f %%)\n", agree, total, 100*float64(agree)/float64(total))
	if float64(agree) < 0.8*float64(total) {
		t.Errorf("band agreement %d/%d is under 80 %%", agree, total)
	}
	golden(t, "testdata/agreement.golden", []byte(report.String()))
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
