package console

import (
	"testing"
	"time"

	"github.com/sparlab/spar/dialog"
)

// TestMoodMarkers: mood markers say which way the mood went, in words, without the script's
// stage names.
func TestMoodMarkers(t *testing.T) {
	ms := markers([]dialog.Event{
		{Kind: dialog.EventMood, At: time.Second, Mood: 6},
		{Kind: dialog.EventMood, At: 5 * time.Second, Mood: 4, Detail: "apologised"},
		{Kind: dialog.EventMood, At: 9 * time.Second, Mood: 7, Detail: "said \"calm down\"; moved to complaint"},
		{Kind: dialog.EventMood, At: 12 * time.Second, Mood: 7},
	}, nil, 5*time.Second)
	want := []string{"mood starts at 6", "mood eased 6 → 4: apologised", "mood rose 4 → 7: said \"calm down\"", "mood held at 7"}
	if len(ms) != len(want) {
		t.Fatalf("markers %+v", ms)
	}
	for i, m := range ms {
		if m.Label != want[i] {
			t.Errorf("marker %d = %q, want %q", i, m.Label, want[i])
		}
	}
}
