package twilio

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// fakeTimers replaces Server.afterFunc: timers fire only when the test says.
type fakeTimers struct{ pending []func() }

func (f *fakeTimers) afterFunc(_ time.Duration, fn func()) func() bool {
	i := len(f.pending)
	f.pending = append(f.pending, fn)
	return func() bool { stopped := f.pending[i] != nil; f.pending[i] = nil; return stopped }
}

func (f *fakeTimers) fireAll() {
	for i, fn := range f.pending {
		if fn != nil {
			f.pending[i] = nil
			fn()
		}
	}
}

const otherCallSid = "CAffffffffffffffffffffffffffffffff"

// TestStreamNeedsTicket: a stream becomes a call only with the one-time token of a webhook
// Spar answered, for the same CallSid; everything about the call comes from that webhook's
// decision, never from the stream's parameters.
func TestStreamNeedsTicket(t *testing.T) {
	forged := map[string]string{"call": "cEVIL", "scenario": "cold-call", "learner": "mallory", "from": "+1", "to": "+2"}
	cases := []struct {
		name       string
		params     func(h *harness) map[string]string
		callSid    string
		wantReason string
	}{
		{name: "no webhook, no token", params: func(*harness) map[string]string { return forged }, wantReason: reasonNoToken},
		{name: "made-up token", params: func(*harness) map[string]string {
			p := map[string]string{paramToken: "testtoken9999999"}
			for k, v := range forged {
				p[k] = v
			}
			return p
		}, wantReason: reasonBadToken},
		{name: "malformed token", params: func(*harness) map[string]string { return map[string]string{paramToken: "x\"y"} }, wantReason: reasonBadToken},
		{name: "token of another call", params: func(h *harness) map[string]string { return h.answer(t, otherCallSid) }, wantReason: reasonTokenMismatch},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, nil)
			params := tc.params(h)
			p, _, err := h.dial(t, testToken)
			if err != nil {
				t.Fatal(err)
			}
			p.start(mulaw8k, testCallSid, params)
			if code := p.closeCode(); code != websocket.ClosePolicyViolation {
				t.Fatalf("close code %d, want %d", code, websocket.ClosePolicyViolation)
			}
			if len(h.calls) != 0 {
				t.Fatal("a call started")
			}
			if got := h.srv.Refusals()[tc.wantReason]; got != 1 {
				t.Fatalf("refusals %v, want one %s", h.srv.Refusals(), tc.wantReason)
			}
			if n := h.srv.Active(); n != 0 {
				t.Errorf("%d lines still held after the refusal", n)
			}
		})
	}

	t.Run("parameters come from the webhook, and the token works once", func(t *testing.T) {
		h := newHarness(t, nil)
		params := h.answer(t, testCallSid)
		token := params[paramToken]
		for k, v := range forged { // rewrite everything but the token
			params[k] = v
		}
		p, _, err := h.dial(t, testToken)
		if err != nil {
			t.Fatal(err)
		}
		p.start(mulaw8k, testCallSid, params)
		got := <-h.calls
		i := got.call.Info
		if i.ID != "cTESTCALLID" || i.Scenario != "angry-double-charge" || i.Learner != "alice" ||
			i.From != "+14155550100" || i.ExternalID != testCallSid || i.Params[paramToken] != "" || i.Params["learner"] != "alice" {
			t.Fatalf("info %+v: not what the webhook decided", i)
		}
		// The same token again (a replayed start) is refused while the first call runs.
		p2, _, err := h.dial(t, testToken)
		if err != nil {
			t.Fatal(err)
		}
		p2.start(mulaw8k, testCallSid, map[string]string{paramToken: token})
		if code := p2.closeCode(); code != websocket.ClosePolicyViolation {
			t.Fatalf("replayed token: close code %d", code)
		}
		if n := h.srv.Refusals()[reasonBadToken]; n != 1 {
			t.Fatalf("refusals %v, want one bad_token", h.srv.Refusals())
		}
		p.stop()
		if err := <-h.ended; !errors.Is(err, ErrStopped) {
			t.Fatalf("cause %v", err)
		}
	})
}

// TestWebhookReplay: a signed webhook replayed with the same CallSid is told the lines are
// busy and gets no second stream; another CallSid is answered as usual.
func TestWebhookReplay(t *testing.T) {
	h := newHarness(t, nil)
	timers := &fakeTimers{}
	h.srv.afterFunc = timers.afterFunc
	h.answer(t, testCallSid)
	w := serve(h.srv, postForm(h.ts.URL, PathVoice, callForm("+14155550100", "+15550001111"), testToken))
	if body := w.Body.String(); w.Code != http.StatusOK || strings.Contains(body, "<Connect") || !strings.Contains(body, "<Hangup") {
		t.Fatalf("replayed webhook: %d %s", w.Code, body)
	}
	if n := h.srv.Refusals()[reasonReplayed]; n != 1 {
		t.Fatalf("refusals %v", h.srv.Refusals())
	}
	if n := h.srv.Active(); n != 1 {
		t.Fatalf("%d lines held, want the first call's only", n)
	}
	h.answer(t, otherCallSid)
	timers.fireAll()
}

// TestAdmissionReservesLine: the webhook reserves the line of each call it connects, so a
// caller past the cap hears the busy message even before the first stream has come; a
// reservation whose stream never comes is released after StreamTimeout.
func TestAdmissionReservesLine(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.MaxCalls = 1 })
	timers := &fakeTimers{}
	h.srv.afterFunc = timers.afterFunc

	first := h.answer(t, testCallSid)
	form := callForm("+14155550100", "+15550001111")
	form.Set("CallSid", otherCallSid)
	w := serve(h.srv, postForm(h.ts.URL, PathVoice, form, testToken))
	if body := w.Body.String(); !strings.Contains(body, "All practice lines are busy") || strings.Contains(body, "<Connect") {
		t.Fatalf("second caller while the first's stream is on its way: %s", body)
	}

	// The first call's stream takes its reserved line.
	p, _, err := h.dial(t, testToken)
	if err != nil {
		t.Fatal(err)
	}
	p.start(mulaw8k, testCallSid, first)
	<-h.calls
	timers.fireAll() // its timer was stopped: nothing is released
	if n := h.srv.Active(); n != 1 {
		t.Fatalf("%d lines held during the call, want 1", n)
	}
	p.stop()
	if err := <-h.ended; !errors.Is(err, ErrStopped) {
		t.Fatalf("cause %v", err)
	}
	p.closeCode()
	waitActive(t, h.srv, 0)

	// A connected caller whose stream never comes holds the line until the timeout.
	h.answer(t, "CA00000000000000000000000000000003")
	if n := h.srv.Active(); n != 1 {
		t.Fatalf("%d lines held, want the reservation", n)
	}
	timers.fireAll()
	if n := h.srv.Active(); n != 0 || h.srv.Refusals()[reasonNoStream] != 1 {
		t.Fatalf("after the timeout: %d lines held, refusals %v", n, h.srv.Refusals())
	}
	h.answer(t, "CA00000000000000000000000000000004")
	timers.fireAll()
}

// waitActive waits until the server holds n lines (a stream's handler returns after its
// socket closes).
func waitActive(t *testing.T, s *Server, n int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	for s.Active() != n {
		select {
		case <-ctx.Done():
			t.Fatalf("%d lines held, want %d", s.Active(), n)
		case <-time.After(time.Millisecond):
		}
	}
}

// TestStreamIdleEndsCall: after start the read deadline rolls; a stream that goes silent
// ends its call with ErrStreamIdle instead of holding it forever.
func TestStreamIdleEndsCall(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.IdleTimeout = 50 * time.Millisecond })
	p, _, err := h.dial(t, testToken)
	if err != nil {
		t.Fatal(err)
	}
	p.connectedAndStart(mulaw8k)
	<-h.calls
	select {
	case err := <-h.ended:
		if !errors.Is(err, ErrStreamIdle) {
			t.Fatalf("cause %v, want ErrStreamIdle", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("a silent stream kept its call for 30 s")
	}
}

func TestMemoryTickets(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	m := NewMemoryTickets(func() time.Time { return now })
	ctx := context.Background()
	d := Decision{CallID: "c1", CallSid: testCallSid, Scenario: "s", Learner: "l"}
	if err := m.Issue(ctx, "tok1", d, time.Second, time.Minute); err != nil {
		t.Fatal(err)
	}
	if err := m.Issue(ctx, "tok2", d, time.Second, time.Minute); !errors.Is(err, ErrReplayed) {
		t.Fatalf("second issue for one CallSid: %v", err)
	}
	if got, err := m.Claim(ctx, "tok1"); err != nil || got != d {
		t.Fatalf("claim: %+v %v", got, err)
	}
	if _, err := m.Claim(ctx, "tok1"); !errors.Is(err, ErrNoTicket) {
		t.Fatalf("second claim: %v", err)
	}
	d.CallSid = otherCallSid
	if err := m.Issue(ctx, "tok3", d, time.Second, time.Minute); err != nil {
		t.Fatal(err)
	}
	now = now.Add(2 * time.Second)
	if _, err := m.Claim(ctx, "tok3"); !errors.Is(err, ErrNoTicket) {
		t.Fatalf("expired claim: %v", err)
	}
	now = now.Add(time.Minute)
	if err := m.Issue(ctx, "tok4", d, time.Second, time.Minute); err != nil {
		t.Fatalf("issue after the replay window: %v", err)
	}
}

// TestAwaitingStartCapped: signed upgrades that never send start (a replayed upgrade
// signature) hold at most maxAwaitingStart sockets; the next is refused before the upgrade.
func TestAwaitingStartCapped(t *testing.T) {
	h := newHarness(t, nil)
	peers := make([]*peer, 0, maxAwaitingStart)
	for range maxAwaitingStart {
		p, _, err := h.dial(t, testToken)
		if err != nil {
			t.Fatal(err)
		}
		peers = append(peers, p)
	}
	_, resp, err := h.dial(t, testToken)
	if err == nil || resp == nil || resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("stream %d: err %v, resp %v; want 503", maxAwaitingStart+1, err, resp)
	}
	if n := h.srv.Refusals()[reasonTooManyUnstarted]; n != 1 {
		t.Fatalf("refusals %v", h.srv.Refusals())
	}
	for _, p := range peers {
		p.conn.Close()
	}
}

// downTickets is a ticket store whose backend is unreachable (Redis down).
type downTickets struct{}

var errStoreDown = errors.New("dial tcp 127.0.0.1:6379: connect: connection refused")

func (downTickets) Issue(context.Context, string, Decision, time.Duration, time.Duration) error {
	return errStoreDown
}
func (downTickets) Claim(context.Context, string) (Decision, error) { return Decision{}, errStoreDown }

// TestWebhookTicketStoreDown: when the ticket cannot be stored (Redis down on a multi-node
// setup), the caller hears a spoken apology and a hang-up instead of dead air, the refusal
// is counted, and no line stays reserved.
func TestWebhookTicketStoreDown(t *testing.T) {
	h := newHarness(t, nil)
	h.srv.Tickets = downTickets{}
	w := serve(h.srv, postForm(h.ts.URL, PathVoice, callForm("+14155550100", "+15550001111"), testToken))
	body := w.Body.String()
	if w.Code != http.StatusOK || strings.Contains(body, "<Connect") || !strings.Contains(body, "<Say") ||
		!strings.Contains(body, "cannot take practice calls right now") || !strings.Contains(body, "<Hangup") {
		t.Fatalf("webhook with the ticket store down: %d %s", w.Code, body)
	}
	if n := h.srv.Refusals()[reasonTicketStore]; n != 1 {
		t.Fatalf("refusals %v, want one %s", h.srv.Refusals(), reasonTicketStore)
	}
	if n := h.srv.Active(); n != 0 {
		t.Fatalf("%d lines held after the refusal", n)
	}
}
