// Package httpapi holds what the dialog adapters for OpenAI-compatible HTTP servers (llm,
// whisper, openai tts) and the WebSocket vendors share: checking a configured URL, building
// an endpoint from a base URL, a request with its bearer key, and reading an error body.
package httpapi

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// ValidURL reports whether raw is an absolute URL with a host and one of schemes.
func ValidURL(raw string, schemes ...string) bool {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return false
	}
	for _, s := range schemes {
		if u.Scheme == s {
			return true
		}
	}
	return false
}

// Endpoint joins base and path (which starts with "/v1/"). A trailing "/" or "/v1" on base
// is dropped, so "https://host", "https://host/" and "https://host/v1" give the same URL.
func Endpoint(base, path string) string {
	return strings.TrimSuffix(strings.TrimSuffix(base, "/"), "/v1") + path
}

// NewPost builds a POST of body to url with its content type and, when key is set, the key
// as a bearer token (local servers need none).
func NewPost(ctx context.Context, url, contentType string, body io.Reader, key string) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, body)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", contentType)
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	return req, nil
}

// ReadError reads an error response body (at most 8 KiB): OpenAI's
// {"error":{"message","type"}}, Ollama's {"error":"..."} or plain text.
func ReadError(body io.Reader) (msg, typ string) {
	b, _ := io.ReadAll(io.LimitReader(body, 8<<10))
	var env struct {
		Error json.RawMessage `json:"error"`
	}
	if json.Unmarshal(b, &env) == nil && len(env.Error) > 0 {
		return ParseError(env.Error)
	}
	return strings.TrimSpace(string(b)), ""
}

// ParseError reads the value of an "error" field: an object with message and type, a string,
// or anything else as its raw text.
func ParseError(raw json.RawMessage) (msg, typ string) {
	var obj struct {
		Message string `json:"message"`
		Type    string `json:"type"`
	}
	if json.Unmarshal(raw, &obj) == nil && obj.Message != "" {
		return obj.Message, obj.Type
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s, ""
	}
	return string(raw), ""
}
