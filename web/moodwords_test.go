package web

import "testing"

// TestMoodWhy: the persona's reasons reach the pages without stage names or objection IDs.
func TestMoodWhy(t *testing.T) {
	for _, tc := range []struct{ detail, want string }{
		{"apologised; moved to complaint", "apologised"},
		{"moved to investigation", ""},
		{"owned the mistake; skipped investigation (already done); moved to resolution", "owned the mistake"},
		{"handled objection: have_vendor; raised objection: no-time", "answered an objection (have vendor); raised an objection (no time)"},
		{"pre-empted objection: price; let go of unanswered objection: send_email", "answered an objection before it came up (price); let an unanswered objection go (send email)"},
		{"talked for 45s without a break", "talked for 45s without a break"},
		{"", ""},
	} {
		if got := MoodWhy(tc.detail); got != tc.want {
			t.Errorf("MoodWhy(%q) = %q, want %q", tc.detail, got, tc.want)
		}
	}
}
