package scoring

import (
	"fmt"
	"strings"
	"time"
)

// clock formats media time as m:ss, as the learner page and `spar score` show it.
func clock(d time.Duration) string {
	s := int(d.Round(time.Second) / time.Second)
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}

func absDur(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}

// writeFlags prints the card's flags and, under them, what they mean in plain words (the
// notes of a card stored before notes were kept are taken from its flags).
func writeFlags(b *strings.Builder, c *Scorecard) {
	if len(c.Flags) == 0 {
		return
	}
	fmt.Fprintf(b, "flags: %s\n", strings.Join(c.Flags, ", "))
	notes := c.Notes
	if len(notes) == 0 {
		for _, f := range c.Flags {
			notes = append(notes, Note(f))
		}
	}
	for _, n := range notes {
		fmt.Fprintf(b, "  note: %s\n", n)
	}
}
