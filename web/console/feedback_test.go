package console_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/sparlab/spar/web/account"
)

type replayData struct {
	Comments []struct {
		ID, Text, Author string
		AtMS             int64 `json:"at_ms"`
	} `json:"comments"`
	Override *struct {
		Score  int
		Reason string
	} `json:"override"`
	Disagree *struct{ Reason string } `json:"disagree"`
	Markers  []struct {
		Kind string `json:"kind"`
		AtMS int64  `json:"at_ms"`
	} `json:"markers"`
	Transcript []struct{ Text string } `json:"transcript"`
}

func (c *client) replay(id string) replayData {
	c.t.Helper()
	resp, body := c.get("/console/api/calls/" + id)
	if resp.StatusCode != http.StatusOK {
		c.t.Fatalf("replay data: %d %s", resp.StatusCode, body)
	}
	var d replayData
	if err := json.Unmarshal([]byte(body), &d); err != nil {
		c.t.Fatal(err)
	}
	return d
}

func TestComments(t *testing.T) {
	f := newFixture(t)
	tina, alice, bob := f.login(t, "tina@example.com"), f.login(t, "alice@example.com"), f.login(t, "bob@example.com")
	base := "/console/api/calls/call-alice/comments"

	resp, body := tina.send(http.MethodPost, base, map[string]any{"at_ms": 8000, "text": "Good apology here."}, true)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("add: %d %s", resp.StatusCode, body)
	}
	var added struct{ ID string }
	_ = json.Unmarshal([]byte(body), &added)

	d := alice.replay("call-alice")
	if len(d.Comments) != 1 || d.Comments[0].Text != "Good apology here." || d.Comments[0].AtMS != 8000 || d.Comments[0].Author != "tina" {
		t.Fatalf("the learner sees comments %+v", d.Comments)
	}
	tests := []struct {
		name   string
		c      *client
		method string
		path   string
		body   any
		csrf   bool
		want   int
	}{
		{"no CSRF token", tina, http.MethodPost, base, map[string]any{"at_ms": 1000, "text": "x"}, false, http.StatusForbidden},
		{"learner cannot comment", alice, http.MethodPost, base, map[string]any{"at_ms": 1000, "text": "x"}, true, http.StatusForbidden},
		{"other team's trainer", bob, http.MethodPost, base, map[string]any{"at_ms": 1000, "text": "x"}, true, http.StatusNotFound},
		{"other trainer edits", bob, http.MethodPut, base + "/" + added.ID, map[string]any{"text": "x"}, true, http.StatusNotFound},
		{"moment past the end", tina, http.MethodPost, base, map[string]any{"at_ms": 999999, "text": "x"}, true, http.StatusBadRequest},
		{"empty text", tina, http.MethodPost, base, map[string]any{"at_ms": 1000, "text": "  "}, true, http.StatusBadRequest},
		{"moment missing", tina, http.MethodPost, base, map[string]any{"text": "x"}, true, http.StatusBadRequest},
		{"text too long", tina, http.MethodPost, base, map[string]any{"at_ms": 1000, "text": strings.Repeat("x", 4001)}, true, http.StatusBadRequest},
		{"edit moment past the end", tina, http.MethodPut, base + "/" + added.ID, map[string]any{"text": "x", "at_ms": -1}, true, http.StatusBadRequest},
		{"unknown comment", tina, http.MethodDelete, base + "/nope", nil, true, http.StatusNotFound},
		{"edit", tina, http.MethodPut, base + "/" + added.ID, map[string]any{"text": "Great apology.", "at_ms": 8200}, true, http.StatusOK},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := tc.c.send(tc.method, tc.path, tc.body, tc.csrf)
			if resp.StatusCode != tc.want {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tc.want, body)
			}
		})
	}
	d = alice.replay("call-alice")
	if len(d.Comments) != 1 || d.Comments[0].Text != "Great apology." || d.Comments[0].AtMS != 8200 {
		t.Fatalf("after edit: %+v", d.Comments)
	}
	if resp, _ := tina.send(http.MethodDelete, base+"/"+added.ID, nil, true); resp.StatusCode != http.StatusNoContent {
		t.Fatalf("delete: %d", resp.StatusCode)
	}
	if d = alice.replay("call-alice"); len(d.Comments) != 0 {
		t.Fatalf("after delete: %+v", d.Comments)
	}
}

func TestOverrideAndDisagree(t *testing.T) {
	f := newFixture(t)
	tina, alice := f.login(t, "tina@example.com"), f.login(t, "alice@example.com")
	p := "/console/api/calls/call-alice/"
	steps := []struct {
		name   string
		c      *client
		method string
		path   string
		body   any
		want   int
	}{
		{"override needs a reason", tina, http.MethodPut, "override", map[string]any{"score": 85, "pass": true, "reason": ""}, http.StatusBadRequest},
		{"score out of range", tina, http.MethodPut, "override", map[string]any{"score": 101, "pass": true, "reason": "x"}, http.StatusBadRequest},
		{"score missing", tina, http.MethodPut, "override", map[string]any{"pass": true, "reason": "x"}, http.StatusBadRequest},
		{"learner cannot clear an override", alice, http.MethodDelete, "override", nil, http.StatusForbidden},
		{"reason too long", alice, http.MethodPut, "disagree", map[string]any{"reason": strings.Repeat("x", 4001)}, http.StatusBadRequest},
		{"learner cannot override", alice, http.MethodPut, "override", map[string]any{"score": 100, "pass": true, "reason": "I was great"}, http.StatusForbidden},
		{"trainer overrides", tina, http.MethodPut, "override", map[string]any{"score": 85, "pass": true, "reason": "The judge missed the apology."}, http.StatusOK},
		{"trainer cannot disagree for the learner", tina, http.MethodPut, "disagree", map[string]any{"reason": "x"}, http.StatusForbidden},
		{"learner disagrees", alice, http.MethodPut, "disagree", map[string]any{"reason": "I did own the mistake."}, http.StatusOK},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			if resp, body := s.c.send(s.method, p+s.path, s.body, true); resp.StatusCode != s.want {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, s.want, body)
			}
		})
	}
	d := tina.replay("call-alice")
	if d.Override == nil || d.Override.Score != 85 || d.Disagree == nil || d.Disagree.Reason != "I did own the mistake." {
		t.Fatalf("override %+v, disagree %+v", d.Override, d.Disagree)
	}
	// The list shows the overridden score.
	_, body := tina.get("/console/calls?min=85&max=85")
	if !strings.Contains(body, "call-alice\"") || !strings.Contains(body, "override") {
		t.Error("the list does not use the override")
	}
}

func TestCrossOriginAndLoginForm(t *testing.T) {
	f := newFixture(t)
	tina := f.login(t, "tina@example.com")
	req, _ := http.NewRequest(http.MethodPost, f.srv.URL+"/console/api/calls/call-alice/comments", strings.NewReader(`{"at_ms":1,"text":"x"}`))
	req.Header.Set(account.CSRFHeader, tina.csrf)
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	resp, err := tina.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("cross-site request with a valid token: %d, want 403", resp.StatusCode)
	}
	// Logout needs the token too (a forged logout form fails), then ends the session.
	if r := tina.form("/console/logout", nil); r.StatusCode != http.StatusForbidden {
		t.Errorf("logout without token: %d, want 403", r.StatusCode)
	}
	if r := tina.form("/console/logout", url.Values{"csrf": {tina.csrf}}); r.StatusCode != http.StatusSeeOther {
		t.Errorf("logout: %d", r.StatusCode)
	}
	if r, _ := tina.get("/api/calls/call-alice"); r.StatusCode != http.StatusUnauthorized {
		t.Errorf("after logout: %d, want 401", r.StatusCode)
	}

	c := f.anon(t)
	for i := range 3 {
		if r := c.form("/console/login", url.Values{"email": {"ben@example.com"}, "password": {"wrong password"}}); r.StatusCode != http.StatusUnauthorized {
			t.Fatalf("failure %d: status %d", i, r.StatusCode)
		}
	}
	r := c.form("/console/login", url.Values{"email": {"ben@example.com"}, "password": {pw}})
	if ra, _ := strconv.Atoi(r.Header.Get("Retry-After")); r.StatusCode != http.StatusTooManyRequests || ra < 50 || ra > 60 {
		t.Errorf("after 3 failures the right password gives %d, Retry-After %q; want 429 and a minute's wait", r.StatusCode, r.Header.Get("Retry-After"))
	}
	// The session cookie's attributes.
	r = c.form("/console/login", url.Values{"email": {"bob@example.com"}, "password": {pw}, "next": {"https://evil.example/"}})
	if loc := r.Header.Get("Location"); loc != "/console/calls" {
		t.Errorf("login redirected to %q: open redirect", loc)
	}
	var sc *http.Cookie
	for _, ck := range r.Cookies() {
		if ck.Name == account.CookieName {
			sc = ck
		}
	}
	if sc == nil || !sc.HttpOnly || sc.SameSite != http.SameSiteLaxMode || sc.Path != "/" {
		t.Errorf("session cookie %+v", sc)
	}
}

func TestTokenAuth(t *testing.T) {
	f := newFixture(t)
	tok, err := f.accts.CreateToken(t.Context(), "bob", "lms")
	if err != nil {
		t.Fatal(err)
	}
	c := f.anon(t)
	for _, tc := range []struct {
		name, token, path string
		want              int
	}{
		{"own team's call", tok, "/api/calls/call-ben/scorecard", http.StatusOK},
		{"other team's call", tok, "/api/calls/call-alice", http.StatusNotFound},
		{"wrong token", tok + "x", "/api/calls/call-ben", http.StatusUnauthorized},
		{"not a bearer", "Basic abc", "/api/calls/call-ben", http.StatusUnauthorized},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodGet, f.srv.URL+tc.path, nil)
			if strings.HasPrefix(tc.token, "spar_") {
				req.Header.Set("Authorization", "Bearer "+tc.token)
			} else {
				req.Header.Set("Authorization", tc.token)
			}
			if resp, body := c.do(req); resp.StatusCode != tc.want {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tc.want, body)
			}
		})
	}
	// A token writes without a CSRF token (no browser sends it by itself).
	req, _ := http.NewRequest(http.MethodPost, f.srv.URL+"/console/api/calls/call-ben/comments", strings.NewReader(`{"at_ms":1000,"text":"via API"}`))
	req.Header.Set("Authorization", "Bearer "+tok)
	if resp, body := c.do(req); resp.StatusCode != http.StatusCreated {
		t.Fatalf("comment with a token: %d %s", resp.StatusCode, body)
	}
}
