package console_test

import (
	"encoding/json"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"github.com/sparlab/spar/configs"
	"github.com/sparlab/spar/dialog"
	"github.com/sparlab/spar/dialog/scenario"
	"github.com/sparlab/spar/dialog/store"
	"github.com/sparlab/spar/dialog/store/storetest"
	"github.com/sparlab/spar/dialog/studio"
	"github.com/sparlab/spar/scoring"
	"github.com/sparlab/spar/telephony"
	"github.com/sparlab/spar/web"
	"github.com/sparlab/spar/web/account"
	"github.com/sparlab/spar/web/console"
)

// builtinFiles are the shipped scenarios and rubrics, read-only to the studio.
type builtinFiles struct{}

func (builtinFiles) Source(id string) ([]byte, []byte, bool) {
	scen, err := fs.ReadFile(configs.Scenarios, "scenarios/"+id+".yaml")
	if err != nil {
		return nil, nil, false
	}
	rub, _ := fs.ReadFile(configs.Rubrics, "rubrics/"+id+".yaml")
	return scen, rub, true
}

// newStudioFixture is a console with the scenario studio wired as serve.go does: the
// built-in scenarios plus the published studio ones, for the console and the practice page.
// Trainer tina and learner alice (team red).
func newStudioFixture(t *testing.T) (*fixture, *studio.Studio) {
	t.Helper()
	return newStudioFixtureWith(t, nil)
}

// newStudioFixtureWith is newStudioFixture with the console's dependencies changed by tune
// (given the studio's lint), before the console is built.
func newStudioFixtureWith(t *testing.T, tune func(d *console.Deps, lint studio.Linter)) (*fixture, *studio.Studio) {
	t.Helper()
	rdb := storetest.Redis(t)
	st, err := store.New(rdb, store.Config{Prefix: storetest.Prefix(t)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	accts, err := account.New(rdb, st.AccountKeys(), account.Config{BcryptCost: bcrypt.MinCost}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []account.NewUser{
		{ID: "tina", Name: "Tina Trainer", Email: "tina@example.com", Role: account.RoleTrainer, Teams: []string{"red"}},
		{ID: "alice", Name: "Alice Learner", Email: "alice@example.com", Role: account.RoleLearner, Teams: []string{"red"}},
	} {
		n.Password = pw
		if _, err := accts.Create(t.Context(), n); err != nil {
			t.Fatal(err)
		}
	}
	files, err := scenario.Load(configs.Scenarios, "scenarios")
	if err != nil {
		t.Fatal(err)
	}
	lint := studio.Linter{Rubric: func(sc *scenario.Scenario, data []byte) error {
		r, err := scoring.ParseRubric(sc.ID+".yaml", data)
		if err != nil {
			return err
		}
		return r.CheckScenario(sc)
	}}
	sdo := studio.New(rdb, st.StudioKeys(), builtinFiles{}, lint, nil, slog.New(slog.DiscardHandler))
	catalog := files.WithLive(sdo.Live())
	cards := scoring.NewCards(rdb, st)
	deps := console.Deps{
		Accounts: accts, Calls: st, Cards: cards, Redis: rdb, Keys: st.FeedbackKeys(),
		Scenarios: catalog, Studio: sdo, Log: slog.New(slog.DiscardHandler)}
	if tune != nil {
		tune(&deps, lint)
	}
	cons, err := console.New(console.Config{RecordingDir: t.TempDir()}, deps)
	if err != nil {
		t.Fatal(err)
	}
	guard := account.NewGuard(accts, st)
	mux := http.NewServeMux()
	cons.Register(mux)
	api := http.NewServeMux()
	web.New(guard.PublicCalls(), cards, catalog, slog.New(slog.DiscardHandler)).Register(api)
	mux.Handle("/", guard.WrapAPI(api))
	f := &fixture{accts: accts, st: st, cards: cards, calls: map[string]string{}}
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f, sdo
}

func TestStudioTrainersOnly(t *testing.T) {
	f, _ := newStudioFixture(t)
	alice := f.login(t, "alice@example.com")
	for _, path := range []string{"/console/studio", "/console/studio/anything"} {
		if resp, _ := alice.get(path); resp.StatusCode != http.StatusForbidden {
			t.Errorf("learner GET %s: %d, want 403", path, resp.StatusCode)
		}
	}
	if resp, _ := alice.send("POST", "/console/api/studio/x/versions", map[string]string{"yaml": "id: x"}, true); resp.StatusCode != http.StatusForbidden {
		t.Errorf("learner save: %d, want 403", resp.StatusCode)
	}
	tina := f.login(t, "tina@example.com")
	resp, body := tina.get("/console/studio")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `<option value="double-charge">`) {
		t.Errorf("trainer's studio page: %d, built-ins offered: %v", resp.StatusCode, strings.Contains(body, "double-charge"))
	}
}

func TestStudioEditAPI(t *testing.T) {
	f, sdo := newStudioFixture(t)
	tina := f.login(t, "tina@example.com")
	resp := tina.form("/console/studio/duplicate", url.Values{"csrf": {tina.csrf}, "from": {"double-charge"}, "id": {"refund-red"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/console/studio/refund-red" {
		t.Fatalf("duplicate: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if resp := tina.form("/console/studio/duplicate", url.Values{"csrf": {tina.csrf}, "from": {"double-charge"}, "id": {"Not An Id"}}); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("duplicate to a bad id: %d, want 400", resp.StatusCode)
	}
	v1, err := sdo.Get(t.Context(), "refund-red", 1)
	if err != nil {
		t.Fatal(err)
	}

	// The form wins over the YAML it came with: its fields are written into it and linted.
	draft := map[string]any{"yaml": v1.YAML, "rubric": v1.Rubric,
		"fields": map[string]string{"persona.start_mood": "lots", "criteria[0].weight": "25"}}
	resp, body := tina.send("POST", "/console/api/studio/refund-red/lint", draft, true)
	var lint struct {
		YAML, Rubric string
		Fields       map[string]string
		Problems     []studio.Problem
	}
	if err := json.Unmarshal([]byte(body), &lint); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("lint: %d %s", resp.StatusCode, body)
	}
	if !strings.Contains(lint.YAML, "start_mood: lots") || lint.Fields["criteria[0].weight"] != "25" {
		t.Errorf("form not applied: start_mood in YAML %v, weight %q", strings.Contains(lint.YAML, "start_mood: lots"), lint.Fields["criteria[0].weight"])
	}
	if len(lint.Problems) == 0 || lint.Problems[0].Field != "persona.start_mood" {
		t.Errorf("lint problems %v, want one at persona.start_mood", lint.Problems)
	}
	// Saved with its problem (nothing typed is lost), but it cannot be published.
	resp, body = tina.send("POST", "/console/api/studio/refund-red/versions", draft, true)
	if resp.StatusCode != http.StatusCreated || !strings.Contains(body, `"n":2`) {
		t.Fatalf("save: %d %s", resp.StatusCode, body)
	}
	if resp, body := tina.send("POST", "/console/api/studio/refund-red/publish", map[string]int{"n": 2}, true); resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "start_mood") {
		t.Errorf("publishing a version with a problem: %d %s", resp.StatusCode, body)
	}
	if resp, _ := tina.send("POST", "/console/api/studio/refund-red/publish", map[string]int{"n": 1}, true); resp.StatusCode != http.StatusOK {
		t.Errorf("publish version 1: %d", resp.StatusCode)
	}
	// Export gives the version's files exactly as saved.
	if resp, body := tina.get("/console/studio/refund-red/v/1/scenario.yaml"); resp.StatusCode != http.StatusOK || body != v1.YAML {
		t.Errorf("export of version 1: %d, same bytes %v", resp.StatusCode, body == v1.YAML)
	}
	if resp, body := tina.get("/console/studio/refund-red/v/2/rubric.yaml"); resp.StatusCode != http.StatusOK || !strings.Contains(body, "weight: 25") {
		t.Errorf("export of version 2's rubric: %d", resp.StatusCode)
	}
	// The practice page's list has the published version.
	alice := f.login(t, "alice@example.com")
	if _, body := alice.get("/api/scenarios"); !strings.Contains(body, `"refund-red"`) {
		t.Errorf("the learner's scenario list lacks the published copy: %s", body)
	}
	// Import takes the two files as uploads; export gives them back byte for byte.
	scen := strings.Replace(v1.YAML, "id: refund-red\n", "id: refund-blue\n", 1)
	rub := strings.Replace(v1.Rubric, "scenario: refund-red\n", "scenario: refund-blue\n", 1)
	resp, body = tina.send("POST", "/console/api/studio/import", map[string]string{"scenario": scen, "rubric": rub}, true)
	if resp.StatusCode != http.StatusCreated || !strings.Contains(body, `"editor":"/console/studio/refund-blue"`) {
		t.Fatalf("import: %d %s", resp.StatusCode, body)
	}
	if resp, _ := tina.send("POST", "/console/api/studio/import", map[string]string{"scenario": scen, "rubric": rub}, true); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("importing a taken id: %d, want 400", resp.StatusCode)
	}
	if _, body := tina.get("/console/studio/refund-blue/v/1/scenario.yaml"); body != scen {
		t.Error("the imported scenario exports differently")
	}
	if _, body := tina.get("/console/studio/refund-blue/v/1/rubric.yaml"); body != rub {
		t.Error("the imported rubric exports differently")
	}
	// Built-ins stay read-only.
	if resp, _ := tina.send("POST", "/console/api/studio/double-charge/versions", map[string]string{"yaml": v1.YAML, "rubric": v1.Rubric}, true); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("saving over a built-in: %d, want 400", resp.StatusCode)
	}
}

// TestReplayShowsScenarioVersion: a call on a studio scenario keeps, and its replay shows,
// the version it ran against, after later versions are published.
func TestReplayShowsScenarioVersion(t *testing.T) {
	f, sdo := newStudioFixture(t)
	ctx := t.Context()
	v1, err := sdo.Duplicate(ctx, "double-charge", "refund-red", "tina")
	if err != nil {
		t.Fatal(err)
	}
	if err := sdo.Publish(ctx, "refund-red", 1); err != nil {
		t.Fatal(err)
	}
	log, err := f.st.Begin(ctx, telephony.Info{ID: "call-v1", Transport: "webrtc", Scenario: "refund-red", Learner: "alice",
		Params: map[string]string{store.ParamScenarioVersion: "1"}}, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := log.Seal(ctx, dialog.Result{EndReason: "learner hung up"}); err != nil {
		t.Fatal(err)
	}
	if _, err := sdo.Save(ctx, "refund-red", []byte(strings.Replace(v1.YAML, "start_mood: 6", "start_mood: 8", 1)), []byte(v1.Rubric), "tina", ""); err != nil {
		t.Fatal(err)
	}
	if err := sdo.Publish(ctx, "refund-red", 2); err != nil {
		t.Fatal(err)
	}
	tina := f.login(t, "tina@example.com")
	resp, body := tina.get("/console/calls/call-v1")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `<span id="scenario-version">(version 1)</span>`) {
		t.Errorf("replay page: %d, shows version 1: %v", resp.StatusCode, strings.Contains(body, "(version 1)"))
	}
}

// TestStudioDraftFromMaterial: pasted material becomes a draft scenario in the studio, with
// the material's questions as its objections.
func TestStudioDraftFromMaterial(t *testing.T) {
	f, sdo := newStudioFixture(t)
	tina := f.login(t, "tina@example.com")
	material := "Q: Can I return a sofa after 30 days?\nA: Returns are accepted within 30 days of delivery only.\n"
	resp := tina.form("/console/studio/draft", url.Values{"csrf": {tina.csrf}, "id": {"sofa-returns"}, "kind": {"support"}, "material": {material}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/console/studio/sofa-returns" {
		t.Fatalf("draft: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	v, err := sdo.Get(t.Context(), "sofa-returns", 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(v.Problems) != 0 || !strings.Contains(v.YAML, "Can I return a sofa after thirty days?") || !strings.HasPrefix(v.Note, "drafted from material (support)") {
		t.Errorf("draft version: problems %v, note %q", v.Problems, v.Note)
	}
	resp = tina.form("/console/studio/draft", url.Values{"csrf": {tina.csrf}, "id": {"empty"}, "kind": {"support"}, "material": {" "}})
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("empty material: %d, want 400", resp.StatusCode)
	}
}

// TestStudioLintLists: the form's list rows are written into the files; a behaviour named
// like another is a problem at its name, and the files are left as they were.
func TestStudioLintLists(t *testing.T) {
	f, sdo := newStudioFixture(t)
	tina := f.login(t, "tina@example.com")
	if resp := tina.form("/console/studio/duplicate", url.Values{"csrf": {tina.csrf}, "from": {"double-charge"}, "id": {"refund-red"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("duplicate: %d", resp.StatusCode)
	}
	v1, err := sdo.Get(t.Context(), "refund-red", 1)
	if err != nil {
		t.Fatal(err)
	}
	rows := studio.ListRows([]byte(v1.YAML), []byte(v1.Rubric))
	type view struct {
		YAML, Rubric string
		Lists        map[string][]studio.Row
		ListsApplied bool `json:"lists_applied"`
		Problems     []studio.Problem
	}
	lint := func(lists map[string][]studio.Row) view {
		t.Helper()
		resp, body := tina.send("POST", "/console/api/studio/refund-red/lint", map[string]any{"yaml": v1.YAML, "rubric": v1.Rubric,
			"fields": map[string]string{}, "lists": lists}, true)
		var v view
		if err := json.Unmarshal([]byte(body), &v); err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("lint: %d %s", resp.StatusCode, body)
		}
		return v
	}

	crit := rows["criteria"][1:]
	crit[0].Values["weight"] = "35"
	v := lint(map[string][]studio.Row{"criteria": crit})
	if !v.ListsApplied || len(v.Lists["criteria"]) != len(rows["criteria"])-1 || v.Lists["criteria"][0].Values["weight"] != "35" || v.YAML != v1.YAML {
		t.Errorf("criteria not applied: applied %v, rows %v", v.ListsApplied, v.Lists["criteria"])
	}
	if strings.Contains(v.Rubric, "id: acknowledge") {
		t.Error("the removed criterion is still in the rubric")
	}

	beh := rows["behaviours"]
	beh[1].Values["name"] = beh[0].Values["name"]
	v = lint(map[string][]studio.Row{"behaviours": beh})
	if v.ListsApplied || v.YAML != v1.YAML {
		t.Error("a duplicate behaviour name was written into the YAML")
	}
	want := "behaviours." + beh[0].Values["name"] + ".name"
	if len(v.Problems) == 0 || v.Problems[0].Field != want {
		t.Errorf("problems %v, want the first at %s", v.Problems, want)
	}
}
