package httpapi

import (
	"context"
	"strings"
	"testing"
)

func TestValidURL(t *testing.T) {
	for _, tc := range []struct {
		raw  string
		want bool
	}{
		{"https://api.openai.com", true},
		{"http://localhost:11434/v1", true},
		{"wss://api.deepgram.com/v1/listen", false},
		{"api.openai.com", false},
		{"https://", false},
		{"::", false},
	} {
		t.Run(tc.raw, func(t *testing.T) {
			if got := ValidURL(tc.raw, "http", "https"); got != tc.want {
				t.Errorf("ValidURL(%q) = %v, want %v", tc.raw, got, tc.want)
			}
		})
	}
}

func TestEndpoint(t *testing.T) {
	for _, base := range []string{"http://h", "http://h/", "http://h/v1", "http://h/v1/"} {
		if got := Endpoint(base, "/v1/audio/speech"); got != "http://h/v1/audio/speech" {
			t.Errorf("Endpoint(%q) = %q", base, got)
		}
	}
}

func TestNewPost(t *testing.T) {
	for _, key := range []string{"", "sk"} {
		req, err := NewPost(context.Background(), "http://h/v1/x", "application/json", strings.NewReader("{}"), key)
		if err != nil {
			t.Fatal(err)
		}
		want := ""
		if key != "" {
			want = "Bearer " + key
		}
		if req.Method != "POST" || req.Header.Get("Content-Type") != "application/json" || req.Header.Get("Authorization") != want {
			t.Errorf("key %q: %s %v", key, req.Method, req.Header)
		}
	}
}

func TestReadError(t *testing.T) {
	for _, tc := range []struct{ body, msg, typ string }{
		{`{"error":{"message":"bad key","type":"invalid_request_error"}}`, "bad key", "invalid_request_error"},
		{`{"error":"model not found"}`, "model not found", ""},
		{`{"error":42}`, "42", ""},
		{" upstream down\n", "upstream down", ""},
	} {
		t.Run(tc.msg, func(t *testing.T) {
			msg, typ := ReadError(strings.NewReader(tc.body))
			if msg != tc.msg || typ != tc.typ {
				t.Errorf("ReadError(%q) = %q, %q; want %q, %q", tc.body, msg, typ, tc.msg, tc.typ)
			}
		})
	}
}
