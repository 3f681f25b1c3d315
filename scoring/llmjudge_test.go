package scoring

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// fakeChat is an in-process OpenAI-compatible chat server: it answers every request with
// reply's content (wrapped in a completion envelope) and remembers the last request.
type fakeChat struct {
	reply func(r *http.Request, req chatRequest) (status int, content string)

	mu   sync.Mutex
	last chatRequest
	auth string
	path string
}

func (f *fakeChat) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var req chatRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	f.mu.Lock()
	f.last, f.auth, f.path = req, r.Header.Get("Authorization"), r.URL.Path
	f.mu.Unlock()
	status, content := f.reply(r, req)
	if status != http.StatusOK {
		http.Error(w, content, status)
		return
	}
	env := map[string]any{"choices": []any{map[string]any{"index": 0, "finish_reason": "stop",
		"message": map[string]any{"role": "assistant", "content": content}}}}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(env)
}

// goodReply answers for every criterion of the dc-good call's rubric, quoting real lines
// (timestamps roughly right, as a model gives them); override replaces some criteria.
func goodReply(c *Call, override map[string]string) string {
	var parts []string
	for _, cr := range c.Rubric.Criteria {
		if o, ok := override[cr.ID]; ok {
			parts = append(parts, o)
			continue
		}
		parts = append(parts, fmt.Sprintf(`{"id":%q,"score":0.9,"rationale":"done well","evidence":[`+
			`{"speaker":"learner","at":"0:18","text":"Being charged twice, right before your rent is due","positive":true}],`+
			`"better":"try saying it sooner"}`, cr.ID))
	}
	return `{"criteria":[` + strings.Join(parts, ",") + `]}`
}

func dcGoodCall(t *testing.T) *Call {
	t.Helper()
	rs, cat := shipped(t)
	for _, l := range loadLabeled(t) {
		if l.Name == "rw-dc-good" {
			return callFor(t, l, rs, cat)
		}
	}
	t.Fatal("rw-dc-good not in the labeled set")
	return nil
}

func TestLLMJudge(t *testing.T) {
	invented := `{"id":"apologize_own","score":1,"rationale":"apologised","evidence":[` +
		`{"speaker":"learner","at":"0:27","text":"i am terribly sorry for all the trouble we caused","positive":true},` +
		`{"speaker":"learner","at":"0:27","text":"that's our mistake","positive":true}],"better":"x"}`
	for _, tc := range []struct {
		name    string
		status  int
		content func(c *Call) string
		wantErr error // nil: a card
		check   func(t *testing.T, card *Scorecard)
	}{
		{name: "good reply", content: func(c *Call) string { return goodReply(c, nil) }, check: func(t *testing.T, card *Scorecard) {
			if card.Overall != 90 || !card.Pass || slices.Contains(card.Flags, FlagLowConfidence) || card.Judge != "llm:judge-model" {
				t.Errorf("overall %d pass %v flags %v judge %s; want 90, pass, no low confidence, llm:judge-model", card.Overall, card.Pass, card.Flags, card.Judge)
			}
			ev := card.Criteria[0].Evidence
			if len(ev) != 1 || ev[0].At != 17700*time.Millisecond || card.Criteria[0].Better != "try saying it sooner" {
				t.Errorf("criterion %+v; want the quote kept at the line's start, 17.7s, and the judge's better line", card.Criteria[0])
			}
		}},
		{name: "invented quote", content: func(c *Call) string {
			return goodReply(c, map[string]string{"apologize_own": invented})
		}, check: func(t *testing.T, card *Scorecard) {
			for _, cr := range card.Criteria {
				if cr.ID != "apologize_own" {
					continue
				}
				if !cr.LowConfidence || len(cr.Evidence) != 1 || cr.Evidence[0].Text != "that's our mistake" {
					t.Errorf("apologize_own = %+v; want the invented quote dropped, the real one kept, low confidence", cr)
				}
			}
			if !slices.Contains(card.Flags, FlagLowConfidence) {
				t.Errorf("flags %v lack %s", card.Flags, FlagLowConfidence)
			}
		}},
		{name: "not JSON", content: func(*Call) string { return "Sure! Here is the score: acknowledge 0.9, verify 1." }, wantErr: ErrJudgeReply},
		{name: "JSON then prose", content: func(c *Call) string { return goodReply(c, nil) + " hope that helps" }, wantErr: ErrJudgeReply},
		{name: "criterion missing", content: func(c *Call) string {
			return goodReply(c, map[string]string{"verify": `{"id":"not_in_rubric","score":1,"rationale":"r"}`})
		}, wantErr: ErrJudgeReply},
		{name: "score out of range", content: func(c *Call) string {
			return goodReply(c, map[string]string{"verify": `{"id":"verify","score":7,"rationale":"r"}`})
		}, wantErr: ErrJudgeReply},
		{name: "bad speaker", content: func(c *Call) string {
			return goodReply(c, map[string]string{"verify": `{"id":"verify","score":1,"rationale":"r","evidence":[{"speaker":"agent","text":"hi"}]}`})
		}, wantErr: ErrJudgeReply},
		{name: "server error", status: http.StatusServiceUnavailable, content: func(*Call) string { return "overloaded" }, wantErr: ErrJudge},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := dcGoodCall(t)
			fake := &fakeChat{reply: func(*http.Request, chatRequest) (int, string) {
				return max(tc.status, http.StatusOK), tc.content(c)
			}}
			srv := httptest.NewServer(fake)
			defer srv.Close()
			j, err := NewLLMJudge(JudgeConfig{Type: JudgeLLM, BaseURL: srv.URL + "/v1", Model: "judge-model", APIKey: "k1"}, srv.Client())
			if err != nil {
				t.Fatal(err)
			}
			card, err := Score(context.Background(), j, j.Name(), c, time.Unix(0, 0))
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) || !errors.Is(err, ErrJudge) {
					t.Fatalf("err = %v; want %v (and ErrJudge, which the worker retries)", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tc.check(t, card)
			fake.mu.Lock()
			defer fake.mu.Unlock()
			if fake.path != "/v1/chat/completions" || fake.auth != "Bearer k1" || fake.last.Model != "judge-model" ||
				fake.last.Stream || fake.last.ResponseFormat == nil || fake.last.ResponseFormat.Type != "json_object" {
				t.Errorf("request %s auth %q %+v", fake.path, fake.auth, fake.last)
			}
			sys, user := fake.last.Messages[0].Content, fake.last.Messages[1].Content
			for _, want := range []string{`id "acknowledge"`, `id "verify"`, "pass mark 70", "talk_ratio=", "Charged twice for a renewal"} {
				if !strings.Contains(sys, want) {
					t.Errorf("system prompt lacks %q", want)
				}
			}
			if !strings.Contains(user, "[0:18] learner: oh no being charged twice") {
				t.Errorf("transcript prompt lacks the timestamped line:\n%s", user)
			}
		})
	}
}

// handlerTransport serves requests with an in-process handler, without sockets, so the
// judge's timeout can run on synctest's fake clock.
type handlerTransport struct{ h http.Handler }

func (t handlerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	rec := httptest.NewRecorder()
	t.h.ServeHTTP(rec, r)
	if err := r.Context().Err(); err != nil {
		return nil, err
	}
	return rec.Result(), nil
}

// TestLLMJudgeTimeout: a server that never answers costs exactly the configured timeout
// and is an ErrJudge (the worker retries, then falls back).
func TestLLMJudgeTimeout(t *testing.T) {
	c := dcGoodCall(t)
	synctest.Test(t, func(t *testing.T) {
		fake := &fakeChat{reply: func(r *http.Request, _ chatRequest) (int, string) {
			<-r.Context().Done()
			return http.StatusGatewayTimeout, "gave up"
		}}
		j, err := NewLLMJudge(JudgeConfig{Type: JudgeLLM, BaseURL: "http://judge.test", Timeout: 45 * time.Second},
			&http.Client{Transport: handlerTransport{fake}})
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		_, err = Score(context.Background(), j, j.Name(), c, start)
		if !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, ErrJudge) {
			t.Fatalf("err = %v; want a deadline exceeded ErrJudge", err)
		}
		if d := time.Since(start); d != 45*time.Second {
			t.Errorf("gave up after %v, want the configured 45s", d)
		}
	})
}

func TestParseClock(t *testing.T) {
	for in, want := range map[string]time.Duration{"": 0, "0:18": 18 * time.Second, "[1:02]": 62 * time.Second,
		"1:00:05": time.Hour + 5*time.Second, "17.5": 17500 * time.Millisecond} {
		if got, err := parseClock(in); err != nil || got != want {
			t.Errorf("parseClock(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	if _, err := parseClock("soon"); err == nil {
		t.Error("parseClock(soon) accepted")
	}
}

// TestClaimIdleCoversLLMJudge: a worker must not lose its job to XAUTOCLAIM while the LLM
// judge is still retrying, so claim_idle defaults above the longest job and a smaller one
// is refused.
func TestClaimIdleCoversLLMJudge(t *testing.T) {
	llm := Config{MaxAttempts: 3, RetryMin: time.Second, RetryMax: 2 * time.Second, Judge: JudgeConfig{Type: JudgeLLM, Timeout: time.Minute}}
	// 3 attempts of 1m, backoff 1s + 2s: 3m3s; default adds a minute.
	if got := llm.WithDefaults().ClaimIdle; got != 4*time.Minute+3*time.Second {
		t.Errorf("default claim_idle with the llm judge = %v, want 4m3s", got)
	}
	if got := (Config{}).WithDefaults().ClaimIdle; got != 2*time.Minute {
		t.Errorf("default claim_idle = %v, want 2m", got)
	}
	def := DefaultConfig()
	def.Judge = JudgeConfig{Type: JudgeLLM}
	if err := def.Validate(); err != nil {
		t.Errorf("the defaults with the llm judge: %v", err)
	}
	llm.ClaimIdle = 2 * time.Minute
	if err := llm.Validate(); !errors.Is(err, ErrInvalidConfig) {
		t.Errorf("claim_idle 2m with a 3m3s job: %v, want ErrInvalidConfig", err)
	}
}
