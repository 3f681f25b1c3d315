package console_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/sparlab/spar/dialog/llm"
	"github.com/sparlab/spar/dialog/llm/llmtest"
	"github.com/sparlab/spar/dialog/studio"
	"github.com/sparlab/spar/dialog/studio/draft"
	"github.com/sparlab/spar/web/console"
)

const sofaPolicy = "Sofa returns\nReturns are accepted within 30 days of delivery only.\nA return collection costs $40 unless the sofa arrived damaged.\n"

// sofaReply is a model's answer for sofaPolicy: valid files (the offline draft's), with the
// starting mood replaced when mood is not "", and the facts given.
func sofaReply(t *testing.T, mood string, facts ...studio.Fact) string {
	t.Helper()
	d, err := draft.Make(draft.Input{ID: "model-id", Kind: draft.Support, Material: sofaPolicy})
	if err != nil {
		t.Fatal(err)
	}
	scen := d.Scenario
	if mood != "" {
		if scen, err = studio.SetFields(scen, map[string]string{"persona.start_mood": mood}); err != nil {
			t.Fatal(err)
		}
	}
	if facts == nil {
		facts = []studio.Fact{}
	}
	type fact struct {
		Fact   string `json:"fact"`
		Source string `json:"source"`
	}
	var fs []fact
	for _, f := range facts {
		fs = append(fs, fact{f.Text, f.Source})
	}
	b, _ := json.Marshal(map[string]any{"scenario_yaml": string(scen), "rubric_yaml": string(d.Rubric), "facts": fs})
	return string(b)
}

// TestStudioDraftWithLLM: with an LLM configured, "Draft" asks it (a fake OpenAI-compatible
// server): a first reply that fails lint is retried, the second opens in the editor with
// each fact beside its sentence of the material and the made-up fact left out; two failing
// replies save nothing and the page lists what failed.
func TestStudioDraftWithLLM(t *testing.T) {
	real := studio.Fact{Text: "Returns within 30 days of delivery.", Source: "Returns are accepted within 30 days of delivery only."}
	madeUp := studio.Fact{Text: "Returns are free for members.", Source: "Members return for free."}
	failAll := false
	fake := llmtest.New(func(_ *http.Request, n int, _ llmtest.Request) (int, string) {
		if failAll || n%2 == 0 {
			return http.StatusOK, sofaReply(t, "furious", real)
		}
		return http.StatusOK, sofaReply(t, "", real, madeUp)
	})
	base := fake.Start(t)
	f, sdo := newStudioFixtureWith(t, func(d *console.Deps, lint studio.Linter) {
		c, err := llm.NewClient(llm.Config{BaseURL: base, Model: "m"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		d.Drafter = draft.NewLLM(c, lint, nil)
	})
	tina := f.login(t, "tina@example.com")
	if _, body := tina.get("/console/studio"); !strings.Contains(body, `id="drafter-llm"`) {
		t.Error("the studio page does not say the LLM drafts")
	}
	resp := tina.form("/console/studio/draft", url.Values{"csrf": {tina.csrf}, "id": {"sofa-llm"}, "kind": {"support"}, "material": {sofaPolicy}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/console/studio/sofa-llm" {
		t.Fatalf("draft: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if n := len(fake.Requests()); n != 2 {
		t.Errorf("%d requests to the LLM, want 2", n)
	}
	v, err := sdo.Get(t.Context(), "sofa-llm", 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(v.Problems) != 0 || len(v.Facts) != 1 || v.Facts[0] != real || !strings.Contains(v.Note, "1 facts left out") {
		t.Errorf("draft version: problems %v, facts %+v, note %q", v.Problems, v.Facts, v.Note)
	}
	_, body := tina.get("/console/studio/sofa-llm")
	if !strings.Contains(body, `id="facts"`) || !strings.Contains(body, real.Source) || strings.Contains(body, madeUp.Text) {
		t.Error("the editor does not show the fact with its source sentence (or shows the made-up one)")
	}

	failAll = true
	req, _ := http.NewRequest(http.MethodPost, f.srv.URL+"/console/studio/draft", strings.NewReader(url.Values{"csrf": {tina.csrf},
		"id": {"sofa-bad"}, "kind": {"support"}, "material": {sofaPolicy}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, body = tina.do(req)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="draft-problems"`) || !strings.Contains(body, "persona.start_mood") {
		t.Errorf("two failed replies: %d, lists the problem: %v", resp.StatusCode, strings.Contains(body, "persona.start_mood"))
	}
	if _, err := sdo.Entry(t.Context(), "sofa-bad"); err == nil {
		t.Error("a failed draft was saved")
	}
}
