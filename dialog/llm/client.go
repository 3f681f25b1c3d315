package llm

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/sparlab/spar/dialog/httpapi"
)

// Message is one chat message.
type Message struct {
	Role    string `json:"role"` // system, user or assistant
	Content string `json:"content"`
}

// Usage is the token count a server reports in its usage-only chunk.
type Usage struct {
	PromptTokens     int `json:"prompt_tokens"`
	CompletionTokens int `json:"completion_tokens"`
}

// Result is how a streamed reply ended.
type Result struct {
	FinishReason string // stop, length, content_filter, tool_calls; "" if the server sent none
	Usage        Usage
	FirstToken   time.Duration // from sending the request to the first content
}

// Client streams chat completions from an OpenAI-compatible server. It is safe for
// concurrent use.
type Client struct {
	cfg  Config
	http *http.Client
	url  string
}

// NewClient returns a client for cfg. hc may be nil (http.DefaultClient); it must not set a
// Timeout shorter than a reply: turns are bounded by their context and Config.
func NewClient(cfg Config, hc *http.Client) (*Client, error) {
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if hc == nil {
		hc = http.DefaultClient
	}
	return &Client{cfg: cfg, http: hc, url: httpapi.Endpoint(cfg.BaseURL, "/v1/chat/completions")}, nil
}

type chatRequest struct {
	Model         string        `json:"model"`
	Messages      []Message     `json:"messages"`
	Stream        bool          `json:"stream"`
	StreamOptions streamOptions `json:"stream_options"`
	MaxTokens     int           `json:"max_tokens,omitempty"`
	Temperature   float64       `json:"temperature"`
}

type streamOptions struct {
	IncludeUsage bool `json:"include_usage"`
}

type chunk struct {
	Choices []struct {
		Delta struct {
			Content *string `json:"content"`
		} `json:"delta"`
		FinishReason *string `json:"finish_reason"`
	} `json:"choices"`
	Usage *Usage          `json:"usage"`
	Error json.RawMessage `json:"error"`
}

// Stream sends messages and calls onText with each piece of content as it arrives. It
// returns when the server sends [DONE], when onText fails, or when ctx ends (barge-in): the
// request is then closed at once. The first token must come within Config.FirstTokenTimeout
// and the whole reply within Config.TurnTimeout.
func (c *Client) Stream(ctx context.Context, msgs []Message, maxTokens int, onText func(string) error) (Result, error) {
	if maxTokens <= 0 {
		maxTokens = c.cfg.MaxTokens
	}
	body, err := json.Marshal(chatRequest{Model: c.cfg.Model, Messages: msgs, Stream: true,
		StreamOptions: streamOptions{IncludeUsage: true}, MaxTokens: maxTokens, Temperature: c.cfg.Temperature})
	if err != nil {
		return Result{}, fmt.Errorf("llm: encode request: %w", err)
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	turn := time.AfterFunc(c.cfg.TurnTimeout, func() { cancel(ErrTurnTimeout) })
	defer turn.Stop()
	first := time.AfterFunc(c.cfg.FirstTokenTimeout, func() { cancel(ErrFirstTokenTimeout) })
	defer first.Stop()

	req, err := httpapi.NewPost(ctx, c.url, "application/json", bytes.NewReader(body), c.cfg.APIKey)
	if err != nil {
		return Result{}, fmt.Errorf("llm: new request: %w", err)
	}
	req.Header.Set("Accept", "text/event-stream")
	start := time.Now()
	res, err := c.stream(req, first, start, onText)
	if cause := context.Cause(ctx); cause != nil && err != nil {
		// The transport reports "context canceled" or the bare cause: say both.
		err = fmt.Errorf("llm: chat: %w (%w)", cause, ctx.Err())
	}
	return res, err
}

func (c *Client) stream(req *http.Request, first *time.Timer, start time.Time, onText func(string) error) (Result, error) {
	var res Result
	resp, err := c.http.Do(req)
	if err != nil {
		return res, fmt.Errorf("llm: chat: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		msg, typ := httpapi.ReadError(resp.Body)
		return res, &APIError{Status: resp.StatusCode, Type: typ, Message: msg}
	}
	sse := newSSEReader(resp.Body)
	for {
		data, err := sse.next()
		switch {
		case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
			if res.FinishReason != "" {
				return res, nil // complete reply; only [DONE] went missing
			}
			return res, fmt.Errorf("llm: chat: %w", ErrTruncated)
		case err != nil:
			if res.FinishReason != "" {
				return res, nil
			}
			return res, fmt.Errorf("llm: chat: read stream: %w", err)
		}
		if string(bytes.TrimSpace(data)) == "[DONE]" {
			return res, nil
		}
		var ch chunk
		if err := json.Unmarshal(data, &ch); err != nil {
			return res, fmt.Errorf("llm: chat: decode event %.80q: %w", data, err)
		}
		if len(ch.Error) > 0 && string(ch.Error) != "null" {
			msg, typ := httpapi.ParseError(ch.Error)
			return res, &APIError{Type: typ, Message: msg}
		}
		if ch.Usage != nil {
			res.Usage = *ch.Usage
		}
		for _, choice := range ch.Choices {
			if choice.FinishReason != nil && *choice.FinishReason != "" {
				res.FinishReason = *choice.FinishReason
			}
			if choice.Delta.Content == nil || *choice.Delta.Content == "" {
				continue
			}
			if res.FirstToken == 0 {
				first.Stop()
				res.FirstToken = max(time.Since(start), 1)
			}
			if err := onText(*choice.Delta.Content); err != nil {
				return res, err
			}
		}
	}
}
