package twilio

import (
	"errors"
	"net/http"
	"strings"
	"testing"
)

// TestAdmit checks the stream refusals name their cause: ErrBusy at the cap (telephony's
// TestDrainCap covers the counting), ErrDraining once draining.
func TestAdmit(t *testing.T) {
	s := &Server{cfg: Config{MaxCalls: 1}}
	if err := s.admit(); err != nil {
		t.Fatalf("first stream: %v", err)
	}
	if err := s.admit(); !errors.Is(err, ErrBusy) {
		t.Fatalf("second stream: %v, want ErrBusy", err)
	}
	s.calls.Done()
	if err := s.admit(); err != nil {
		t.Errorf("a freed line was not reused: %v", err)
	}
	s.Drain()
	if err := s.admit(); !errors.Is(err, ErrDraining) {
		t.Errorf("admit while draining: %v, want ErrDraining", err)
	}
}

// TestMaxCalls fills the only line: the next caller hears the busy message and a stream
// without a webhook gets 503, while the live call goes on untouched.
func TestMaxCalls(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.MaxCalls = 1 })
	p, _, err := h.dial(t, testToken)
	if err != nil {
		t.Fatal(err)
	}
	p.connectedAndStart(mulaw8k)
	live := <-h.calls

	w := serve(h.srv, postForm(h.ts.URL, PathVoice, callForm("+14155550100", "+15550001111"), testToken))
	body := w.Body.String()
	if w.Code != http.StatusOK || !strings.Contains(body, "All practice lines are busy") || !strings.Contains(body, "<Hangup") ||
		strings.Contains(body, "<Connect") {
		t.Fatalf("webhook at the cap: %d %s", w.Code, body)
	}
	_, resp, err := h.dial(t, testToken)
	if err == nil || resp == nil || resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("second stream: err %v, resp %v; want 503", err, resp)
	}
	if resp.Header.Get("Retry-After") == "" {
		t.Error("503 without Retry-After")
	}

	// The live call still carries audio and ends only when its caller hangs up.
	p.media(20, sineMulaw(1))
	if got := <-live.rec.audio; len(got) != 320 {
		t.Fatalf("live call audio: %d samples", len(got))
	}
	p.stop()
	if err := <-h.ended; !errors.Is(err, ErrStopped) {
		t.Fatalf("live call ended with %v, want ErrStopped", err)
	}
}

func TestMaxCallsValidate(t *testing.T) {
	c := testConfig(public)
	c.MaxCalls = -1
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "max_calls") {
		t.Fatalf("negative max_calls: %v", err)
	}
}
