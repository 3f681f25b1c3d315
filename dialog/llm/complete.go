package llm

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/sparlab/spar/dialog/httpapi"
)

// ResponseFormat asks the server for structured output (OpenAI's response_format): a JSON
// object ("json_object") or one that follows a JSON schema ("json_schema").
type ResponseFormat struct {
	Type       string      `json:"type"`
	JSONSchema *JSONSchema `json:"json_schema,omitempty"`
}

// JSONSchema names a schema the reply must follow; Strict asks the server to enforce it.
type JSONSchema struct {
	Name   string          `json:"name"`
	Strict bool            `json:"strict"`
	Schema json.RawMessage `json:"schema"`
}

// CompleteRequest is one non-streaming chat completion.
type CompleteRequest struct {
	Messages       []Message
	MaxTokens      int     // 0: Config.MaxTokens
	Temperature    float64 // sent as is (0 is a valid temperature)
	ResponseFormat *ResponseFormat
}

// ErrRefused means the model declined to answer (a refusal instead of content) or the reply
// was cut short (finish_reason length or content_filter).
var ErrRefused = errors.New("llm: no usable reply")

// maxCompletion bounds what is read of a non-streaming reply.
const maxCompletion = 1 << 20

type completeBody struct {
	Model          string          `json:"model"`
	Messages       []Message       `json:"messages"`
	Stream         bool            `json:"stream"`
	MaxTokens      int             `json:"max_tokens,omitempty"`
	Temperature    float64         `json:"temperature"`
	ResponseFormat *ResponseFormat `json:"response_format,omitempty"`
}

type completion struct {
	Choices []struct {
		Message struct {
			Content *string `json:"content"`
			Refusal *string `json:"refusal"`
		} `json:"message"`
		FinishReason string `json:"finish_reason"`
	} `json:"choices"`
	Usage *Usage `json:"usage"`
}

// Complete sends one non-streaming chat completion and returns the first choice's content.
// It is bounded by ctx only (not by the turn timeouts, which are for spoken turns).
func (c *Client) Complete(ctx context.Context, req CompleteRequest) (string, Usage, error) {
	if req.MaxTokens <= 0 {
		req.MaxTokens = c.cfg.MaxTokens
	}
	body, err := json.Marshal(completeBody{Model: c.cfg.Model, Messages: req.Messages, MaxTokens: req.MaxTokens,
		Temperature: req.Temperature, ResponseFormat: req.ResponseFormat})
	if err != nil {
		return "", Usage{}, fmt.Errorf("llm: encode request: %w", err)
	}
	hr, err := httpapi.NewPost(ctx, c.url, "application/json", bytes.NewReader(body), c.cfg.APIKey)
	if err != nil {
		return "", Usage{}, fmt.Errorf("llm: new request: %w", err)
	}
	resp, err := c.http.Do(hr)
	if err != nil {
		return "", Usage{}, fmt.Errorf("llm: chat: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		msg, typ := httpapi.ReadError(resp.Body)
		return "", Usage{}, &APIError{Status: resp.StatusCode, Type: typ, Message: msg}
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxCompletion))
	if err != nil {
		return "", Usage{}, fmt.Errorf("llm: chat: read reply: %w", err)
	}
	var cr completion
	if err := json.Unmarshal(data, &cr); err != nil {
		return "", Usage{}, fmt.Errorf("llm: chat: decode reply: %w", err)
	}
	var u Usage
	if cr.Usage != nil {
		u = *cr.Usage
	}
	if len(cr.Choices) == 0 {
		return "", u, fmt.Errorf("%w: no choices", ErrRefused)
	}
	ch := cr.Choices[0]
	switch {
	case ch.Message.Refusal != nil && *ch.Message.Refusal != "":
		return "", u, fmt.Errorf("%w: the model refused: %.200s", ErrRefused, *ch.Message.Refusal)
	case ch.FinishReason == "length" || ch.FinishReason == "content_filter":
		return "", u, fmt.Errorf("%w: reply cut short (finish_reason %s)", ErrRefused, ch.FinishReason)
	case ch.Message.Content == nil:
		return "", u, fmt.Errorf("%w: no content", ErrRefused)
	}
	return *ch.Message.Content, u, nil
}
