// Package llmtest is an in-process OpenAI-compatible chat server for tests of code that
// calls one without streaming (the studio's LLM drafter): it speaks the wire format of
// POST /v1/chat/completions, records every request body as sent, and answers each with
// the content a test gives, wrapped in a chat.completion envelope. Like the fakes in
// dialog/llm and scoring, it can serve without sockets (Transport) so a timeout runs on
// synctest's fake clock.
package llmtest

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
)

// Request is one request as the server got it.
type Request struct {
	Path  string
	Auth  string
	Body  []byte         // exactly as sent
	JSON  map[string]any // Body decoded
	Model string
	// Messages are the chat messages, in order.
	Messages []struct{ Role, Content string }
}

// Reply answers the n-th request (0-based): the status and, for 200, the content of the
// assistant message. A reply func may block on r.Context() to play a server that never
// answers.
type Reply func(r *http.Request, n int, req Request) (status int, content string)

// Server is the fake chat server.
type Server struct {
	reply Reply
	mu    sync.Mutex
	reqs  []Request
}

// New returns a fake answering with reply.
func New(reply Reply) *Server { return &Server{reply: reply} }

// Start serves f on a local port until the test ends and returns its base URL.
func (f *Server) Start(t testing.TB) string {
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return srv.URL
}

// Requests returns the requests so far.
func (f *Server) Requests() []Request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Request(nil), f.reqs...)
}

func (f *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/v1/chat/completions" {
		writeError(w, http.StatusNotFound, "not found", "invalid_request_error")
		return
	}
	body, _ := io.ReadAll(r.Body)
	req := Request{Path: r.URL.Path, Auth: r.Header.Get("Authorization"), Body: body}
	var parsed struct {
		Model    string                           `json:"model"`
		Messages []struct{ Role, Content string } `json:"messages"`
	}
	if err := json.Unmarshal(body, &req.JSON); err != nil || json.Unmarshal(body, &parsed) != nil {
		writeError(w, http.StatusBadRequest, "body is not JSON", "invalid_request_error")
		return
	}
	req.Model, req.Messages = parsed.Model, parsed.Messages
	f.mu.Lock()
	n := len(f.reqs)
	f.reqs = append(f.reqs, req)
	f.mu.Unlock()
	status, content := f.reply(r, n, req)
	if status != http.StatusOK {
		writeError(w, status, content, "server_error")
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{
		"id": "chatcmpl-fake", "object": "chat.completion", "model": req.Model,
		"choices": []any{map[string]any{"index": 0, "finish_reason": "stop",
			"message": map[string]any{"role": "assistant", "content": content, "refusal": nil}}},
		"usage": map[string]int{"prompt_tokens": 100, "completion_tokens": 50, "total_tokens": 150},
	})
}

func writeError(w http.ResponseWriter, status int, msg, typ string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{"message": msg, "type": typ}})
}

// Transport serves requests with h in process, without sockets, so that a client's
// timeout can run on synctest's fake clock. A request whose context ended fails with it.
type Transport struct{ H http.Handler }

// RoundTrip implements http.RoundTripper.
func (t Transport) RoundTrip(r *http.Request) (*http.Response, error) {
	rec := httptest.NewRecorder()
	t.H.ServeHTTP(rec, r)
	if err := r.Context().Err(); err != nil {
		return nil, err
	}
	return rec.Result(), nil
}
