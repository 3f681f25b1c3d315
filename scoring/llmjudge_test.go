package scoring

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/sparlab/spar/dialog"
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
		{name: "every quote invented", content: func(c *Call) string {
			all := map[string]string{}
			for _, cr := range c.Rubric.Criteria {
				all[cr.ID] = fmt.Sprintf(`{"id":%q,"score":1,"rationale":"flawless","evidence":[`+
					`{"speaker":"learner","at":"0:40","text":"I completely understand and I will refund you right now","positive":true}],"better":"x"}`, cr.ID)
			}
			return goodReply(c, all)
		}, check: func(t *testing.T, card *Scorecard) {
			if card.Overall != 0 || card.Pass || len(card.Strengths) > 0 || len(card.WinningLines) > 0 {
				t.Errorf("overall %d pass %v strengths %q winning %v; want 0, fail, none", card.Overall, card.Pass, card.Strengths, card.WinningLines)
			}
			for _, cr := range card.Criteria {
				if cr.Score != 0 || !cr.LowConfidence || cr.Rationale != unverified || len(cr.Evidence) > 0 {
					t.Errorf("%s = %+v; want no credit, low confidence, the unverified rationale", cr.ID, cr)
				}
			}
			if !slices.Contains(card.Notes, Note(FlagLowConfidence)) {
				t.Errorf("notes %q lack the low confidence note", card.Notes)
			}
		}},
		{name: "persona line as evidence", content: func(c *Call) string {
			return goodReply(c, map[string]string{"verify": `{"id":"verify","score":1,"rationale":"verified","evidence":[` +
				`{"speaker":"persona","at":"0:41","text":"it's dana reyes dana dot reyes at northmail dot com","positive":true}],"better":"x"}`})
		}, check: wantUnverified("verify")},
		{name: "one-word quote", content: func(c *Call) string {
			return goodReply(c, map[string]string{"close": `{"id":"close","score":1,"rationale":"closed","evidence":[` +
				`{"speaker":"learner","at":"1:25","text":"anything","positive":true}],"better":"x"}`})
		}, check: wantUnverified("close")},
		{name: "wrong timestamp", content: func(c *Call) string {
			return goodReply(c, map[string]string{"resolve": `{"id":"resolve","score":1,"rationale":"refunded","evidence":[` +
				`{"speaker":"learner","at":"0:05","text":"i've re funded the second one just now","positive":true}],"better":"x"}`})
		}, check: wantUnverified("resolve")},
		{name: "no timestamp", content: func(c *Call) string {
			return goodReply(c, map[string]string{"resolve": `{"id":"resolve","score":1,"rationale":"refunded","evidence":[` +
				`{"speaker":"learner","text":"i've re funded the second one just now","positive":true}],"better":"x"}`})
		}, check: func(t *testing.T, card *Scorecard) {
			for _, cr := range card.Criteria {
				if cr.ID == "resolve" && (cr.Score != 1 || cr.LowConfidence || len(cr.Evidence) != 1 || cr.Evidence[0].At != 53*time.Second) {
					t.Errorf("resolve = %+v; want the quote found at 0:53, full credit", cr)
				}
			}
		}},
		{name: "credit without a quote", content: func(c *Call) string {
			return goodReply(c, map[string]string{
				"verify": `{"id":"verify","score":1,"rationale":"verified","evidence":[],"better":"x"}`,
				"pace":   `{"id":"pace","score":0.9,"rationale":"steady","better":"x"}`,
			})
		}, check: func(t *testing.T, card *Scorecard) {
			for _, cr := range card.Criteria {
				switch {
				case cr.ID == "verify" && (cr.Score != 0 || !cr.LowConfidence || cr.Rationale != unquoted):
					t.Errorf("verify = %+v; a behaviour criterion with credit and no quote wants none, low confidence", cr)
				case cr.ID != "verify" && (cr.Score != 0.9 || cr.LowConfidence):
					t.Errorf("%s = %+v; want the judge's 0.9 (pace is graded on metrics: no quote needed)", cr.ID, cr)
				}
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

// wantUnverified checks that criterion id got no credit for its one failed quote, and that
// the rest of the card kept the judge's scores.
func wantUnverified(id string) func(t *testing.T, card *Scorecard) {
	return func(t *testing.T, card *Scorecard) {
		t.Helper()
		for _, cr := range card.Criteria {
			switch {
			case cr.ID == id && (cr.Score != 0 || !cr.LowConfidence || cr.Rationale != unverified || len(cr.Evidence) != 0):
				t.Errorf("%s = %+v; want no credit, low confidence", id, cr)
			case cr.ID != id && cr.Score != 0.9:
				t.Errorf("%s = %+v; want the judge's 0.9", cr.ID, cr)
			}
		}
		if !slices.Contains(card.Flags, FlagLowConfidence) {
			t.Errorf("flags %v lack %s", card.Flags, FlagLowConfidence)
		}
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

// longCall is a two-hour double-charge call: the persona and the learner alternate every
// four seconds with small talk, except for a few moments that matter (an apology, a barge-in,
// the refund) and the goodbye.
func longCall(t *testing.T) (c *Call, moments []string) {
	t.Helper()
	c = dcGoodCall(t)
	var tr []dialog.Utterance
	var events []dialog.Event
	at := time.Duration(0)
	say := func(who, text string) {
		tr = append(tr, dialog.Utterance{Speaker: who, Text: text, Start: at, End: at + 3*time.Second})
		at += 4 * time.Second
	}
	moments = []string{
		"hi i need to talk to someone about my bill",
		"i'm so sorry that's our mistake and it should not have happened",
		"hold on let me stop you there for a second",
		"i've refunded the second charge just now",
		"thank you for your patience dana take care",
	}
	say(dialog.SpeakerPersona, moments[0])
	for n := 0; at < 2*time.Hour-8*time.Second; n++ {
		switch n {
		case 200:
			say(dialog.SpeakerLearner, moments[1])
		case 700:
			events = append(events, dialog.Event{Kind: dialog.EventBargeIn, At: at + time.Second, Speaker: dialog.SpeakerLearner})
			say(dialog.SpeakerLearner, moments[2])
		case 1500:
			say(dialog.SpeakerLearner, moments[3])
		default:
			if n%2 == 0 {
				say(dialog.SpeakerLearner, fmt.Sprintf("right so about the weather over there in town number %d", n))
			} else {
				say(dialog.SpeakerPersona, fmt.Sprintf("yes it has been quite grey lately all week long %d", n))
			}
		}
	}
	say(dialog.SpeakerLearner, moments[4])
	c.Record.Transcript, c.Record.Duration, c.Events = tr, at, events
	c.Metrics = Compute(c)
	return c, moments
}

// TestLLMJudgeLongCall: a two-hour call's prompt stays under max_prompt_tokens (chars / 4):
// the opening, the close and the moments that matter are sent, the rest summarised in
// omission lines that account for every turn; a short call is sent whole.
func TestLLMJudgeLongCall(t *testing.T) {
	omission := regexp.MustCompile(`\[… (\d+) turns?, ((\d+ h )?(\d+ min )?\d+ s|\d+ h \d+ min) omitted …\]`)
	for _, budget := range []int{0, 2000, 12000} {
		t.Run(fmt.Sprint("max_prompt_tokens ", budget), func(t *testing.T) {
			c, moments := longCall(t)
			fake := &fakeChat{reply: func(*http.Request, chatRequest) (int, string) { return http.StatusOK, goodReply(c, nil) }}
			srv := httptest.NewServer(fake)
			defer srv.Close()
			j, err := NewLLMJudge(JudgeConfig{Type: JudgeLLM, BaseURL: srv.URL, MaxPromptTokens: budget}, srv.Client())
			if err != nil {
				t.Fatal(err)
			}
			if _, err := Score(context.Background(), j, j.Name(), c, time.Unix(0, 0)); err != nil {
				t.Fatal(err)
			}
			fake.mu.Lock()
			sys, user := fake.last.Messages[0].Content, fake.last.Messages[1].Content
			fake.mu.Unlock()
			limit := cmp.Or(budget, 6000)
			if got := (len(sys) + len(user)) / 4; got > limit {
				t.Errorf("prompt is %d tokens (chars / 4), over the budget of %d", got, limit)
			}
			shown := strings.Count(user, "\n[") - len(omission.FindAllString(user, -1)) // lines after the heading
			left := 0
			for _, m := range omission.FindAllStringSubmatch(user, -1) {
				n, _ := strconv.Atoi(m[1])
				left += n
			}
			if shown+left != len(c.Record.Transcript) || left == 0 {
				t.Errorf("%d lines shown and %d left out, of %d", shown, left, len(c.Record.Transcript))
			}
			if !strings.Contains(user, "turns, too long to send whole") {
				t.Errorf("the transcript does not say it was windowed:\n%.300s", user)
			}
			want := moments
			if limit < 6000 { // the smallest budget: little room beside the rubric, the ends first
				want = []string{moments[0], moments[len(moments)-1]}
			}
			for _, m := range want {
				if !strings.Contains(user, m) {
					t.Errorf("the prompt lacks %q", m)
				}
			}
		})
	}
	t.Run("short call", func(t *testing.T) {
		c := dcGoodCall(t)
		user := transcriptPrompt(c, 6000)
		if strings.Contains(user, "omitted") || strings.Count(user, "\n[") != len(c.Record.Transcript) {
			t.Errorf("a short call was windowed:\n%s", user)
		}
	})
}

func TestOmitted(t *testing.T) {
	for _, tc := range []struct {
		n    int
		span time.Duration
		want string
	}{
		{14, 2*time.Minute + 10*time.Second, "[… 14 turns, 2 min 10 s omitted …]\n"},
		{1, 3 * time.Second, "[… 1 turn, 3 s omitted …]\n"},
		{900, time.Hour + 5*time.Minute + 4*time.Second, "[… 900 turns, 1 h 5 min omitted …]\n"},
	} {
		tr := make([]dialog.Utterance, tc.n)
		tr[len(tr)-1].End = tc.span
		if got := omitted(tr); got != tc.want {
			t.Errorf("omitted(%d turns over %v) = %q, want %q", tc.n, tc.span, got, tc.want)
		}
	}
}

func TestJudgeConfigPromptBudget(t *testing.T) {
	if got := (JudgeConfig{}).withDefaults().MaxPromptTokens; got != 6000 {
		t.Errorf("default max_prompt_tokens = %d, want 6000", got)
	}
	for _, n := range []int{-1, 1999} {
		if err := (JudgeConfig{Type: JudgeLLM, MaxPromptTokens: n}).Validate(); !errors.Is(err, ErrInvalidConfig) {
			t.Errorf("max_prompt_tokens %d: %v, want ErrInvalidConfig", n, err)
		}
	}
	if err := (JudgeConfig{Type: JudgeLLM, MaxPromptTokens: 2000}).Validate(); err != nil {
		t.Errorf("max_prompt_tokens 2000: %v", err)
	}
}
