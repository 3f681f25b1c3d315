package webtest

import (
	"testing"
	"time"
)

// pollEvery is how often Poll checks its condition.
const pollEvery = 50 * time.Millisecond

// Poll checks cond every 50 ms until it holds, failing the test after within. It is for
// conditions outside the test's control: a browser, a server in another process.
func Poll(t testing.TB, what string, within time.Duration, cond func() bool) {
	t.Helper()
	if !poll(within, cond) {
		t.Fatalf("timed out after %v waiting for %s", within, what)
	}
}

// poll reports whether cond came to hold within the time given.
func poll(within time.Duration, cond func() bool) bool {
	deadline := time.NewTimer(within)
	defer deadline.Stop()
	tick := time.NewTicker(pollEvery)
	defer tick.Stop()
	for !cond() {
		select {
		case <-deadline.C:
			return false
		case <-tick.C:
		}
	}
	return true
}
