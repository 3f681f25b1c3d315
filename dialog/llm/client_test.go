package llm

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

func testClient(t *testing.T, url string, mod func(*Config)) *Client {
	t.Helper()
	cfg := Config{BaseURL: url, Model: "test-model", APIKey: "sk-test", MaxTokens: 60,
		FirstTokenTimeout: 5 * time.Second, TurnTimeout: 10 * time.Second}
	if mod != nil {
		mod(&cfg)
	}
	c, err := NewClient(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestStream(t *testing.T) {
	cases := []struct {
		name   string
		body   string
		split  int
		want   string
		finish string
		usage  int
	}{
		{"whole events", deltas("Hello", " there.", " How are", " you?"), 1 << 20, "Hello there. How are you?", "stop", 7},
		{"split every 7 bytes", deltas("Hello", " there."), 7, "Hello there.", "stop", 7},
		{"split every byte", deltas("Hi", "!"), 1, "Hi!", "stop", 7},
		{"comments and CRLF", ": keep-alive\r\n\r\n" + strings.ReplaceAll(deltas("A", "B"), "\n", "\r\n") + ": bye\n\n", 5, "AB", "stop", 7},
		{"multi-line data and other fields", "event: message\nid: 1\nretry: 10\ndata: {\"choices\":[{\"delta\":\ndata: {\"content\":\"X\"}}]}\n\ndata: [DONE]\n\n", 3, "X", "", 0},
		{"finish without DONE", `data: {"choices":[{"delta":{"content":"Ok."},"finish_reason":"length"}]}` + "\n\n", 4, "Ok.", "length", 0},
		{"null content and null usage", `data: {"choices":[{"delta":{"content":null},"finish_reason":null}],"usage":null}` + "\n\n" + deltas("Y"), 9, "Y", "stop", 7},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f, srv := newFakeChat(t, func(w http.ResponseWriter, r *http.Request) {
				sseHeader(w)
				writeSplit(w, tc.body, tc.split)
			})
			c := testClient(t, srv.URL+"/v1", nil)
			var got strings.Builder
			res, err := c.Stream(context.Background(), []Message{{Role: "user", Content: "hi"}}, 0, func(s string) error {
				got.WriteString(s)
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if got.String() != tc.want || res.FinishReason != tc.finish || res.Usage.CompletionTokens != tc.usage {
				t.Errorf("got %q finish %q usage %d; want %q %q %d", got.String(), res.FinishReason, res.Usage.CompletionTokens, tc.want, tc.finish, tc.usage)
			}
			req := f.last()
			if req.Model != "test-model" || !req.Stream || !req.StreamOptions.IncludeUsage || req.MaxTokens != 60 {
				t.Errorf("request %+v: want model, stream, include_usage, max_tokens 60", req)
			}
			if f.auth[0] != "Bearer sk-test" {
				t.Errorf("Authorization %q", f.auth[0])
			}
		})
	}
}

func TestStreamErrors(t *testing.T) {
	cases := []struct {
		name  string
		serve func(w http.ResponseWriter, r *http.Request)
		kind  string
		msg   string
	}{
		{"401 openai json", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(401)
			io.WriteString(w, `{"error":{"message":"Incorrect API key provided","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}`)
		}, "auth", "Incorrect API key"},
		{"429", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(429)
			io.WriteString(w, `{"error":{"message":"Rate limit reached","type":"requests"}}`)
		}, "rate_limit", "Rate limit"},
		{"404 ollama string error", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(404)
			io.WriteString(w, `{"error":"model \"llama9\" not found, try pulling it first"}`)
		}, "client", "try pulling"},
		{"503 plain text", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(503)
			io.WriteString(w, "upstream overloaded")
		}, "server", "overloaded"},
		{"error event mid-stream", func(w http.ResponseWriter, r *http.Request) {
			sseHeader(w)
			io.WriteString(w, `data: {"error":{"message":"The server had an error","type":"server_error"}}`+"\n\n")
		}, "server", "server had an error"},
		{"disconnect mid-stream", func(w http.ResponseWriter, r *http.Request) {
			sseHeader(w)
			writeSplit(w, deltas("Hello there. And")[:200], 64)
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				conn.Close()
			}
		}, "disconnect", "mid-reply"},
		{"clean EOF before finish", func(w http.ResponseWriter, r *http.Request) {
			sseHeader(w)
			io.WriteString(w, `data: {"choices":[{"delta":{"content":"Hel"}}]}`+"\n\n")
		}, "disconnect", "mid-reply"},
		{"garbage event", func(w http.ResponseWriter, r *http.Request) {
			sseHeader(w)
			io.WriteString(w, "data: {not json\n\n")
		}, "network", "decode event"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, srv := newFakeChat(t, tc.serve)
			c := testClient(t, srv.URL, nil)
			_, err := c.Stream(context.Background(), []Message{{Role: "user", Content: "hi"}}, 0, func(string) error { return nil })
			if err == nil {
				t.Fatal("no error")
			}
			if Kind(err) != tc.kind || !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("err %v kind %q; want kind %q containing %q", err, Kind(err), tc.kind, tc.msg)
			}
		})
	}
}

// TestStreamSlowFirstByte: a server that never answers is cut off at the first-token
// timeout, and the request is closed.
func TestStreamSlowFirstByte(t *testing.T) {
	for _, headers := range []bool{false, true} {
		t.Run(map[bool]string{false: "no headers", true: "headers and keep-alives only"}[headers], func(t *testing.T) {
			f, srv := newFakeChat(t, func(w http.ResponseWriter, r *http.Request) {
				if headers {
					sseHeader(w)
					io.WriteString(w, ": waiting for a GPU\n\n")
					w.(http.Flusher).Flush()
				}
				<-r.Context().Done()
			})
			c := testClient(t, srv.URL, func(c *Config) { c.FirstTokenTimeout = 30 * time.Millisecond })
			_, err := c.Stream(context.Background(), nil, 0, func(string) error { return nil })
			if !errors.Is(err, ErrFirstTokenTimeout) || Kind(err) != "timeout" {
				t.Fatalf("err %v, want ErrFirstTokenTimeout", err)
			}
			<-f.closed // the server saw the request end
		})
	}
}

// TestStreamCancel: cancelling the context mid-reply (barge-in) closes the request; the
// server's handler sees its context end.
func TestStreamCancel(t *testing.T) {
	f, srv := newFakeChat(t, func(w http.ResponseWriter, r *http.Request) {
		sseHeader(w)
		writeSplit(w, `data: {"choices":[{"delta":{"content":"First. "}}]}`+"\n\n", 1<<10)
		<-r.Context().Done()
	})
	c := testClient(t, srv.URL, nil)
	ctx, cancel := context.WithCancelCause(context.Background())
	barge := errors.New("learner barged in")
	_, err := c.Stream(ctx, nil, 0, func(s string) error {
		cancel(barge)
		return nil
	})
	if !errors.Is(err, barge) || Kind(err) != "cancelled" {
		t.Fatalf("err %v, want the barge-in cause", err)
	}
	<-f.closed
}
