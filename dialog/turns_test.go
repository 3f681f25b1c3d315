package dialog

import (
	"testing"
	"time"
)

// TestEndSilenceAfterPartial: the partial transcript picks the silence that ends the turn.
// Text that reads as complete gets EndSilenceComplete, a trailing word half as much again as
// EndSilence, no text EndSilence; without EndSilenceComplete the older rule holds.
func TestEndSilenceAfterPartial(t *testing.T) {
	tu := DefaultTurns()
	tu.EndSilence, tu.EndSilenceComplete = 700*time.Millisecond, 350*time.Millisecond
	for text, want := range map[string]time.Duration{
		"":                                     700 * time.Millisecond,
		"i was charged twice and":              1050 * time.Millisecond,
		"let me check so":                      1050 * time.Millisecond,
		"um":                                   1050 * time.Millisecond,
		"it's because":                         1050 * time.Millisecond,
		"nobody helped me at all":              350 * time.Millisecond,
		"I want that money back.":              350 * time.Millisecond,
		"i called last week":                   350 * time.Millisecond,
		"i can refund it now but it takes the": 1050 * time.Millisecond,
	} {
		if got := tu.endSilenceAfter(text, false); got != want {
			t.Errorf("EndSilenceComplete set: after %q: %v, want %v", text, got, want)
		}
	}
	tu.EndSilenceComplete = 0
	for text, want := range map[string]time.Duration{
		"I want that money back.": 560 * time.Millisecond,
		"i called last week":      700 * time.Millisecond,
		"and so":                  1050 * time.Millisecond,
	} {
		if got := tu.endSilenceAfter(text, false); got != want {
			t.Errorf("older rule: after %q: %v, want %v", text, got, want)
		}
	}
}

// TestTurnsValidateEndSilenceComplete: the shorter end silence is at least 100 ms and never
// longer than EndSilence; zero turns it off.
func TestTurnsValidateEndSilenceComplete(t *testing.T) {
	for d, ok := range map[time.Duration]bool{
		0: true, 50 * time.Millisecond: false, 350 * time.Millisecond: true,
		700 * time.Millisecond: true, 800 * time.Millisecond: false,
	} {
		tu := DefaultTurns()
		tu.EndSilenceComplete = d
		if err := tu.Validate(); (err == nil) != ok {
			t.Errorf("EndSilenceComplete %v: Validate() = %v", d, err)
		}
	}
}

// TestTurnsValidateResumeWithin: zero turns joining off; it is never negative nor past 5 s.
func TestTurnsValidateResumeWithin(t *testing.T) {
	for d, ok := range map[time.Duration]bool{
		-time.Millisecond: false, 0: true, time.Second: true, 5 * time.Second: true, 6 * time.Second: false,
	} {
		tu := DefaultTurns()
		tu.ResumeWithin = d
		if err := tu.Validate(); (err == nil) != ok {
			t.Errorf("ResumeWithin %v: Validate() = %v", d, err)
		}
	}
}

// TestStaleInterimNeverShortens: a partial from a recognizer behind the audio may still
// lengthen the end silence (a trailing word) but not shorten it.
func TestStaleInterimNeverShortens(t *testing.T) {
	tu := DefaultTurns()
	tu.EndSilence, tu.EndSilenceComplete = 700*time.Millisecond, 350*time.Millisecond
	if got := tu.endSilenceAfter("hi you", true); got != 700*time.Millisecond {
		t.Errorf("stale complete-looking partial: %v, want end_silence", got)
	}
	if got := tu.endSilenceAfter("i was charged twice and", true); got != 1050*time.Millisecond {
		t.Errorf("stale trailing partial: %v, want end_silence x1.5", got)
	}
}
