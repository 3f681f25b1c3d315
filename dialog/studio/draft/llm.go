package draft

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/sparlab/spar/dialog/llm"
	"github.com/sparlab/spar/dialog/studio"
)

// Completer sends one chat completion; *llm.Client is one.
type Completer interface {
	Complete(ctx context.Context, req llm.CompleteRequest) (string, llm.Usage, error)
}

// Linter is the studio's lint (`spar scenario lint` plus scoring's rubric rules);
// studio.Linter and *studio.Studio are ones.
type Linter interface {
	Lint(id string, scen, rub []byte) []studio.Problem
}

// LLM drafts with a chat model: one structured-output request (a JSON schema) for the
// scenario and rubric YAML and the persona's facts, each fact with the sentence of the
// material it came from. The reply is linted; when it fails, the model is asked once more
// with the problems, and if that fails too Make returns a *FailedError saying what.
type LLM struct {
	chat    Completer
	lint    Linter
	log     *slog.Logger
	Timeout time.Duration // each request; default DefaultLLMTimeout
	// MaxTokens caps each reply; default 4000.
	MaxTokens int
}

// DefaultLLMTimeout bounds one drafting request.
const DefaultLLMTimeout = 90 * time.Second

// NewLLM returns an LLM drafter.
func NewLLM(chat Completer, lint Linter, log *slog.Logger) *LLM {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &LLM{chat: chat, lint: lint, log: log, Timeout: DefaultLLMTimeout, MaxTokens: 4000}
}

// ErrLLM wraps every failure of the LLM drafter.
var ErrLLM = errors.New("draft: the LLM's draft failed")

// FailedError is an LLM draft that still failed after the retry: what was wrong with the
// last reply. The trainer sees it; nothing is saved.
type FailedError struct {
	Attempts int
	Problems []studio.Problem // lint problems of the last reply
	Reply    string           // why the last reply could not be read, if it could not
	Rejected []Fact           // facts whose source sentence is not in the material
	Err      error            // a transport error or timeout, if that ended it
}

func (e *FailedError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s after %d attempt(s)", ErrLLM.Error(), e.Attempts)
	if e.Err != nil {
		fmt.Fprintf(&b, ": %v", e.Err)
	}
	if e.Reply != "" {
		fmt.Fprintf(&b, ": %s", e.Reply)
	}
	for _, p := range e.Problems {
		fmt.Fprintf(&b, "; %s", p)
	}
	return b.String()
}

func (e *FailedError) Unwrap() []error { return []error{ErrLLM, e.Err} }

//go:embed llm_prompt.txt
var systemPrompt string

// draftSchema is the JSON schema the reply must follow (strict: every field required, no
// others).
const draftSchema = `{
  "type": "object",
  "additionalProperties": false,
  "required": ["scenario_yaml", "rubric_yaml", "facts"],
  "properties": {
    "scenario_yaml": {"type": "string", "description": "the scenario file, YAML, in the format of the example"},
    "rubric_yaml": {"type": "string", "description": "the rubric file, YAML, in the format of the example"},
    "facts": {
      "type": "array",
      "description": "what the persona knows, each from one sentence of the material",
      "items": {
        "type": "object",
        "additionalProperties": false,
        "required": ["fact", "source"],
        "properties": {
          "fact": {"type": "string", "description": "the fact, as the persona knows it"},
          "source": {"type": "string", "description": "the sentence of the material it comes from, copied exactly"}
        }
      }
    }
  }
}`

// Reply is the model's answer, as the schema describes it.
type Reply struct {
	Scenario string `json:"scenario_yaml"`
	Rubric   string `json:"rubric_yaml"`
	Facts    []struct {
		Fact   string `json:"fact"`
		Source string `json:"source"`
	} `json:"facts"`
}

// Make drafts a scenario from in.Material with the model.
func (l *LLM) Make(ctx context.Context, in Input) (*Draft, error) {
	scen, rub, err := template(in)
	if err != nil {
		return nil, err
	}
	msgs := []llm.Message{{Role: "system", Content: systemPrompt},
		{Role: "user", Content: userPrompt(in, scen, rub)}}
	for attempt := 1; ; attempt++ {
		content, err := l.complete(ctx, msgs)
		if err != nil {
			return nil, &FailedError{Attempts: attempt, Err: err}
		}
		d, fail := l.check(in, content)
		if fail == nil {
			l.log.Info("draft: drafted by the LLM", "scenario", in.ID, "attempts", attempt, "facts", len(d.Facts), "rejected", len(d.Rejected))
			return d, nil
		}
		fail.Attempts = attempt
		l.log.Info("draft: the LLM's draft failed", "scenario", in.ID, "attempt", attempt, "err", fail)
		if attempt == 2 { // one retry with the problems, then the trainer sees them
			return nil, fail
		}
		msgs = append(msgs, llm.Message{Role: "assistant", Content: content},
			llm.Message{Role: "user", Content: retryPrompt(fail)})
	}
}

func (l *LLM) complete(ctx context.Context, msgs []llm.Message) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, cmpDur(l.Timeout, DefaultLLMTimeout))
	defer cancel()
	content, _, err := l.chat.Complete(ctx, llm.CompleteRequest{Messages: msgs, MaxTokens: l.MaxTokens, Temperature: 0.2,
		ResponseFormat: &llm.ResponseFormat{Type: "json_schema",
			JSONSchema: &llm.JSONSchema{Name: "spar_scenario_draft", Strict: true, Schema: json.RawMessage(draftSchema)}}})
	if err != nil && ctx.Err() != nil && errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return "", fmt.Errorf("no answer within %s: %w", cmpDur(l.Timeout, DefaultLLMTimeout), err)
	}
	return content, err
}

func cmpDur(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

// check reads and lints one reply. The scenario's id and the rubric's scenario are set to
// in.ID whatever the model wrote; facts whose source sentence is not in the material are
// rejected, and the others are written into the persona's backstory.
func (l *LLM) check(in Input, content string) (*Draft, *FailedError) {
	r, err := ParseReply(content)
	if err != nil {
		return nil, &FailedError{Reply: err.Error()}
	}
	d := &Draft{}
	for _, f := range r.Facts {
		fact := Fact{Text: strings.TrimSpace(f.Fact), Source: strings.TrimSpace(f.Source)}
		if fact.Text == "" {
			continue
		}
		if !inMaterial(in.Material, fact.Source) {
			d.Rejected = append(d.Rejected, fact)
			continue
		}
		d.Facts = append(d.Facts, fact)
	}
	scen, rub := []byte(r.Scenario), []byte(r.Rubric)
	set := map[string]string{"id": in.ID}
	if in.Difficulty != "" {
		set["difficulty"] = in.Difficulty
	}
	if len(d.Facts) > 0 {
		f, _ := studio.Fields(scen, nil)
		set["persona.backstory"] = backstory(f["persona.backstory"], d.Facts, false)
	}
	if out, err := studio.SetFields(scen, set); err == nil {
		scen = out
	}
	if out, err := studio.SetFields(rub, map[string]string{"scenario": in.ID}); err == nil {
		rub = out
	}
	if ps := l.lint.Lint(in.ID, scen, rub); len(ps) > 0 {
		return nil, &FailedError{Problems: ps, Rejected: d.Rejected}
	}
	d.Scenario, d.Rubric = scen, rub
	return d, nil
}

// ParseReply reads the model's JSON reply. It is the LLM drafter's edge with untrusted
// input: anything but one JSON object with both files as non-empty strings is an error.
func ParseReply(content string) (*Reply, error) {
	content = strings.TrimSpace(content)
	// Some servers wrap JSON in a Markdown fence even in JSON mode.
	if rest, ok := strings.CutPrefix(content, "```"); ok {
		rest = strings.TrimPrefix(rest, "json")
		content = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "```"))
	}
	dec := json.NewDecoder(strings.NewReader(content))
	dec.DisallowUnknownFields()
	var r Reply
	if err := dec.Decode(&r); err != nil {
		return nil, fmt.Errorf("the reply is not the JSON object asked for: %v", err)
	}
	if dec.More() {
		return nil, errors.New("the reply has more after its JSON object")
	}
	switch {
	case strings.TrimSpace(r.Scenario) == "":
		return nil, errors.New("the reply has no scenario_yaml")
	case strings.TrimSpace(r.Rubric) == "":
		return nil, errors.New("the reply has no rubric_yaml")
	case len(r.Scenario) > studio.MaxYAML || len(r.Rubric) > studio.MaxYAML:
		return nil, fmt.Errorf("the reply's files are over %d KiB", studio.MaxYAML>>10)
	}
	return &r, nil
}

// inMaterial reports whether sentence occurs in the material, ignoring case, spacing and a
// final full stop. An empty sentence does not.
func inMaterial(material, sentence string) bool {
	norm := func(s string) string { return strings.ToLower(strings.Join(strings.Fields(s), " ")) }
	s := strings.TrimRight(norm(sentence), ".!?")
	return len(s) >= 8 && strings.Contains(norm(tagRE.ReplaceAllString(material, " ")), s)
}

func userPrompt(in Input, scen, rub []byte) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Kind: %s\nDifficulty: %s\nScenario id: %s\n", in.Kind, cmpStr(in.Difficulty, "as the example"), in.ID)
	if in.Title != "" {
		fmt.Fprintf(&b, "Title: %s\n", in.Title)
	}
	fmt.Fprintf(&b, "\nExample scenario file (the format to follow):\n<<<\n%s>>>\n", scen)
	fmt.Fprintf(&b, "\nExample rubric file:\n<<<\n%s>>>\n", rub)
	fmt.Fprintf(&b, "\nThe team's material:\n<<<\n%s\n>>>\n", strings.TrimSpace(in.Material))
	return b.String()
}

func retryPrompt(f *FailedError) string {
	var b strings.Builder
	b.WriteString("Your draft cannot be used yet. Fix these problems and answer again with the whole JSON object:\n")
	if f.Reply != "" {
		b.WriteString("- " + f.Reply + "\n")
	}
	for _, p := range f.Problems {
		b.WriteString("- " + p.String() + "\n")
	}
	for _, r := range f.Rejected {
		fmt.Fprintf(&b, "- the fact %q names a source sentence that is not in the material: copy the sentence exactly, or leave the fact out\n", r.Text)
	}
	return b.String()
}

func cmpStr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
