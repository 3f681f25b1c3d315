package media

import (
	"testing"
	"time"
)

// TestTalkspurts: the first packet and the first after a pause of two frames or more start a
// talkspurt, and a pause skips its frames less the one the packet follows on from.
func TestTalkspurts(t *testing.T) {
	var ts Talkspurts
	t0 := time.Unix(100, 0)
	for i, step := range []struct {
		at     time.Duration
		skip   uint32
		marker bool
	}{
		{0, 0, true},                      // first packet
		{20 * time.Millisecond, 0, false}, // paced
		{39 * time.Millisecond, 0, false}, // a little early: still the same spurt
		{79 * time.Millisecond, 1, true},  // 40 ms later: one frame skipped
		{99 * time.Millisecond, 0, false},
		{1099 * time.Millisecond, 49, true}, // a second of silence
	} {
		skip, marker := ts.Next(t0.Add(step.at))
		if skip != step.skip || marker != step.marker {
			t.Errorf("packet %d at %v: skip %d, marker %v; want %d, %v", i, step.at, skip, marker, step.skip, step.marker)
		}
	}
	if ts.Count() != 3 {
		t.Errorf("%d talkspurts, want 3", ts.Count())
	}
}
