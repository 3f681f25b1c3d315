package scoring

import (
	"bytes"
	"context"
	"testing"
	"time"
)

// TestWriteTextGolden pins what `spar score` prints for one labeled call.
func TestWriteTextGolden(t *testing.T) {
	rs, cat := shipped(t)
	for _, l := range loadLabeled(t) {
		if l.Name != "rw-dc-mediocre" && l.Name != "rw-cc-good" {
			continue
		}
		t.Run(l.Name, func(t *testing.T) {
			card, err := Score(context.Background(), Deterministic{}, "deterministic", callFor(t, l, rs, cat), time.Unix(0, 0))
			if err != nil {
				t.Fatal(err)
			}
			var b bytes.Buffer
			if err := WriteText(&b, card); err != nil {
				t.Fatal(err)
			}
			golden(t, "testdata/"+l.Name+".scorecard.golden", b.Bytes())
		})
	}
}
