package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/redis/go-redis/v9"
)

// openRedis connects to REDIS_URL, or, when none is configured, starts a private
// redis-server with AOF on under the data directory, listening on a unix socket only.
func openRedis(ctx context.Context, cfg Config, log *slog.Logger) (redis.UniversalClient, func(), error) {
	stop := func() {}
	url := cfg.RedisURL
	if url == "" {
		sock, stopLocal, err := startLocalRedis(ctx, filepath.Join(cfg.DataDir, "redis"), log)
		if err != nil {
			return nil, nil, err
		}
		url, stop = "unix://"+sock, stopLocal
	}
	opt, err := redis.ParseURL(url)
	if err != nil {
		stop()
		return nil, nil, fmt.Errorf("redis url: %w", err)
	}
	rdb := redis.NewClient(opt)
	if err := waitRedis(ctx, rdb, 10*time.Second); err != nil {
		rdb.Close()
		stop()
		return nil, nil, fmt.Errorf("redis at %s: %w", redactURL(url), err)
	}
	return rdb, func() { rdb.Close(); stop() }, nil
}

// startLocalRedis runs redis-server as a child that dies with this process.
func startLocalRedis(ctx context.Context, dir string, log *slog.Logger) (string, func(), error) {
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		return "", nil, errors.New("redis-server not found: run `make run` (it installs it), apt-get install redis-server, or set REDIS_URL")
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return "", nil, err
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", nil, err
	}
	sock := filepath.Join(abs, "redis.sock")
	// A redis-server left by a killed predecessor still owns the socket: reuse it.
	if _, err := os.Stat(sock); err == nil {
		probe := redis.NewClient(&redis.Options{Network: "unix", Addr: sock, MaxRetries: -1})
		alive := probe.Ping(ctx).Err() == nil
		probe.Close()
		if alive {
			log.Info("reusing the local redis-server", "socket", sock)
			return sock, func() {}, nil
		}
		os.Remove(sock)
	}
	cmd := exec.Command(bin, "--port", "0", "--unixsocket", sock, "--unixsocketperm", "700",
		"--dir", abs, "--appendonly", "yes", "--appendfsync", "everysec", "--save", "",
		"--logfile", filepath.Join(abs, "redis.log"))
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
	if err := cmd.Start(); err != nil {
		return "", nil, fmt.Errorf("start redis-server: %w", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	// Wait for the socket to appear, so the client's first dial succeeds.
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	deadline := time.NewTimer(10 * time.Second)
	defer deadline.Stop()
	for {
		if _, err := os.Stat(sock); err == nil {
			break
		}
		select {
		case err := <-exited:
			return "", nil, fmt.Errorf("redis-server exited at start (%v): see %s", err, filepath.Join(abs, "redis.log"))
		case <-deadline.C:
			_ = cmd.Process.Kill()
			return "", nil, fmt.Errorf("redis-server did not open %s within 10s", sock)
		case <-tick.C:
		}
	}
	log.Info("started a local redis-server", "socket", sock, "dir", abs)
	stop := func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
	}
	return sock, stop, nil
}

// waitRedis pings until Redis answers or the deadline passes (a fresh server needs a moment).
func waitRedis(ctx context.Context, rdb *redis.Client, within time.Duration) error {
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
