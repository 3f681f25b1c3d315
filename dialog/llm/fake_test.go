package llm

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// fakeChat is an in-process OpenAI-compatible chat server. serve writes the response; the
// server records each request and signals when a request's context ends (the client closed
// the connection).
type fakeChat struct {
	t     *testing.T
	serve func(w http.ResponseWriter, r *http.Request)

	mu       sync.Mutex
	requests []chatRequest
	auth     []string
	closed   chan struct{} // closed when a request's context ends before serve returns
}

func newFakeChat(t *testing.T, serve func(w http.ResponseWriter, r *http.Request)) (*fakeChat, *httptest.Server) {
	f := &fakeChat{t: t, serve: serve, closed: make(chan struct{}, 16)}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != "/v1/chat/completions" {
			http.Error(w, `{"error":{"message":"not found","type":"invalid_request_error"}}`, 404)
			return
		}
		var req chatRequest
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			t.Errorf("fake: decode request: %v", err)
		}
		f.mu.Lock()
		f.requests = append(f.requests, req)
		f.auth = append(f.auth, r.Header.Get("Authorization"))
		f.mu.Unlock()
		f.serve(w, r)
		if r.Context().Err() != nil {
			f.closed <- struct{}{}
		}
	}))
	t.Cleanup(srv.Close)
	return f, srv
}

func (f *fakeChat) last() chatRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.requests[len(f.requests)-1]
}

// sseHeader starts an event stream.
func sseHeader(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/event-stream")
	w.WriteHeader(200)
}

// writeSplit writes s in pieces of n bytes, flushing each, so events and lines arrive split
// across reads.
func writeSplit(w http.ResponseWriter, s string, n int) {
	for len(s) > 0 {
		k := min(n, len(s))
		io.WriteString(w, s[:k])
		w.(http.Flusher).Flush()
		s = s[k:]
	}
}

// deltas renders content pieces as chat chunks, OpenAI style: a role-only first chunk
// (no content), the pieces, a finish chunk, a usage-only chunk, then [DONE].
func deltas(pieces ...string) string {
	var b strings.Builder
	b.WriteString(`data: {"id":"c1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"role":"assistant"},"finish_reason":null}]}` + "\n\n")
	for _, p := range pieces {
		c, _ := json.Marshal(p)
		fmt.Fprintf(&b, `data: {"id":"c1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":%s},"finish_reason":null}]}`+"\n\n", c)
	}
	b.WriteString(`data: {"id":"c1","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}` + "\n\n")
	b.WriteString(`data: {"id":"c1","choices":[],"usage":{"prompt_tokens":42,"completion_tokens":7,"total_tokens":49}}` + "\n\n")
	b.WriteString("data: [DONE]\n\n")
	return b.String()
}
