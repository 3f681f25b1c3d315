package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/sparlab/spar/dialog/store/redisurl"
)

// openRedis connects to REDIS_URL (one server, a Redis Cluster or a Sentinel master: see
// package redisurl), or, when none is configured, starts a private redis-server with AOF on
// under the data directory, listening on a unix socket only, and restarts it whenever it
// dies (redis_supervise.go).
func openRedis(ctx context.Context, cfg Config, log *slog.Logger) (redis.UniversalClient, func(), error) {
	stop := func() {}
	url := cfg.RedisURL
	if url == "" {
		sock, stopLocal, err := superviseLocalRedis(ctx, filepath.Join(cfg.DataDir, "redis"), log)
		if err != nil {
			return nil, nil, err
		}
		url, stop = "unix://"+sock, stopLocal
	}
	rdb, err := redisurl.Open(url)
	if err != nil {
		stop()
		return nil, nil, fmt.Errorf("redis url: %w", err)
	}
	if err := waitRedis(ctx, rdb, 10*time.Second); err != nil {
		rdb.Close()
		stop()
		return nil, nil, fmt.Errorf("redis at %s: %w", redactURL(url), err)
	}
	return rdb, func() { rdb.Close(); stop() }, nil
}

// waitRedis pings until Redis answers or the deadline passes (a fresh server needs a moment).
func waitRedis(ctx context.Context, rdb redis.UniversalClient, within time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, within)
	defer cancel()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		err := rdb.Ping(ctx).Err()
		if err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return err
		case <-tick.C:
		}
	}
}

func redactURL(u string) string {
	i, j := strings.Index(u, "://"), strings.LastIndex(u, "@")
	if i >= 0 && j > i {
		return u[:i+3] + "***" + u[j:]
	}
	return u
}

// sharedKey returns the 32-byte secret stored at key, creating it on first use, so every
// node on one Redis signs and checks with the same key and it survives restarts. With Redis
// unreachable it returns an error; the caller keeps a key of its own process.
func sharedKey(ctx context.Context, rdb redis.UniversalClient, key string) ([32]byte, error) {
	var k [32]byte
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	var fresh [32]byte
	_, _ = rand.Read(fresh[:])
	if err := rdb.SetNX(ctx, key, hex.EncodeToString(fresh[:]), 0).Err(); err != nil {
		return k, fmt.Errorf("shared key %s: %w", key, err)
	}
	v, err := rdb.Get(ctx, key).Result()
	if err != nil {
		return k, fmt.Errorf("shared key %s: %w", key, err)
	}
	b, err := hex.DecodeString(v)
	if err != nil || len(b) != len(k) {
		return k, fmt.Errorf("shared key %s: not 32 bytes of hex", key)
	}
	copy(k[:], b)
	return k, nil
}
