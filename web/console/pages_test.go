package console_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/sparlab/spar/web/account"
)

func TestPagesSendSecurityHeaders(t *testing.T) {
	f := newFixture(t)
	tina := f.login(t, "tina@example.com")
	for _, p := range []string{"/console/login", "/console/calls", "/console/calls/call-alice", "/console/assets/replay.js"} {
		resp, body := tina.get(p)
		if resp.StatusCode != http.StatusOK && !(p == "/console/login" && resp.StatusCode == http.StatusSeeOther) {
			t.Errorf("%s: status %d", p, resp.StatusCode)
		}
		h := resp.Header
		if h.Get("Content-Security-Policy") != account.CSP || h.Get("X-Content-Type-Options") != "nosniff" || h.Get("X-Frame-Options") != "DENY" {
			t.Errorf("%s: security headers %v", p, h)
		}
		if strings.Contains(body, "<script>") || strings.Contains(body, " style=") || strings.Contains(body, "onclick") {
			t.Errorf("%s has inline script or style, which the CSP blocks", p)
		}
	}
}

func TestRecordingRangesAndPeaks(t *testing.T) {
	f := newFixture(t)
	alice := f.login(t, "alice@example.com")
	req, _ := http.NewRequest(http.MethodGet, f.srv.URL+"/console/calls/call-alice/recording.wav", nil)
	req.Header.Set("Range", "bytes=44-1043")
	resp, body := alice.do(req)
	if resp.StatusCode != http.StatusPartialContent || len(body) != 1000 || resp.Header.Get("Content-Type") != "audio/wav" {
		t.Fatalf("range request: %d, %d bytes, %s", resp.StatusCode, len(body), resp.Header.Get("Content-Type"))
	}
	_, pb := alice.get("/console/api/calls/call-alice/peaks")
	var p struct {
		DurationMS  int64 `json:"duration_ms"`
		Left, Right []int
	}
	if err := json.Unmarshal([]byte(pb), &p); err != nil {
		t.Fatal(err)
	}
	if p.DurationMS != 12000 || len(p.Left) != 1200 {
		t.Fatalf("peaks: %d ms, %d columns", p.DurationMS, len(p.Left))
	}
	// Column i covers 10 ms. The learner speaks 0.2-3 s (left), the persona 3.5-7 s (right).
	at := func(lane []int, sec float64) int { return lane[int(sec*100)] }
	if at(p.Left, 1) < 80 || at(p.Right, 1) != 0 || at(p.Right, 5) < 80 || at(p.Left, 5) != 0 || at(p.Left, 7.5) != 0 {
		t.Errorf("lanes: left@1s %d right@1s %d right@5s %d left@5s %d left@7.5s %d",
			at(p.Left, 1), at(p.Right, 1), at(p.Right, 5), at(p.Left, 5), at(p.Left, 7.5))
	}
	d := alice.replay("call-alice")
	kinds := map[string]int64{}
	for _, m := range d.Markers {
		kinds[m.Kind] = m.AtMS
	}
	if kinds["barge_in"] != 6800 || kinds["mood"] != 7500 || kinds["silence"] != 11100 {
		t.Errorf("markers %+v", d.Markers)
	}
}

func TestCallsListFilters(t *testing.T) {
	f := newFixture(t)
	admin := f.login(t, "admin@example.com")
	// Scores: call-alice 60 (fail), call-alice-phone 70 (pass), call-ben 80 (pass), call-guest unscored.
	tests := []struct {
		query     string
		want      []string // in order
		wantCount string
	}{
		{"", []string{"call-guest", "call-ben", "call-alice-phone", "call-alice"}, "4 calls"},
		{"?result=pass", []string{"call-ben", "call-alice-phone"}, "2 calls"},
		{"?result=fail", []string{"call-alice"}, "1 call"},
		{"?result=unscored", []string{"call-guest"}, "1 call"},
		{"?min=65&max=75", []string{"call-alice-phone"}, "1 call"},
		{"?sort=score", []string{"call-ben", "call-alice-phone", "call-alice", "call-guest"}, "4 calls"},
		{"?sort=score&dir=asc", []string{"call-guest", "call-alice", "call-alice-phone", "call-ben"}, "4 calls"},
		{"?learner=alice", []string{"call-alice-phone", "call-alice"}, "2 calls"},
		{"?team=blue", []string{"call-ben"}, "1 call"},
		{"?scenario=cold-call-vendor", []string{"call-alice-phone"}, "1 call"},
		{"?q=BRIGHTWAVE", []string{"call-guest", "call-ben", "call-alice-phone", "call-alice"}, "4 calls"},
		{"?q=refund", nil, "0 calls"},
		{"?from=" + time.Now().AddDate(0, 0, 1).Format(time.DateOnly), nil, "0 calls"},
	}
	for _, tc := range tests {
		t.Run(tc.query, func(t *testing.T) {
			resp, body := admin.get("/console/calls" + tc.query)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d", resp.StatusCode)
			}
			if !strings.Contains(body, tc.wantCount) {
				t.Errorf("want %q", tc.wantCount)
			}
			last := -1
			for _, id := range tc.want {
				i := strings.Index(body, "/console/calls/"+id+`"`)
				if i < 0 || i < last {
					t.Errorf("%s missing or out of order", id)
				}
				last = i
			}
		})
	}
	if resp, _ := admin.get("/console/calls?min=abc"); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("bad filter: %d, want 400", resp.StatusCode)
	}
}

// TestLoginLanding: a learner who signs in with no page in mind lands on the practice page,
// a trainer on the calls list; an explicit next wins for both. /api/me gives the practice
// page the session's CSRF token for its Sign out form.
func TestLoginLanding(t *testing.T) {
	f := newFixture(t)
	for _, tc := range []struct{ email, next, want string }{
		{"alice@example.com", "", "/"},
		{"tina@example.com", "", "/console/calls"},
		{"alice@example.com", "/console/learners/alice", "/console/learners/alice"},
	} {
		resp := f.anon(t).form("/console/login", url.Values{"email": {tc.email}, "password": {pw}, "next": {tc.next}})
		if got := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || got != tc.want {
			t.Errorf("%s with next %q: %d to %q, want %q", tc.email, tc.next, resp.StatusCode, got, tc.want)
		}
	}
	alice := f.login(t, "alice@example.com")
	_, body := alice.get("/api/me")
	if !strings.Contains(body, `"csrf":"`+alice.csrf+`"`) {
		t.Errorf("/api/me lacks the session's CSRF token: %s", body)
	}
}

// TestCoachingQueue: a learner's dispute, a failed call nobody has looked at, and learners
// behind on an assignment wait in the queue, and the calls page counts them; a comment
// takes a call out, an override a dispute; learners have no queue.
func TestCoachingQueue(t *testing.T) {
	f := newFixture(t)
	tina, alice := f.login(t, "tina@example.com"), f.login(t, "alice@example.com")
	// call-alice was judged 60 with a pass mark of 70: failed. Alice disputes nothing yet.
	_, page := tina.get("/console/review")
	if !strings.Contains(page, `id="queue-calls"`) || !strings.Contains(page, `data-call="call-alice"`) || !strings.Contains(page, "failed") {
		t.Fatalf("the failed call is not in the queue:\n%s", page)
	}
	if _, calls := tina.get("/console/calls"); !strings.Contains(calls, `id="review-count"`) {
		t.Error("the calls page does not count the queue")
	}
	// A comment takes it out of the calls to review.
	if resp, _ := tina.send(http.MethodPost, "/console/api/calls/call-alice/comments", map[string]any{"at_ms": 1000, "text": "Own it sooner."}, true); resp.StatusCode >= 300 {
		t.Fatalf("comment: %d", resp.StatusCode)
	}
	if _, page = tina.get("/console/review"); strings.Contains(page, `data-call="call-alice"`) {
		t.Error("a commented call is still waiting for review")
	}
	// Alice disputes her score: it comes back, as a dispute.
	if resp, _ := alice.send(http.MethodPut, "/console/api/calls/call-alice/disagree", map[string]any{"reason": "I did refund her."}, true); resp.StatusCode >= 300 {
		t.Fatalf("disagree: %d", resp.StatusCode)
	}
	_, page = tina.get("/console/review")
	disputes, _, _ := strings.Cut(page, `id="queue-calls"`)
	if !strings.Contains(disputes, `data-call="call-alice"`) || !strings.Contains(disputes, "I did refund her.") {
		t.Errorf("the dispute is not in the queue:\n%s", page)
	}
	// An assignment alice has not started puts her among the learners behind.
	createdID(t, tina.form("/console/assignments", assignForm(tina, url.Values{"team": {"red"}, "scenario": {"cold-call-vendor"}})))
	_, page = tina.get("/console/review")
	_, nudges, _ := strings.Cut(page, `id="queue-nudges"`)
	if !strings.Contains(nudges, "Alice Learner") || !strings.Contains(nudges, "not started") {
		t.Errorf("alice's unstarted assignment is not in the queue:\n%s", nudges)
	}
	if resp, _ := alice.get("/console/review"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a learner opens the coaching queue: %d", resp.StatusCode)
	}
}

// TestStatusAndAPIHeaders: /status and the call API carry the same security headers as the
// console, and JSON is never sniffed or cached.
func TestStatusAndAPIHeaders(t *testing.T) {
	f := newFixture(t)
	tina := f.login(t, "tina@example.com")
	for _, path := range []string{"/status", "/api/calls", "/api/calls/call-alice"} {
		resp, _ := tina.get(path)
		h := resp.Header
		if resp.StatusCode != http.StatusOK || h.Get("Content-Security-Policy") == "" || h.Get("X-Content-Type-Options") != "nosniff" || h.Get("X-Frame-Options") != "DENY" {
			t.Errorf("%s: %d, headers %v", path, resp.StatusCode, h)
		}
		if strings.HasPrefix(h.Get("Content-Type"), "application/json") && h.Get("Cache-Control") != "no-store" {
			t.Errorf("%s: JSON cached: %q", path, h.Get("Cache-Control"))
		}
	}
}

// TestCSRFFormBounded: the CSRF check reads at most 64 KB of a form, so a huge form is
// refused instead of parsed in full before the route's own limit.
func TestCSRFFormBounded(t *testing.T) {
	f := newFixture(t)
	tina := f.login(t, "tina@example.com")
	big := url.Values{"pad": {strings.Repeat("x", 1<<20)}, "csrf": {tina.csrf}}
	if resp := tina.form("/console/assignments", big); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a 1 MB form: %d, want 403", resp.StatusCode)
	}
	small := url.Values{"csrf": {tina.csrf}, "scenario": {"double-charge"}}
	if resp := tina.form("/console/assignments", small); resp.StatusCode == http.StatusForbidden {
		t.Error("a small form with its token is refused")
	}
}
