package scoring

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/sparlab/spar/dialog/httpapi"
)

// LLMJudge asks an OpenAI-compatible chat server (OpenAI, Ollama, vLLM, llama.cpp...) to
// score the criteria, in one non-streaming request whose reply must be a JSON object of the
// shape llmprompt.go describes. The prompt is kept under cfg.MaxPromptTokens: a long call's
// transcript is windowed. Score then checks every quote it gives against the transcript
// (assemble.go: the learner's words, at the moment given), so a score resting on invented
// evidence gets no credit. A failed request, a timeout or an unusable reply is an error: the worker
// retries, then falls back to Deterministic.
type LLMJudge struct {
	cfg  JudgeConfig
	http *http.Client
	url  string
}

var _ Judge = (*LLMJudge)(nil)

// NewLLMJudge returns a judge for cfg (Type is not checked). hc may be nil
// (http.DefaultClient); requests are bounded by cfg.Timeout, not by hc.
func NewLLMJudge(cfg JudgeConfig, hc *http.Client) (*LLMJudge, error) {
	cfg = cfg.withDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if !httpapi.ValidURL(cfg.BaseURL, "http", "https") {
		return nil, fmt.Errorf("%w: judge.base_url %q: want an http(s) URL", ErrInvalidConfig, cfg.BaseURL)
	}
	if hc == nil {
		hc = http.DefaultClient
	}
	return &LLMJudge{cfg: cfg, http: hc, url: httpapi.Endpoint(cfg.BaseURL, "/v1/chat/completions")}, nil
}

// Name is what the scorecard records as its judge: "llm:<model>".
func (j *LLMJudge) Name() string { return "llm:" + j.cfg.Model }

type chatMessage struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

type chatRequest struct {
	Model          string          `json:"model"`
	Messages       []chatMessage   `json:"messages"`
	Temperature    float64         `json:"temperature"`
	MaxTokens      int             `json:"max_tokens,omitempty"`
	Stream         bool            `json:"stream"`
	ResponseFormat *responseFormat `json:"response_format,omitempty"`
}

type responseFormat struct {
	Type string `json:"type"`
}

type chatResponse struct {
	Choices []struct {
		Message struct {
			Content string `json:"content"`
		} `json:"message"`
		FinishReason string `json:"finish_reason"`
	} `json:"choices"`
}

// maxReplyBytes bounds what is read of a reply.
const maxReplyBytes = 1 << 20

// Judge scores every criterion of c.Rubric.
func (j *LLMJudge) Judge(ctx context.Context, c *Call) ([]CriterionResult, error) {
	ctx, cancel := context.WithTimeout(ctx, j.cfg.Timeout)
	defer cancel()
	sys := systemPrompt(c)
	user := transcriptPrompt(c, j.cfg.MaxPromptTokens-estimateTokens(sys)-2*messageTokens)
	req := chatRequest{
		Model: j.cfg.Model, MaxTokens: j.cfg.MaxTokens,
		Messages: []chatMessage{{Role: "system", Content: sys}, {Role: "user", Content: user}},
	}
	if j.cfg.ResponseFormat == "json_object" {
		req.ResponseFormat = &responseFormat{Type: "json_object"}
	}
	content, err := j.complete(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("llm judge %s: %w", j.cfg.Model, err)
	}
	results, err := parseReply(content, c.Rubric)
	if err != nil {
		return nil, err
	}
	requireQuotes(results, c.Rubric)
	return results, nil
}

// complete posts req and returns the first choice's content.
func (j *LLMJudge) complete(ctx context.Context, req chatRequest) (string, error) {
	body, err := json.Marshal(req)
	if err != nil {
		return "", err
	}
	hr, err := httpapi.NewPost(ctx, j.url, "application/json", bytes.NewReader(body), j.cfg.APIKey)
	if err != nil {
		return "", err
	}
	resp, err := j.http.Do(hr)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxReplyBytes))
	if err != nil {
		return "", fmt.Errorf("read reply: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("status %d: %s", resp.StatusCode, snippet(data))
	}
	var cr chatResponse
	if err := json.Unmarshal(data, &cr); err != nil {
		return "", fmt.Errorf("%w: response envelope: %w", ErrJudgeReply, err)
	}
	if len(cr.Choices) == 0 {
		return "", fmt.Errorf("%w: no choices", ErrJudgeReply)
	}
	if fr := cr.Choices[0].FinishReason; fr == "length" || fr == "content_filter" {
		return "", fmt.Errorf("%w: reply cut short (finish_reason %s)", ErrJudgeReply, fr)
	}
	return cr.Choices[0].Message.Content, nil
}

func snippet(b []byte) string {
	s := strings.TrimSpace(string(b))
	if len(s) > 200 {
		s = s[:200] + "..."
	}
	return s
}
