package main

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestReadyzDrain(t *testing.T) {
	var redisErr error
	rd := &readiness{check: func(context.Context) error { return redisErr }}
	probe := func() (int, string) {
		w := httptest.NewRecorder()
		rd.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/readyz", nil))
		return w.Code, w.Body.String()
	}
	if code, body := probe(); code != http.StatusOK || body != "ok\n" {
		t.Errorf("ready node: %d %q", code, body)
	}
	redisErr = errors.New("store: not ready: redis unreachable")
	if code, body := probe(); code != http.StatusServiceUnavailable || !strings.Contains(body, "redis unreachable") {
		t.Errorf("Redis down: %d %q", code, body)
	}
	redisErr = nil
	rd.Drain()
	if code, body := probe(); code != http.StatusServiceUnavailable || !strings.Contains(body, "draining") {
		t.Errorf("draining node: %d %q, want 503 draining", code, body)
	}
}
