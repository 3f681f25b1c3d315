package console_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// myAssignment is the part of GET /api/me/assignments the tests read.
type myAssignment struct {
	ID, Scenario, Title, State, DueDate string `json:"-"`
	Reps, Required, Passes              int
	Best, Last                          *int
}

func (m *myAssignment) UnmarshalJSON(b []byte) error {
	var v struct {
		ID       string `json:"id"`
		Scenario string `json:"scenario"`
		Title    string `json:"title"`
		State    string `json:"state"`
		DueDate  string `json:"due_date"`
		Reps     int    `json:"reps"`
		Required int    `json:"required"`
		Passes   int    `json:"passes"`
		Best     *int   `json:"best"`
		Last     *int   `json:"last"`
	}
	err := json.Unmarshal(b, &v)
	*m = myAssignment{v.ID, v.Scenario, v.Title, v.State, v.DueDate, v.Reps, v.Required, v.Passes, v.Best, v.Last}
	return err
}

func (c *client) myAssignments() []myAssignment {
	c.t.Helper()
	resp, body := c.get("/api/me/assignments")
	if resp.StatusCode != http.StatusOK {
		c.t.Fatalf("/api/me/assignments: %d %s", resp.StatusCode, body)
	}
	var out []myAssignment
	if err := json.Unmarshal([]byte(body), &out); err != nil {
		c.t.Fatalf("decode %s: %v", body, err)
	}
	return out
}

func assignForm(c *client, v url.Values) url.Values {
	base := url.Values{"csrf": {c.csrf}, "scenario": {"double-charge"}, "due": {time.Now().AddDate(0, 0, 30).Format(time.DateOnly)},
		"reps": {"2"}, "pass_mark": {"70"}, "note": {"Two clean reps before the review."}}
	for k, vs := range v {
		base[k] = vs
	}
	return base
}

// createdID follows the redirect after a successful create.
func createdID(t *testing.T, resp *http.Response) string {
	t.Helper()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("create: status %d", resp.StatusCode)
	}
	_, id, ok := strings.Cut(resp.Header.Get("Location"), "created=")
	if !ok || id == "" {
		t.Fatalf("create redirected to %q", resp.Header.Get("Location"))
	}
	return id
}

func TestAssignmentFlow(t *testing.T) {
	f := newFixture(t)
	tina, alice, ben, bob := f.login(t, "tina@example.com"), f.login(t, "alice@example.com"), f.login(t, "ben@example.com"), f.login(t, "bob@example.com")
	id := createdID(t, tina.form("/console/assignments", assignForm(tina, url.Values{"team": {"red"}})))

	got := alice.myAssignments()
	if len(got) != 1 || got[0].ID != id || got[0].State != "not started" || got[0].Reps != 0 || got[0].Required != 2 ||
		got[0].Title != "Charged twice for a renewal" || got[0].Best != nil {
		t.Fatalf("alice's assignments before practising: %+v", got)
	}
	if len(ben.myAssignments()) != 0 || len(tina.myAssignments()) != 0 {
		t.Error("the red team's assignment reached ben or the trainer")
	}

	// Alice practises twice: once in the browser (judge 80), once by phone (judge 90, which
	// tina overrides to 50). The calls seeded before the assignment do not count.
	now := time.Now()
	f.seedScored(t, "rep-web", "alice", "double-charge", now, 80)
	f.seedScored(t, "rep-phone", "guest:+14155550100", "double-charge", now.Add(time.Second), 90)
	f.seedScored(t, "rep-other", "alice", "cold-call-vendor", now, 95)
	if resp, body := tina.send(http.MethodPut, "/console/api/calls/rep-phone/override", map[string]any{"score": 50, "pass": false, "reason": "no refund offered"}, true); resp.StatusCode != http.StatusOK {
		t.Fatalf("override: %d %s", resp.StatusCode, body)
	}
	got = alice.myAssignments()
	if len(got) != 1 || got[0].State != "done" || got[0].Reps != 2 || got[0].Passes != 1 || *got[0].Best != 80 || *got[0].Last != 50 {
		t.Fatalf("alice's progress after two reps: %+v", got)
	}
	_, page := tina.get("/console/assignments")
	for _, want := range []string{id, "Alice Learner", "2/2", "done", "Two clean reps"} {
		if !strings.Contains(page, want) {
			t.Errorf("trainer's list lacks %q", want)
		}
	}

	// Raising the reps makes it in progress again.
	if resp := tina.form("/console/assignments/"+id, url.Values{"csrf": {tina.csrf}, "due": {got[0].DueDate}, "reps": {"5"}, "pass_mark": {"70"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("edit: %d", resp.StatusCode)
	}
	if got = alice.myAssignments(); got[0].State != "in progress" || got[0].Required != 5 {
		t.Errorf("after edit: %+v", got)
	}

	// Other team's trainer and learner neither see nor change it.
	if _, page := bob.get("/console/assignments"); strings.Contains(page, id) {
		t.Error("bob sees the red team's assignment")
	}
	if _, page := ben.get("/console/assignments"); strings.Contains(page, id) {
		t.Error("ben sees the red team's assignment")
	}
	for _, c := range []*client{bob, ben} {
		if resp, _ := c.get("/console/assignments/" + id); resp.StatusCode != http.StatusNotFound {
			t.Errorf("edit page for another team: %d, want 404", resp.StatusCode)
		}
		if resp := c.form("/console/assignments/"+id+"/delete", url.Values{"csrf": {c.csrf}}); resp.StatusCode != http.StatusNotFound {
			t.Errorf("delete by another team: %d, want 404", resp.StatusCode)
		}
	}
	// Alice sees it (her own) but may not change it.
	if resp := alice.form("/console/assignments/"+id+"/delete", url.Values{"csrf": {alice.csrf}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("learner deletes: %d, want 403", resp.StatusCode)
	}

	if resp := tina.form("/console/assignments/"+id+"/delete", url.Values{"csrf": {tina.csrf}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("delete: %d", resp.StatusCode)
	}
	if got := alice.myAssignments(); len(got) != 0 {
		t.Errorf("deleted assignment still listed: %+v", got)
	}
	if _, err := f.st.Get(t.Context(), "rep-web"); err != nil {
		t.Errorf("deleting an assignment touched a call: %v", err)
	}
}

func TestAssignmentAccess(t *testing.T) {
	f := newFixture(t)
	tina, alice, admin := f.login(t, "tina@example.com"), f.login(t, "alice@example.com"), f.login(t, "admin@example.com")
	tests := []struct {
		name string
		c    *client
		form url.Values
		want int
	}{
		{"learner creates", alice, assignForm(alice, url.Values{"learner": {"alice"}}), http.StatusForbidden},
		{"trainer assigns another team's learner", tina, assignForm(tina, url.Values{"learner": {"ben"}}), http.StatusForbidden},
		{"trainer assigns another team", tina, assignForm(tina, url.Values{"team": {"blue"}}), http.StatusForbidden},
		{"missing CSRF token", tina, assignForm(tina, url.Values{"team": {"red"}, "csrf": {""}}), http.StatusForbidden},
		{"wrong CSRF token", tina, assignForm(tina, url.Values{"team": {"red"}, "csrf": {"nope"}}), http.StatusForbidden},
		{"nobody to assign", tina, assignForm(tina, nil), http.StatusBadRequest},
		{"due date passed", tina, assignForm(tina, url.Values{"team": {"red"}, "due": {"2020-01-01"}}), http.StatusBadRequest},
		{"zero reps", tina, assignForm(tina, url.Values{"team": {"red"}, "reps": {"0"}}), http.StatusBadRequest},
		{"pass mark over 100", tina, assignForm(tina, url.Values{"team": {"red"}, "pass_mark": {"101"}}), http.StatusBadRequest},
		{"unknown scenario", tina, assignForm(tina, url.Values{"team": {"red"}, "scenario": {"nope"}}), http.StatusBadRequest},
		{"assigning a trainer", admin, assignForm(admin, url.Values{"learner": {"bob"}}), http.StatusBadRequest},
		{"trainer assigns own learner", tina, assignForm(tina, url.Values{"learner": {"alice"}}), http.StatusSeeOther},
		{"admin assigns anyone", admin, assignForm(admin, url.Values{"learner": {"ben"}}), http.StatusSeeOther},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if resp := tc.c.form("/console/assignments", tc.form); resp.StatusCode != tc.want {
				t.Fatalf("status %d, want %d", resp.StatusCode, tc.want)
			}
		})
	}
	if n := len(alice.myAssignments()); n != 1 {
		t.Errorf("alice has %d assignments, want the one tina made", n)
	}
}

func TestMe(t *testing.T) {
	f := newFixture(t)
	tests := []struct {
		email          string
		want           int
		role, learners string
	}{
		{"alice@example.com", http.StatusOK, "learner", "alice,guest:+14155550100"},
		{"tina@example.com", http.StatusOK, "trainer", ""},
		{"", http.StatusUnauthorized, "", ""},
	}
	for _, tc := range tests {
		t.Run("as "+tc.email, func(t *testing.T) {
			c := f.anon(t)
			if tc.email != "" {
				c = f.login(t, tc.email)
			}
			for _, p := range []string{"/api/me", "/api/me/assignments"} {
				resp, body := c.get(p)
				if resp.StatusCode != tc.want || resp.Header.Get("Content-Type") != "application/json" {
					t.Fatalf("%s: %d %s %s", p, resp.StatusCode, resp.Header.Get("Content-Type"), body)
				}
			}
			if tc.want != http.StatusOK {
				return
			}
			_, body := c.get("/api/me")
			var me struct {
				ID, Name, Role string
				Learners       []string `json:"learner_ids"`
			}
			if err := json.Unmarshal([]byte(body), &me); err != nil || me.Role != tc.role || strings.Join(me.Learners, ",") != tc.learners || me.Name == "" {
				t.Errorf("/api/me = %s (%v)", body, err)
			}
			if strings.Contains(body, "password") || strings.Contains(body, "hash") {
				t.Error("/api/me leaks the password hash")
			}
		})
	}
}
