package webrtc

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/sparlab/spar/telephony"
)

// trialTina accepts ticket "t-1" for scenario "draft-only" from requests with X-Test-User: tina.
func trialTina(r *http.Request, ticket, scenario string) (map[string]string, error) {
	if r.Header.Get("X-Test-User") != "tina" || ticket != "t-1" || scenario != "draft-only" {
		return nil, errors.New("not tina's ticket")
	}
	return map[string]string{"scenario_version": "3", "trial": "tina"}, nil
}

// TestTrialOffer: an offer with a trial ticket the hook accepts calls a scenario the
// catalog does not have (a draft), with the hook's parameters on the call; a ticket it
// refuses, or any ticket on a server without the hook, is 403, and an offer without one
// still needs a scenario in the catalog.
func TestTrialOffer(t *testing.T) {
	s, base := startServer(t, testConfig(), func(context.Context, *telephony.Call) error { return nil },
		func(s *Server) { s.Trial = trialTina })
	tina := http.Header{"X-Test-User": {"tina"}}
	for _, tc := range []struct {
		name  string
		offer func(t *testing.T, base string, h http.Header, req offerRequest) string
	}{{"post", postOffer}, {"websocket", wsOffer}} {
		t.Run(tc.name, func(t *testing.T) {
			id := tc.offer(t, base, tina, offerRequest{Scenario: "draft-only", Trial: "t-1", SDP: newPeer(t).offer(true)})
			ss, ok := s.calls.get(id)
			if !ok {
				t.Fatalf("call %s is not live", id)
			}
			if p := ss.call.Params; ss.call.Scenario != "draft-only" || p["scenario_version"] != "3" || p["trial"] != "tina" || p["codec"] == "" {
				t.Errorf("call: scenario %q, params %v", ss.call.Scenario, p)
			}
			ss.cancel(ErrLearnerHungUp)
		})
	}
	for _, tc := range []struct {
		name   string
		header http.Header
		req    offerRequest
		status int
		want   string
	}{
		{"someone else", http.Header{"X-Test-User": {"alice"}}, offerRequest{Scenario: "draft-only", Trial: "t-1"}, 403, "trial call refused"},
		{"another scenario", tina, offerRequest{Scenario: "double-charge", Trial: "t-1"}, 403, "trial call refused"},
		{"no ticket", tina, offerRequest{Scenario: "draft-only"}, 404, "unknown scenario"},
		{"long ticket", tina, offerRequest{Scenario: "draft-only", Trial: strings.Repeat("t", 200)}, 400, "too long"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.req.SDP = newPeer(t).offer(true)
			status, body := postWith(t, base+PathOffer, tc.header, tc.req)
			if status != tc.status || !strings.Contains(body["error"], tc.want) {
				t.Errorf("got %d %v, want %d %q", status, body, tc.status, tc.want)
			}
		})
	}
	t.Run("no hook", func(t *testing.T) {
		_, base := startServer(t, testConfig(), func(context.Context, *telephony.Call) error { return nil })
		status, body := postWith(t, base+PathOffer, tina, offerRequest{Scenario: "double-charge", Trial: "t-1", SDP: newPeer(t).offer(true)})
		if status != 403 {
			t.Errorf("got %d %v, want 403", status, body)
		}
	})
}

// postWith posts req as JSON with header h and returns the status and the JSON answer.
func postWith(t *testing.T, url string, h http.Header, req offerRequest) (int, map[string]string) {
	t.Helper()
	b, _ := json.Marshal(req)
	hr, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range h {
		hr.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(hr)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out := map[string]string{}
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}
