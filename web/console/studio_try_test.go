package console_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/sparlab/spar/dialog"
	"github.com/sparlab/spar/dialog/store"
	"github.com/sparlab/spar/telephony"
)

// TestStudioTry: "Try it" gives the trainer a ticket for a draft version learners cannot
// see, which only she can read back; learners get 403 and a version with problems none.
func TestStudioTry(t *testing.T) {
	f, sdo := newStudioFixture(t)
	ctx := t.Context()
	v1, err := sdo.Duplicate(ctx, "double-charge", "refund-red", "tina")
	if err != nil {
		t.Fatal(err)
	}
	tina := f.login(t, "tina@example.com")
	resp, body := tina.send("POST", "/console/api/studio/refund-red/try", map[string]int{"n": 0}, true)
	var tr struct {
		Ticket, URL string
		N           int
	}
	if err := json.Unmarshal([]byte(body), &tr); err != nil || resp.StatusCode != http.StatusCreated || tr.N != 1 || tr.URL != "/?trial="+tr.Ticket {
		t.Fatalf("try: %d %s", resp.StatusCode, body)
	}
	resp, body = tina.get("/console/api/trial/" + tr.Ticket)
	var view struct {
		ID, Title, Trial, Editor string
		Version                  int
	}
	if err := json.Unmarshal([]byte(body), &view); err != nil || resp.StatusCode != http.StatusOK || view.ID != "refund-red" ||
		view.Version != 1 || view.Title != "Charged twice for a renewal (copy)" || view.Trial != tr.Ticket || view.Editor != "/console/studio/refund-red" {
		t.Errorf("trial view: %d %s", resp.StatusCode, body)
	}
	if sc, err := sdo.Scenario(ctx, "refund-red", 1); err != nil || sc.Persona.Goal == "" || strings.Contains(body, sc.Persona.Goal) {
		t.Errorf("the trial view shows the persona's hidden goal (%v)", err)
	}
	if resp, _ := tina.get("/console/api/trial/NOPE"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown ticket: %d, want 404", resp.StatusCode)
	}

	alice := f.login(t, "alice@example.com")
	if resp, _ := alice.send("POST", "/console/api/studio/refund-red/try", map[string]int{"n": 1}, true); resp.StatusCode != http.StatusForbidden {
		t.Errorf("learner try: %d, want 403", resp.StatusCode)
	}
	if resp, _ := alice.get("/console/api/trial/" + tr.Ticket); resp.StatusCode != http.StatusForbidden {
		t.Errorf("learner reads a trial: %d, want 403", resp.StatusCode)
	}
	if _, body := alice.get("/api/scenarios"); strings.Contains(body, "refund-red") {
		t.Error("the learner's scenario list has the draft")
	}

	bad := strings.Replace(v1.YAML, "start_mood: 6", "start_mood: lots", 1)
	if _, err := sdo.Save(ctx, "refund-red", []byte(bad), []byte(v1.Rubric), "tina", ""); err != nil {
		t.Fatal(err)
	}
	if resp, body := tina.send("POST", "/console/api/studio/refund-red/try", map[string]int{"n": 2}, true); resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "start_mood") {
		t.Errorf("trying a version with problems: %d %s", resp.StatusCode, body)
	}
	if resp, _ := tina.send("POST", "/console/api/studio/refund-red/try", map[string]int{"n": 7}, true); resp.StatusCode != http.StatusNotFound {
		t.Errorf("trying a missing version: %d, want 404", resp.StatusCode)
	}
}

// TestTrialCallsNotCounted: a trainer's trial call recorded under a learner ID shows in the
// calls list, marked, but not in that learner's progress or the team's rep counts.
func TestTrialCallsNotCounted(t *testing.T) {
	f := newFixture(t)
	first, err := f.st.Get(t.Context(), "call-alice")
	if err != nil {
		t.Fatal(err)
	}
	log, err := f.st.Begin(t.Context(), telephony.Info{ID: "call-trial", Transport: "webrtc", Scenario: "double-charge",
		Learner: "alice", Started: first.Started.Add(1), Params: map[string]string{store.ParamTrial: "tina", store.ParamScenarioVersion: "2"}}, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := log.Seal(t.Context(), dialog.Result{EndReason: "learner hung up", Transcript: sampleLines, Turns: 2}); err != nil {
		t.Fatal(err)
	}
	tina := f.login(t, "tina@example.com")
	_, body := tina.get("/console/learners/alice")
	if !strings.Contains(body, "<b>2</b> reps") {
		t.Error("the learner's progress counts the trial call")
	}
	month := first.Started.Local().Format("2006-01")
	_, body = tina.get("/console/teams/red?month=" + month)
	if !strings.Contains(body, "<b>2</b> reps this month") || !strings.Contains(body, `data-learner="alice" data-reps="2"`) {
		t.Error("the team dashboard counts the trial call")
	}
	_, body = tina.get("/console/calls")
	if !strings.Contains(body, `href="/console/calls/call-trial"`) || !strings.Contains(body, `class="tag trial"`) {
		t.Error("the calls list does not show the trial call, marked as one")
	}
	if _, body = tina.get("/console/calls/call-trial"); !strings.Contains(body, `(version 2)</span> <span class="tag trial">trial</span>`) {
		t.Error("the replay does not say the call was a trial of version 2")
	}
}
