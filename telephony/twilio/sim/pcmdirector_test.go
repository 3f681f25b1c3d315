package sim

import (
	"testing"
	"time"

	"github.com/sparlab/spar/media"
)

// TestPCMDirectorSkipsDTMF checks the browser director plays PCM, skips keypad steps (no
// keypad in a browser) and hangs up at the end of the script.
func TestPCMDirectorSkipsDTMF(t *testing.T) {
	clip := make([]int16, 3*320)
	for i := range clip {
		clip[i] = 8000
	}
	sc := Script{quick(Step{DTMF: "12"}), quick(Step{Say: "hi"}), {Hangup: true}}
	d := NewPCMDirector(sc, [][]int16{nil, clip, nil}, 40*time.Millisecond, time.Second, nil)
	dst := make([]int16, 320)
	loud, hung := 0, false
	for n := range 200 {
		now := time.Duration(n) * media.FrameDuration
		if d.Frame(now, dst) {
			hung = true
			break
		}
		if dst[0] != 0 {
			loud++
		}
	}
	if !hung || loud != 3 {
		t.Fatalf("hung up %v after %d loud frames; want a hang-up after 3", hung, loud)
	}
	turns := d.Turns()
	if len(turns) != 2 || turns[0].Kind != "dtmf" || turns[0].End != turns[0].Start || turns[1].Kind != "say" {
		t.Errorf("turns %+v; want an instant dtmf then the line", turns)
	}
}
