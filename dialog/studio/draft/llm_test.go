package draft_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/sparlab/spar/dialog/llm"
	"github.com/sparlab/spar/dialog/llm/llmtest"
	"github.com/sparlab/spar/dialog/scenario"
	"github.com/sparlab/spar/dialog/studio"
	"github.com/sparlab/spar/dialog/studio/draft"
)

// modelReply is what a model would answer for the refund policy: the offline draft's two
// files (valid), with start_mood replaced by mood when mood is not "", and facts.
func modelReply(t *testing.T, material, mood string, facts ...draft.Fact) string {
	t.Helper()
	d, err := draft.Make(draft.Input{ID: "whatever-the-model-says", Kind: draft.Support, Material: material})
	if err != nil {
		t.Fatal(err)
	}
	scen := string(d.Scenario)
	if mood != "" {
		out, err := studio.SetFields(d.Scenario, map[string]string{"persona.start_mood": mood})
		if err != nil {
			t.Fatal(err)
		}
		scen = string(out)
	}
	type fact struct {
		Fact   string `json:"fact"`
		Source string `json:"source"`
	}
	fs := []fact{}
	for _, f := range facts {
		fs = append(fs, fact{f.Text, f.Source})
	}
	b, err := json.Marshal(map[string]any{"scenario_yaml": scen, "rubric_yaml": string(d.Rubric), "facts": fs})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func refundPolicy(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "refund-policy.md"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func newLLM(t *testing.T, base string, hc *http.Client) *draft.LLM {
	t.Helper()
	c, err := llm.NewClient(llm.Config{BaseURL: base, Model: "draft-model", APIKey: "k1"}, hc)
	if err != nil {
		t.Fatal(err)
	}
	return draft.NewLLM(c, studio.Linter{Rubric: checkRubric}, nil)
}

var (
	realFact = draft.Fact{Text: "Refunds reach the card within 5 business days of the parcel reaching the warehouse.",
		Source: "Refunds go back to the original card within 5 business days of the parcel reaching our warehouse."}
	madeUp = draft.Fact{Text: "Refunds are instant for gold members.", Source: "Gold members get instant refunds."}
)

// TestLLMDraftRetriesWithLint: the drafter sends a structured-output request (golden: the
// exact body), the fake model's first reply fails lint, the second request carries the
// problems, and the second reply becomes the draft: its id forced to the one asked for,
// the fact whose source sentence is in the material in the backstory with its source, the
// made-up one rejected.
func TestLLMDraftRetriesWithLint(t *testing.T) {
	material := refundPolicy(t)
	fake := llmtest.New(func(_ *http.Request, n int, _ llmtest.Request) (int, string) {
		if n == 0 {
			return http.StatusOK, modelReply(t, material, "furious", realFact)
		}
		return http.StatusOK, modelReply(t, material, "", realFact, madeUp)
	})
	d, err := newLLM(t, fake.Start(t), nil).Make(t.Context(), draft.Input{ID: "refund-llm", Kind: draft.Support, Material: material})
	if err != nil {
		t.Fatal(err)
	}
	reqs := fake.Requests()
	if len(reqs) != 2 {
		t.Fatalf("%d requests, want 2 (one retry)", len(reqs))
	}
	var body bytes.Buffer
	if err := json.Indent(&body, reqs[0].Body, "", "  "); err != nil {
		t.Fatal(err)
	}
	golden(t, filepath.Join("testdata", "llm-request.golden.json"), body.Bytes())
	if reqs[0].Auth != "Bearer k1" || reqs[0].Path != "/v1/chat/completions" {
		t.Errorf("request auth %q path %q", reqs[0].Auth, reqs[0].Path)
	}
	rf, _ := reqs[0].JSON["response_format"].(map[string]any)
	if rf["type"] != "json_schema" || reqs[0].JSON["stream"] != false {
		t.Errorf("response_format %v, stream %v: want a strict JSON schema, not streamed", rf, reqs[0].JSON["stream"])
	}
	retry := reqs[1].Messages
	if len(retry) != 4 || retry[2].Role != "assistant" || !strings.Contains(retry[3].Content, "persona.start_mood") {
		t.Errorf("the retry does not carry the first reply and its lint problem: %+v", retry)
	}

	if ps := (studio.Linter{Rubric: checkRubric}).Lint("refund-llm", d.Scenario, d.Rubric); len(ps) != 0 {
		t.Errorf("the draft has problems: %v", ps)
	}
	sc, err := scenario.Parse("refund-llm.yaml", d.Scenario)
	if err != nil {
		t.Fatal(err)
	}
	if sc.ID != "refund-llm" || !strings.Contains(sc.Persona.Backstory, realFact.Text) || strings.Contains(sc.Persona.Backstory, "Gold") {
		t.Errorf("scenario id %q, backstory %q", sc.ID, sc.Persona.Backstory)
	}
	if len(d.Facts) != 1 || d.Facts[0] != realFact || len(d.Rejected) != 1 || d.Rejected[0] != madeUp {
		t.Errorf("facts %+v, rejected %+v", d.Facts, d.Rejected)
	}
}

// TestLLMDraftFails: two replies that fail lint (or are not the JSON asked for) end in a
// FailedError that says what failed; nothing is retried a third time.
func TestLLMDraftFails(t *testing.T) {
	material := refundPolicy(t)
	for name, replies := range map[string][2]string{
		"lint twice":      {modelReply(t, material, "furious"), modelReply(t, material, "furious")},
		"not JSON, twice": {"Sure! Here is your scenario:", `{"scenario_yaml": ""}`},
	} {
		t.Run(name, func(t *testing.T) {
			fake := llmtest.New(func(_ *http.Request, n int, _ llmtest.Request) (int, string) {
				return http.StatusOK, replies[min(n, 1)]
			})
			_, err := newLLM(t, fake.Start(t), nil).Make(t.Context(), draft.Input{ID: "refund-llm", Kind: draft.Support, Material: material})
			var fail *draft.FailedError
			if !errors.As(err, &fail) || !errors.Is(err, draft.ErrLLM) || fail.Attempts != 2 || len(fake.Requests()) != 2 {
				t.Fatalf("err = %v; want a FailedError after 2 attempts (%d requests)", err, len(fake.Requests()))
			}
			if len(fail.Problems) == 0 && fail.Reply == "" {
				t.Errorf("the failure does not say what failed: %+v", fail)
			}
			if name == "lint twice" && (len(fail.Problems) == 0 || fail.Problems[0].Field != "persona.start_mood") {
				t.Errorf("problems %v, want the starting mood's", fail.Problems)
			}
		})
	}
}

// TestLLMDraftTimeout: a server that never answers ends the draft at the drafter's timeout
// with a FailedError saying so (on synctest's clock: the fake serves without sockets).
func TestLLMDraftTimeout(t *testing.T) {
	material := refundPolicy(t)
	synctest.Test(t, func(t *testing.T) {
		fake := llmtest.New(func(r *http.Request, _ int, _ llmtest.Request) (int, string) {
			<-r.Context().Done()
			return http.StatusGatewayTimeout, "gave up"
		})
		l := newLLM(t, "http://llm.test", &http.Client{Transport: llmtest.Transport{H: fake}})
		l.Timeout = 30 * time.Second
		_, err := l.Make(context.Background(), draft.Input{ID: "refund-llm", Kind: draft.Support, Material: material})
		var fail *draft.FailedError
		if !errors.As(err, &fail) || !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "no answer within 30s") {
			t.Fatalf("err = %v; want a FailedError for the timeout", err)
		}
		if fail.Attempts != 1 {
			t.Errorf("attempts %d: a timeout is not retried", fail.Attempts)
		}
	})
}
