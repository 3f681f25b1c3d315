package console_test

import (
	"net/http"
	"strings"
	"testing"
)

// TestCallAccess checks every way to read a call (replay page, replay data, waveform,
// recording, web's JSON API, scorecard, live feed) for each role: allowed users get it, others
// get 404 exactly as for a call that does not exist, and anonymous requests get 401 or the
// login page.
func TestCallAccess(t *testing.T) {
	f := newFixture(t)
	paths := func(id string) []string {
		return []string{
			"/console/calls/" + id, "/console/api/calls/" + id, "/console/api/calls/" + id + "/peaks",
			"/console/calls/" + id + "/recording.wav", "/api/calls/" + id, "/api/calls/" + id + "/scorecard",
			"/api/calls/" + id + "/events",
		}
	}
	tests := []struct {
		who   string
		call  string
		allow bool
	}{
		{"alice@example.com", "call-alice", true},
		{"alice@example.com", "call-alice-phone", true}, // her linked caller ID
		{"alice@example.com", "call-ben", false},
		{"alice@example.com", "call-guest", false},
		{"ben@example.com", "call-alice", false},
		{"tina@example.com", "call-alice", true},
		{"tina@example.com", "call-alice-phone", true},
		{"tina@example.com", "call-ben", false},
		{"bob@example.com", "call-alice", false},
		{"bob@example.com", "call-ben", true},
		{"admin@example.com", "call-guest", true},
	}
	clients := map[string]*client{}
	for _, tc := range tests {
		c := clients[tc.who]
		if c == nil {
			c = f.login(t, tc.who)
			clients[tc.who] = c
		}
		for _, p := range paths(tc.call) {
			if strings.HasSuffix(p, "/scorecard") && tc.call == "call-guest" {
				continue // never scored: 404 either way
			}
			allow := tc.allow || (tc.call == "call-guest" && strings.HasPrefix(p, "/api/"))
			t.Run(tc.who+p, func(t *testing.T) {
				tc := tc
				tc.allow = allow
				resp, body := c.get(p)
				switch {
				case tc.allow && resp.StatusCode != http.StatusOK:
					t.Fatalf("status %d, want 200: %s", resp.StatusCode, body)
				case !tc.allow && resp.StatusCode != http.StatusNotFound:
					t.Fatalf("status %d, want 404: %.200s", resp.StatusCode, body)
				case !tc.allow && strings.Contains(body, "charged twice"):
					t.Fatal("a refused response leaks the transcript")
				}
			})
		}
	}
	t.Run("guest calls are unlisted links on the public API", func(t *testing.T) {
		c := f.anon(t)
		for _, p := range []string{"/api/calls/call-guest", "/api/calls/call-guest/events"} {
			if resp, body := c.get(p); resp.StatusCode != http.StatusOK {
				t.Errorf("%s: status %d: %.200s", p, resp.StatusCode, body)
			}
		}
		for _, p := range []string{"/console/calls/call-guest", "/console/calls/call-guest/recording.wav", "/api/calls/call-alice-phone"} {
			if resp, _ := c.get(p); resp.StatusCode == http.StatusOK {
				t.Errorf("%s: open to anyone", p)
			}
		}
	})
	t.Run("anonymous", func(t *testing.T) {
		c := f.anon(t)
		for _, p := range paths("call-alice") {
			resp, body := c.get(p)
			if resp.StatusCode != http.StatusUnauthorized && resp.StatusCode != http.StatusSeeOther {
				t.Errorf("%s: status %d, want 401 or a redirect to login", p, resp.StatusCode)
			}
			if strings.Contains(body, "charged twice") {
				t.Errorf("%s leaks the transcript", p)
			}
		}
	})
	t.Run("bad session cookie", func(t *testing.T) {
		c := f.anon(t)
		req, _ := http.NewRequest(http.MethodGet, f.srv.URL+"/api/calls/call-alice", nil)
		req.AddCookie(&http.Cookie{Name: "spar_session", Value: "forged-session-token"})
		resp, _ := c.do(req)
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("forged cookie: status %d, want 401", resp.StatusCode)
		}
	})
}

// TestListsOnlyVisibleCalls checks the console list and web's /api/calls for each role.
func TestListsOnlyVisibleCalls(t *testing.T) {
	f := newFixture(t)
	tests := []struct {
		who        string
		see, never []string
	}{
		{"alice@example.com", []string{"call-alice", "call-alice-phone"}, []string{"call-ben", "call-guest"}},
		{"ben@example.com", []string{"call-ben"}, []string{"call-alice", "call-alice-phone", "call-guest"}},
		{"tina@example.com", []string{"call-alice", "call-alice-phone"}, []string{"call-ben", "call-guest"}},
		{"bob@example.com", []string{"call-ben"}, []string{"call-alice", "call-guest"}},
		{"admin@example.com", []string{"call-alice", "call-ben", "call-guest"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.who, func(t *testing.T) {
			c := f.login(t, tc.who)
			for _, p := range []string{"/console/calls", "/api/calls"} {
				resp, body := c.get(p)
				if resp.StatusCode != http.StatusOK {
					t.Fatalf("%s: status %d", p, resp.StatusCode)
				}
				for _, id := range tc.see {
					if !strings.Contains(body, `/`+id+`"`) && !strings.Contains(body, `"`+id+`"`) {
						t.Errorf("%s does not list %s", p, id)
					}
				}
				for _, id := range tc.never {
					if strings.Contains(body, id+`"`) {
						t.Errorf("%s lists %s", p, id)
					}
				}
			}
		})
	}
	t.Run("trainer filtering by another team", func(t *testing.T) {
		c := f.login(t, "tina@example.com")
		for _, q := range []string{"?team=blue", "?learner=ben"} {
			_, body := c.get("/console/calls" + q)
			if strings.Contains(body, "call-ben") || !strings.Contains(body, "0 calls") {
				t.Errorf("%s shows another team's calls", q)
			}
		}
	})
}
