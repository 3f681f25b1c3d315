package main

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/sparlab/spar/dialog/store"
	"github.com/sparlab/spar/dialog/store/storetest"
	"github.com/sparlab/spar/telephony"
	twsim "github.com/sparlab/spar/telephony/twilio/sim"
	"github.com/sparlab/spar/telephony/webrtc"
	rtcsim "github.com/sparlab/spar/telephony/webrtc/sim"
	"github.com/sparlab/spar/web/account"
)

type oneScenario string

func (s oneScenario) Title(id string) (string, bool) { return id, id == string(s) }

// TestWebRTCSignedInLearner checks serve's wiring of browser calls to accounts: a learner
// signed in (session cookie or API token) calls under their learner ID, whichever signaling
// the page uses; a guest under the typed name.
func TestWebRTCSignedInLearner(t *testing.T) {
	ctx := t.Context()
	accts, err := account.New(storetest.Redis(t), store.AccountKeys{Prefix: storetest.Prefix(t)}, account.Config{BcryptCost: bcrypt.MinCost}, nil)
	if err != nil {
		t.Fatal(err)
	}
	const pw = "a long enough password"
	if _, err := accts.Create(ctx, account.NewUser{ID: "ada", Name: "Ada Lovelace", Email: "ada@example.com", Role: account.RoleLearner, Password: pw}); err != nil {
		t.Fatal(err)
	}
	sess, err := accts.Login(ctx, "ada@example.com", pw, "127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	token, err := accts.CreateToken(ctx, "ada", "load test")
	if err != nil {
		t.Fatal(err)
	}
	learners := make(chan string, 8)
	cfg := webrtc.DefaultConfig()
	cfg.IncludeLoopback = true
	rtc, err := webrtc.NewServer(cfg, oneScenario("double-charge"), func(ctx context.Context, c *telephony.Call) error {
		learners <- c.Learner
		<-ctx.Done()
		return nil
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer rtc.Close(nil)
	mux := http.NewServeMux()
	registerWebRTC(mux, rtc, accts.Middleware())
	hs := httptest.NewServer(mux)
	defer hs.Close()

	cookie := http.Header{"Cookie": {account.CookieName + "=" + sess.Token}}
	withCSRF := http.Header{"Cookie": cookie["Cookie"], account.CSRFHeader: {sess.CSRF}}
	bearer := http.Header{"Authorization": {"Bearer " + token}}

	t.Run("config", func(t *testing.T) {
		for _, tc := range []struct {
			h          http.Header
			name, csrf string
		}{{cookie, "Ada Lovelace", sess.CSRF}, {nil, "", ""}} {
			var got struct{ Learner, CSRF string }
			if status := getJSON(t, hs.URL+webrtc.PathConfig, tc.h, &got); status != 200 || got.Learner != tc.name || got.CSRF != tc.csrf {
				t.Errorf("config: %d %+v, want learner %q csrf %q", status, got, tc.name, tc.csrf)
			}
		}
	})
	for _, tc := range []struct {
		name    string
		trickle bool
		h       http.Header
		want    string // the learner ID, or "" for a refusal
	}{
		{"websocket with the session cookie", true, cookie, "ada"},
		{"post with the session cookie and CSRF token", false, withCSRF, "ada"},
		{"post with an API token", false, bearer, "ada"},
		{"post with the session cookie but no CSRF token", false, cookie, ""},
		{"websocket as a guest", true, nil, "guest:Typed Name"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
			defer cancel()
			_, err := rtcsim.Run(cctx, rtcsim.Config{BaseURL: hs.URL, Scenario: "double-charge", Learner: "Typed Name",
				Header: tc.h, Trickle: tc.trickle, Loopback: true, GreetTimeout: time.Millisecond,
				Script: twsim.Script{{Wait: 100 * time.Millisecond, Gap: time.Millisecond, Pause: time.Millisecond}}}, nil, nil)
			if tc.want == "" {
				if !errors.Is(err, rtcsim.ErrRefused) {
					t.Errorf("err = %v, want a refusal", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := <-learners; got != tc.want {
				t.Errorf("learner = %q, want %q", got, tc.want)
			}
		})
	}
	// A hang-up needs no CSRF token (navigator.sendBeacon cannot send one): an unknown call
	// is 404, not 403.
	req, _ := http.NewRequest(http.MethodPost, hs.URL+"/webrtc/calls/wnope/hangup", nil)
	req.Header = cookie.Clone()
	req.Header.Set("Origin", hs.URL)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("hang-up with a cookie and no CSRF token: %d, want 404", resp.StatusCode)
	}
	// An offer from nobody (no session, no guest pass from the page's config) is refused:
	// a flood of such offers cannot hold browser lines.
	resp, err = http.Post(hs.URL+webrtc.PathOffer, "application/json", strings.NewReader(`{"scenario":"double-charge","learner":"x","sdp":"v=0"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("offer without a session or guest pass: %d, want 401", resp.StatusCode)
	}
}

func getJSON(t *testing.T, url string, h http.Header, v any) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	req.Header = h.Clone()
	if req.Header == nil {
		req.Header = http.Header{}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	_ = json.NewDecoder(resp.Body).Decode(v)
	return resp.StatusCode
}
