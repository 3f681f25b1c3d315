package store

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// Defaults of the go-redis log adapter: at most redisLogBurst lines per redisLogEvery; the
// rest are counted and reported in one line when the next interval lets lines through.
const (
	redisLogBurst = 5
	redisLogEvery = 10 * time.Second
)

// RedisLogger passes go-redis's internal log lines (pool and dial errors, which repeat for
// every connection attempt during an outage) to slog, at Warn with component=redis,
// rate-limited to a few lines per interval with a count of those left out.
type RedisLogger struct {
	log   *slog.Logger
	burst int
	every time.Duration
	now   func() time.Time

	mu         sync.Mutex
	start      time.Time // of the current interval
	n          int       // lines logged in it
	suppressed int       // lines left out since the last one logged
}

// NewRedisLogger returns an adapter logging to log (nil: discarded).
func NewRedisLogger(log *slog.Logger) *RedisLogger {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &RedisLogger{log: log.With("component", "redis"), burst: redisLogBurst, every: redisLogEvery, now: time.Now}
}

// Printf implements go-redis's internal logging interface.
func (r *RedisLogger) Printf(ctx context.Context, format string, v ...any) {
	r.mu.Lock()
	now := r.now()
	if now.Sub(r.start) >= r.every {
		r.start, r.n = now, 0
	}
	if r.n >= r.burst {
		r.suppressed++
		r.mu.Unlock()
		return
	}
	r.n++
	suppressed := r.suppressed
	r.suppressed = 0
	r.mu.Unlock()
	attrs := []any{"msg_from", "go-redis"}
	if suppressed > 0 {
		attrs = append(attrs, "suppressed", suppressed)
	}
	r.log.WarnContext(ctx, "redis client: "+fmt.Sprintf(format, v...), attrs...)
}

// InstallRedisLogger routes go-redis's internal log (a process-wide setting of go-redis)
// through log, rate-limited. Call it once at start, before connecting.
func InstallRedisLogger(log *slog.Logger) *RedisLogger {
	r := NewRedisLogger(log)
	redis.SetLogger(r)
	return r
}
