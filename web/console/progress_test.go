package console_test

import (
	"encoding/csv"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/sparlab/spar/web/account"
	"github.com/sparlab/spar/web/console"
)

// TestProgressAccess checks who may open a learner's progress, a team's dashboard and the CSV
// export: refused users get 404 as for an account or team that does not exist.
func TestProgressAccess(t *testing.T) {
	f := newFixture(t)
	tests := []struct {
		who   string
		path  string
		allow bool
	}{
		{"alice@example.com", "/console/learners/alice", true},
		{"alice@example.com", "/console/learners/ben", false},
		{"alice@example.com", "/console/learners/tina", false},
		{"alice@example.com", "/console/teams/red", false},
		{"ben@example.com", "/console/learners/alice", false},
		{"ben@example.com", "/console/teams/blue", false},
		{"tina@example.com", "/console/learners/alice", true},
		{"tina@example.com", "/console/learners/ben", false},
		{"tina@example.com", "/console/teams/red", true},
		{"tina@example.com", "/console/teams/blue", false},
		{"bob@example.com", "/console/learners/alice", false},
		{"bob@example.com", "/console/teams/red", false},
		{"bob@example.com", "/console/teams/blue", true},
		{"admin@example.com", "/console/learners/ben", true},
		{"admin@example.com", "/console/teams/red", true},
		{"admin@example.com", "/console/teams/nope", false},
		{"admin@example.com", "/console/learners/nobody", false},
	}
	clients := map[string]*client{}
	for _, tc := range tests {
		t.Run(tc.who+tc.path, func(t *testing.T) {
			c := clients[tc.who]
			if c == nil {
				c = f.login(t, tc.who)
				clients[tc.who] = c
			}
			resp, body := c.get(tc.path)
			switch {
			case tc.allow && resp.StatusCode != http.StatusOK:
				t.Fatalf("status %d, want 200: %.300s", resp.StatusCode, body)
			case !tc.allow && resp.StatusCode != http.StatusNotFound:
				t.Fatalf("status %d, want 404", resp.StatusCode)
			case !tc.allow && (strings.Contains(body, "data-value") || strings.Contains(body, "call-")):
				t.Fatal("a refused page leaks progress data")
			}
			if resp.Header.Get("Content-Security-Policy") != account.CSP {
				t.Errorf("CSP %q", resp.Header.Get("Content-Security-Policy"))
			}
			if strings.Contains(body, "<script") || strings.Contains(body, " style=") {
				t.Error("inline script or style, which the CSP blocks")
			}
		})
	}
	t.Run("anonymous", func(t *testing.T) {
		c := f.anon(t)
		for _, p := range []string{"/console/learners/alice", "/console/teams/red", "/console/calls.csv"} {
			resp, body := c.get(p)
			if resp.StatusCode != http.StatusUnauthorized && resp.StatusCode != http.StatusSeeOther || strings.Contains(body, "call-alice") {
				t.Errorf("%s: status %d", p, resp.StatusCode)
			}
		}
	})
}

var (
	dotRE = regexp.MustCompile(`<circle class="dot[^"]*"[^>]*data-label="(\d+)" data-value="(\d+)"`)
	barRE = regexp.MustCompile(`<rect class="bar"[^>]*data-label="([^"]+)" data-value="(\d+)"`)
	rowRE = regexp.MustCompile(`<tr data-label="([^"]+)" data-value="(\d+)"`)
)

// TestLearnerProgressData reads the numbers behind alice's charts: call-alice scored 60 (rep
// 1) and call-alice-phone (her linked caller ID) 70 (rep 2), both in the week of the seeded
// calls (an hour ago: last week's bar, not this week's, in a week's first hour).
func TestLearnerProgressData(t *testing.T) {
	f := newFixture(t)
	resp, body := f.login(t, "tina@example.com").get("/console/learners/alice")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	// The score chart comes first, then the criterion charts (one criterion, 80 on both).
	var dots []string
	for _, m := range dotRE.FindAllStringSubmatch(body, -1) {
		dots = append(dots, m[1]+":"+m[2])
	}
	if got, want := strings.Join(dots, " "), "1:60 2:70 1:80 2:80"; got != want {
		t.Errorf("dots (rep:score) %q, want %q", got, want)
	}
	total, inWeek := 0, ""
	week := console.WeekStart(f.start).Format("Jan 2")
	weeks := barRE.FindAllStringSubmatch(body, -1)
	for _, m := range weeks {
		total += atoi(t, m[2])
		if m[1] == week {
			inWeek = m[2]
		}
	}
	if total != 2 || inWeek != "2" {
		t.Errorf("reps per week %v, want 2 reps in the week of %s", weeks, week)
	}
	for _, s := range []string{"<b>2</b> reps", "<b>1</b> passed", "average <b>65</b>", "Apologise and own it", `href="/console/calls/call-alice-phone"`, "by the offline rules"} {
		if !strings.Contains(body, s) {
			t.Errorf("page lacks %q", s)
		}
	}
}

// TestTeamDashboardData reads team red's dashboard for the month of the seeded calls.
func TestTeamDashboardData(t *testing.T) {
	f := newFixture(t)
	first, _ := f.st.Get(t.Context(), "call-alice")
	last, _ := f.st.Get(t.Context(), "call-alice-phone")
	month := first.Started.Local().Format("2006-01")
	if last.Started.Local().Format("2006-01") != month {
		t.Fatalf("the fixture seeded calls in two months: %v and %v", first.Started, last.Started)
	}
	resp, body := f.login(t, "tina@example.com").get("/console/teams/red?month=" + month)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	section := func(id string) string {
		_, s, _ := strings.Cut(body, `id="`+id+`"`)
		s, _, _ = strings.Cut(s, "</section>")
		var out []string
		for _, m := range rowRE.FindAllStringSubmatch(s, -1) {
			out = append(out, m[1]+"="+m[2])
		}
		return strings.Join(out, " ")
	}
	for id, want := range map[string]string{
		"reps":     "cold-call-vendor=1 double-charge=1",
		"passrate": "cold-call-vendor=100 double-charge=0",
		"missed":   "Apologise and own it=80",
	} {
		if got := section(id); got != want {
			t.Errorf("%s: %q, want %q", id, got, want)
		}
	}
	if !strings.Contains(body, `data-learner="alice" data-reps="2" data-average="65"`) || strings.Contains(body, `data-learner="ben"`) {
		t.Error("learners table: want alice with 2 reps averaging 65, and not ben")
	}
	if !strings.Contains(body, "<b>2</b> reps this month") {
		t.Error("want 2 reps this month")
	}
	_, empty := f.login(t, "admin@example.com").get("/console/teams/red?month=2001-01")
	if !strings.Contains(empty, "<b>0</b> reps") || !strings.Contains(empty, `data-learner="alice" data-reps="0"`) {
		t.Error("a month without calls should show zero reps and still list alice")
	}
	if resp, _ := f.login(t, "admin@example.com").get("/console/teams/red?month=May"); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("bad month: %d, want 400", resp.StatusCode)
	}
}

// TestCallsCSV checks the export's headers and rows, with the list's filters and access.
func TestCallsCSV(t *testing.T) {
	f := newFixture(t)
	started := func(id string) string {
		rec, err := f.st.Get(t.Context(), id)
		if err != nil {
			t.Fatal(err)
		}
		return rec.Started.UTC().Format(time.RFC3339)
	}
	header := "call_id,learner,team,scenario,started,duration_s,score,pass,end_reason\n"
	tests := []struct {
		who, query, want string
	}{
		{"admin@example.com", "?team=red", header +
			"call-alice-phone,Alice Learner,red,cold-call-vendor," + started("call-alice-phone") + ",12,70,true,learner hung up\n" +
			"call-alice,Alice Learner,red,double-charge," + started("call-alice") + ",12,60,false,learner hung up\n"},
		{"admin@example.com", "?result=unscored", header +
			"call-guest,guest:Someone,,double-charge," + started("call-guest") + ",12,,,learner hung up\n"},
		{"bob@example.com", "?sort=score&dir=asc", header +
			"call-ben,Ben Learner,blue,double-charge," + started("call-ben") + ",12,80,true,learner hung up\n"},
		{"tina@example.com", "?team=blue", header},
		{"alice@example.com", "?learner=ben", header},
	}
	for _, tc := range tests {
		t.Run(tc.who+tc.query, func(t *testing.T) {
			resp, body := f.login(t, tc.who).get("/console/calls.csv" + tc.query)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d: %s", resp.StatusCode, body)
			}
			if ct := resp.Header.Get("Content-Type"); ct != "text/csv; charset=utf-8" {
				t.Errorf("Content-Type %q", ct)
			}
			if cd := resp.Header.Get("Content-Disposition"); !regexp.MustCompile(`^attachment; filename="spar-calls-[0-9-]+\.csv"$`).MatchString(cd) {
				t.Errorf("Content-Disposition %q", cd)
			}
			if body != tc.want {
				t.Errorf("got\n%s\nwant\n%s", body, tc.want)
			}
			if _, err := csv.NewReader(strings.NewReader(body)).ReadAll(); err != nil {
				t.Errorf("not valid CSV: %v", err)
			}
		})
	}
	if resp, _ := f.login(t, "admin@example.com").get("/console/calls.csv?min=abc"); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("bad filter: %d, want 400", resp.StatusCode)
	}
	_, list := f.login(t, "tina@example.com").get("/console/calls?team=red&result=pass")
	if !strings.Contains(list, `href="/console/calls.csv?result=pass&amp;sort=started&amp;team=red"`) {
		t.Error("the calls list does not link its CSV export with the current filters")
	}
	if !strings.Contains(list, `href="/console/learners/alice" class="progress-link"`) {
		t.Error("the calls list does not link the learner's progress")
	}
}

func atoi(t *testing.T, s string) int {
	t.Helper()
	n := 0
	for _, r := range s {
		n = 10*n + int(r-'0')
	}
	return n
}
