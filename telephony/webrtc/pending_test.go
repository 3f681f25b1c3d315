package webrtc

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/sparlab/spar/telephony"
)

// page is a browser tab: its own cookie jar, so its own guest pass.
type page struct {
	t    *testing.T
	base string
	hc   *http.Client
}

func newPage(t *testing.T, base string) *page {
	jar, _ := cookiejar.New(nil)
	return &page{t: t, base: base, hc: &http.Client{Jar: jar}}
}

// open fetches PathConfig, as the learner page does before it offers.
func (p *page) open() {
	p.t.Helper()
	resp, err := p.hc.Get(p.base + PathConfig)
	if err != nil {
		p.t.Fatal(err)
	}
	resp.Body.Close()
}

// offer posts a static offer that never connects; it returns the status and error text.
func (p *page) offer(sdp string) (int, string) {
	p.t.Helper()
	b, _ := json.Marshal(offerRequest{Scenario: "double-charge", Learner: "Flood", SDP: sdp})
	resp, err := p.hc.Post(p.base+PathOffer, "application/json", strings.NewReader(string(b)))
	if err != nil {
		p.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]string
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out["error"]
}

// TestOfferLimits: an offer needs a signed-in learner or the guest pass the page gets with
// its config; one client has at most MaxPendingPerClient offers connecting, the server at
// most MaxPendingOffers (below MaxCalls), so a flood of offers that never connect cannot
// take every line; a pending offer's slot comes back when its connect timeout ends it.
func TestOfferLimits(t *testing.T) {
	sdp, err := os.ReadFile("testdata/chromium-offer.sdp")
	if err != nil {
		t.Fatal(err)
	}
	cfg := testConfig()
	cfg.RequireSession = true
	cfg.MaxCalls = 6
	cfg.MaxPendingOffers = 3
	cfg.MaxPendingPerClient = 2
	cfg.MaxPendingPerIP = 0 // every page here is 127.0.0.1
	cfg.ConnectTimeout = time.Hour
	hold := func(ctx context.Context, _ *telephony.Call) error { <-ctx.Done(); return nil }
	s, base := startServer(t, cfg, hold)

	t.Run("no session, no offer", func(t *testing.T) {
		p := newPage(t, base)
		if code, msg := p.offer(string(sdp)); code != http.StatusUnauthorized {
			t.Fatalf("offer without a guest pass: %d %s", code, msg)
		}
		_, resp, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(base, "http")+PathSignal, nil)
		if err == nil || resp == nil || resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("signaling socket without a guest pass: %v %v", err, resp)
		}
		forged := newPage(t, base)
		forged.hc.Jar.SetCookies(mustURL(t, base), []*http.Cookie{{Name: GuestCookie, Value: "AAAAAAAAAAAAAAAAAAAAAA.forged"}})
		if code, _ := forged.offer(string(sdp)); code != http.StatusUnauthorized {
			t.Fatalf("offer with a forged guest pass: %d", code)
		}
	})

	a := newPage(t, base)
	a.open()
	t.Run("per client", func(t *testing.T) {
		for i := range 2 {
			if code, msg := a.offer(string(sdp)); code != http.StatusOK {
				t.Fatalf("offer %d: %d %s", i, code, msg)
			}
		}
		if code, _ := a.offer(string(sdp)); code != http.StatusTooManyRequests {
			t.Fatalf("third pending offer of one page: %d, want 429", code)
		}
	})

	t.Run("global cap below the line cap", func(t *testing.T) {
		for i := range 5 { // a flood from fresh guest passes
			f := newPage(t, base)
			f.open()
			code, _ := f.offer(string(sdp))
			if want := http.StatusOK; i == 0 && code != want {
				t.Fatalf("first flood offer: %d", code)
			}
			if i > 0 && code != http.StatusServiceUnavailable {
				t.Fatalf("flood offer %d: %d, want 503 past the pending cap", i, code)
			}
		}
		if p, a := s.Pending(), s.Active(); p != 3 || a != 3 || a >= cfg.MaxCalls {
			t.Fatalf("pending %d, lines %d of %d", p, a, cfg.MaxCalls)
		}
	})
}

// TestPendingOfferReleasedOnConnectTimeout: an offer that never connects gives its slot back
// when ConnectTimeout ends it.
func TestPendingOfferReleasedOnConnectTimeout(t *testing.T) {
	sdp, err := os.ReadFile("testdata/chromium-offer.sdp")
	if err != nil {
		t.Fatal(err)
	}
	cfg := testConfig()
	cfg.RequireSession = true
	cfg.MaxPendingPerClient = 1
	cfg.ConnectTimeout = 100 * time.Millisecond
	s, base := startServer(t, cfg, func(ctx context.Context, _ *telephony.Call) error { <-ctx.Done(); return nil })
	p := newPage(t, base)
	p.open()
	if code, msg := p.offer(string(sdp)); code != http.StatusOK {
		t.Fatalf("offer: %d %s", code, msg)
	}
	waitFor(t, "the connect timeout to free the pending slot", func() bool { return s.Pending() == 0 && s.Active() == 0 })
	if code, msg := p.offer(string(sdp)); code != http.StatusOK {
		t.Fatalf("offer after the timeout: %d %s", code, msg)
	}
}

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// TestPendingCapBelowLines: whatever is configured, pending offers can never hold every line.
func TestPendingCapBelowLines(t *testing.T) {
	for _, tc := range []struct{ maxCalls, maxPending, want int }{
		{100, 16, 16},
		{4, 16, 2},
		{1, 16, 1}, // one line: one offer may connect at a time
		{0, 16, 16},
		{0, 0, 0}, // no caps at all
		{10, 0, 5},
	} {
		s := &Server{cfg: Config{MaxCalls: tc.maxCalls, MaxPendingOffers: tc.maxPending}}
		if got := s.pendingCap(); got != tc.want {
			t.Errorf("max_calls %d, max_pending_offers %d: cap %d, want %d", tc.maxCalls, tc.maxPending, got, tc.want)
		}
	}
}
