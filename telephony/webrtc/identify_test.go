package webrtc

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/sparlab/spar/telephony"
)

// identifyAda says Ada is signed in on requests that carry X-Test-User: ada.
func identifyAda(r *http.Request) (Identity, bool) {
	if r.Header.Get("X-Test-User") != "ada" {
		return Identity{}, false
	}
	return Identity{Learner: "learner-ada", Name: "Ada Lovelace", CSRF: "tok"}, true
}

func TestIdentify(t *testing.T) {
	s, base := startServer(t, testConfig(), func(context.Context, *telephony.Call) error { return nil },
		func(s *Server) { s.Identify = identifyAda })
	signedIn := http.Header{"X-Test-User": {"ada"}}
	for _, tc := range []struct {
		name   string
		header http.Header
		offer  func(t *testing.T, base string, h http.Header, req offerRequest) string
		want   string
	}{
		{"post, signed in", signedIn, postOffer, "learner-ada"},
		{"post, guest", nil, postOffer, "guest:Typed Name"},
		{"websocket, signed in", signedIn, wsOffer, "learner-ada"},
		{"websocket, guest", nil, wsOffer, "guest:Typed Name"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			id := tc.offer(t, base, tc.header, offerRequest{Scenario: "double-charge", Learner: "Typed Name", SDP: newPeer(t).offer(true)})
			ss, ok := s.calls.get(id)
			if !ok {
				t.Fatalf("call %s is not live", id)
			}
			if got := ss.call.Learner; got != tc.want {
				t.Errorf("learner = %q, want %q", got, tc.want)
			}
			ss.cancel(ErrLearnerHungUp)
		})
	}
	t.Run("config", func(t *testing.T) {
		for _, tc := range []struct {
			header     http.Header
			name, csrf string
		}{{signedIn, "Ada Lovelace", "tok"}, {nil, "", ""}} {
			req, _ := http.NewRequest(http.MethodGet, base+PathConfig, nil)
			req.Header = tc.header
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			var cfg configResponse
			_ = json.NewDecoder(resp.Body).Decode(&cfg)
			resp.Body.Close()
			if cfg.Learner != tc.name || cfg.CSRF != tc.csrf || cfg.ICEServers == nil {
				t.Errorf("config = %+v, want learner %q csrf %q", cfg, tc.name, tc.csrf)
			}
		}
	})
}

// postOffer sends req to PathOffer with header h and returns the call ID.
func postOffer(t *testing.T, base string, h http.Header, req offerRequest) string {
	t.Helper()
	b, _ := json.Marshal(req)
	hr, err := http.NewRequest(http.MethodPost, base+PathOffer, bytes.NewReader(b))
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
	var ans offerResponse
	if err := json.NewDecoder(resp.Body).Decode(&ans); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("offer: %s %v", resp.Status, err)
	}
	return ans.CallID
}

// wsOffer sends req over a new signaling socket with header h and returns the call ID.
func wsOffer(t *testing.T, base string, h http.Header, req offerRequest) string {
	t.Helper()
	c := dialWS(t, base, h)
	c.send(Message{Type: MsgOffer, Scenario: req.Scenario, Learner: req.Learner, SDP: req.SDP, Trial: req.Trial})
	m := c.next()
	if m.Type != MsgAnswer {
		t.Fatalf("got %+v, want the answer", m)
	}
	return m.CallID
}
