package llm

import (
	"errors"
	"net/http"
	"strings"
	"testing"
)

// TestComplete: one non-streaming completion with a response format, as the wire format
// has it; refusals, cut-short replies and HTTP errors are errors.
func TestComplete(t *testing.T) {
	reply := `{"choices":[{"index":0,"finish_reason":"stop","message":{"role":"assistant","content":"{\"ok\":true}"}}],"usage":{"prompt_tokens":7,"completion_tokens":3}}`
	f, srv := newFakeChat(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(reply))
	})
	c, err := NewClient(Config{BaseURL: srv.URL, Model: "m", APIKey: "k"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	got, u, err := c.Complete(t.Context(), CompleteRequest{Messages: []Message{{Role: "user", Content: "hi"}}, MaxTokens: 99,
		ResponseFormat: &ResponseFormat{Type: "json_schema", JSONSchema: &JSONSchema{Name: "x", Strict: true, Schema: []byte(`{"type":"object"}`)}}})
	if err != nil || got != `{"ok":true}` || u.CompletionTokens != 3 {
		t.Fatalf("complete = %q %+v %v", got, u, err)
	}
	if req := f.last(); req.Stream || req.MaxTokens != 99 || req.Model != "m" {
		t.Errorf("request %+v", req)
	}
	for name, body := range map[string]string{
		"refusal": `{"choices":[{"finish_reason":"stop","message":{"content":null,"refusal":"I can't help with that"}}]}`,
		"length":  `{"choices":[{"finish_reason":"length","message":{"content":"{\"scen"}}]}`,
		"empty":   `{"choices":[]}`,
	} {
		reply = body
		if _, _, err := c.Complete(t.Context(), CompleteRequest{Messages: []Message{{Role: "user", Content: "hi"}}}); !errors.Is(err, ErrRefused) {
			t.Errorf("%s: %v, want ErrRefused", name, err)
		}
	}
	_, srv2 := newFakeChat(t, func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, `{"error":{"message":"response_format json_schema is not supported","type":"invalid_request_error"}}`, 400)
	})
	c2, _ := NewClient(Config{BaseURL: srv2.URL}, nil)
	var api *APIError
	if _, _, err := c2.Complete(t.Context(), CompleteRequest{}); !errors.As(err, &api) || api.Status != 400 || !strings.Contains(err.Error(), "json_schema") {
		t.Errorf("HTTP 400: %v", err)
	}
}
