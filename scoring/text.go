package scoring

import (
	"fmt"
	"io"
	"strings"
)

// WriteText prints a scorecard for a terminal (`spar score`).
func WriteText(w io.Writer, c *Scorecard) error {
	var b strings.Builder
	verdict := "FAIL"
	if c.Pass {
		verdict = "PASS"
	}
	fmt.Fprintf(&b, "%s  %s  %d/100 (pass mark %d)  %s\n", c.CallID, c.Scenario, c.Overall, c.PassMark, verdict)
	writeFlags(&b, c)
	m := c.Metrics
	fmt.Fprintf(&b, "talk ratio %.0f%%  pace %.0f wpm  questions %d open / %d closed  fillers %.1f/100  latency %s  final mood %d  goal %v\n\n",
		100*m.TalkRatio, m.WordsPerMinute, m.OpenQuestions, m.ClosedQuestions, m.FillersPer100, m.LatencyMedian, m.FinalMood, m.Goal)
	for _, cr := range c.Criteria {
		low := ""
		if cr.LowConfidence {
			low = " (low confidence)"
		}
		fmt.Fprintf(&b, "%3.0f%%  %s  [weight %g]%s\n      %s\n", 100*cr.Score, cr.Name, cr.Weight, low, cr.Rationale)
		for _, q := range cr.Evidence {
			mark := "+"
			if !q.Positive {
				mark = "-"
			}
			fmt.Fprintf(&b, "      %s %s %q%s\n", mark, clock(q.At), q.Text, misheardMark(q))
		}
		if cr.Score < 1 {
			fmt.Fprintf(&b, "      try: %q\n", cr.Better)
		}
	}
	if len(c.Strengths) > 0 {
		fmt.Fprintf(&b, "\nstrengths:\n")
		for _, s := range c.Strengths {
			fmt.Fprintf(&b, "  - %s\n", s)
		}
	}
	fmt.Fprintf(&b, "\npractise next:\n")
	for _, p := range c.PractiseNext {
		fmt.Fprintf(&b, "  - %s: try %q\n", p.Name, p.Try)
	}
	if len(c.WinningLines) > 0 {
		fmt.Fprintf(&b, "\nwinning lines:\n")
		for _, q := range c.WinningLines {
			fmt.Fprintf(&b, "  %s %q (%s)\n", clock(q.At), q.Text, q.Note)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}
