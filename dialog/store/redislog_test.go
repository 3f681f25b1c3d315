package store

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/sparlab/spar/dialog/store/storetest"
)

// TestRedisLoggerRateLimited (issue 12 item 8): go-redis's dial errors, repeated for every
// attempt during an outage, reach slog as a few structured lines per interval, with a count
// of those left out.
func TestRedisLoggerRateLimited(t *testing.T) {
	logs := &storetest.SyncBuffer{}
	r := NewRedisLogger(slog.New(slog.NewTextHandler(logs, nil)))
	now := time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)
	r.now = func() time.Time { return now }
	for range 100 {
		r.Printf(context.Background(), "redis: connection pool: failed to dial after %d attempts: %s", 5, "connection refused")
	}
	if n := strings.Count(logs.String(), "failed to dial"); n != redisLogBurst {
		t.Errorf("%d lines in one interval, want %d:\n%s", n, redisLogBurst, logs.String())
	}
	now = now.Add(redisLogEvery)
	r.Printf(context.Background(), "redis: connection pool: failed to dial after %d attempts: %s", 5, "connection refused")
	out := logs.String()
	last := out[strings.LastIndex(strings.TrimSpace(out), "\n")+1:]
	for _, want := range []string{"level=WARN", "component=redis", "suppressed=95", "failed to dial after 5 attempts"} {
		if !strings.Contains(last, want) {
			t.Errorf("line after the interval lacks %q: %s", want, last)
		}
	}
}
