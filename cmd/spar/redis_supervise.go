package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	"github.com/redis/go-redis/v9"
)

// Restart backoff of the private redis-server: the first restart is immediate enough not to
// be noticed by a call (whose log spills to disk meanwhile); a server that keeps dying is
// restarted at most every supervisorMaxBackoff. A run longer than supervisorStable resets it.
const (
	supervisorMinBackoff = 100 * time.Millisecond
	supervisorMaxBackoff = 5 * time.Second
	supervisorStable     = 30 * time.Second
	supervisorWatch      = time.Second // how often a reused server (not our child) is checked
)

// redisSupervisor runs the private redis-server `spar serve` uses when no REDIS_URL is set,
// and restarts it whenever it exits (killed, crashed, OOM). With AOF on, what it held comes
// back with it. A server left by a killed predecessor is reused and watched: when it stops
// answering on its socket, the supervisor starts its own.
type redisSupervisor struct {
	bin, dir, sock string
	log            *slog.Logger

	mu       sync.Mutex
	cmd      *exec.Cmd // the running child; nil while reusing or restarting
	restarts int

	stopc chan struct{}
	done  chan struct{}
}

// superviseLocalRedis starts (or reuses) the private redis-server under dir and keeps it
// running until stop is called; stop ends it (SIGTERM, then SIGKILL after 10 s).
func superviseLocalRedis(ctx context.Context, dir string, log *slog.Logger) (string, func(), error) {
	sv, err := newRedisSupervisor(dir, log)
	if err != nil {
		return "", nil, err
	}
	if err := sv.start(ctx); err != nil {
		return "", nil, err
	}
	return sv.sock, sv.stop, nil
}

func newRedisSupervisor(dir string, log *slog.Logger) (*redisSupervisor, error) {
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		return nil, errors.New("redis-server not found: run `make run` (it installs it), apt-get install redis-server, or set REDIS_URL")
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, err
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	return &redisSupervisor{
		bin: bin, dir: abs, sock: filepath.Join(abs, "redis.sock"),
		log:   log.With("component", "redis-supervisor"),
		stopc: make(chan struct{}), done: make(chan struct{}),
	}, nil
}

// start brings the server up (or finds a live one) and starts watching it.
func (sv *redisSupervisor) start(ctx context.Context) error {
	var exited <-chan error
	if sv.answers(ctx) {
		sv.log.Info("reusing the local redis-server", "socket", sv.sock)
	} else {
		var err error
		if exited, err = sv.spawn(); err != nil {
			return err
		}
		sv.log.Info("started a local redis-server", "socket", sv.sock, "dir", sv.dir)
	}
	go sv.watch(exited)
	return nil
}

// answers reports whether a redis-server answers PING on the socket.
func (sv *redisSupervisor) answers(ctx context.Context) bool {
	if _, err := os.Stat(sv.sock); err != nil {
		return false
	}
	probe := redis.NewClient(&redis.Options{Network: "unix", Addr: sv.sock, MaxRetries: -1,
		DialTimeout: time.Second, ReadTimeout: time.Second})
	defer probe.Close()
	return probe.Ping(ctx).Err() == nil
}

// spawn starts a child redis-server and waits for its socket.
func (sv *redisSupervisor) spawn() (<-chan error, error) {
	cmd := exec.Command(sv.bin, "--port", "0", "--unixsocket", sv.sock, "--unixsocketperm", "700",
		"--dir", sv.dir, "--appendonly", "yes", "--appendfsync", "everysec", "--save", "",
		"--logfile", filepath.Join(sv.dir, "redis.log"))
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
	_ = os.Remove(sv.sock) // a dead server's socket file
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start redis-server: %w", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	deadline := time.NewTimer(10 * time.Second)
	defer deadline.Stop()
	for {
		if _, err := os.Stat(sv.sock); err == nil {
			break
		}
		select {
		case err := <-exited:
			return nil, fmt.Errorf("redis-server exited at start (%v): see %s", err, filepath.Join(sv.dir, "redis.log"))
		case <-deadline.C:
			_ = cmd.Process.Kill()
			<-exited
			return nil, fmt.Errorf("redis-server did not open %s within 10s", sv.sock)
		case <-tick.C:
		}
	}
	sv.mu.Lock()
	sv.cmd = cmd
	sv.mu.Unlock()
	return exited, nil
}

// watch restarts the server each time it exits, until stop. exited is nil while a reused
// server (not our child) runs: it is checked every supervisorWatch instead.
func (sv *redisSupervisor) watch(exited <-chan error) {
	defer close(sv.done)
	backoff := supervisorMinBackoff
	started := time.Now()
	watch := time.NewTicker(supervisorWatch)
	defer watch.Stop()
	for {
		var tick <-chan time.Time
		if exited == nil {
			tick = watch.C
		}
		select {
		case <-sv.stopc:
			sv.terminate(exited)
			return
		case <-tick:
			if sv.dialable() {
				continue
			}
			sv.log.Error("local redis-server stopped answering; starting a new one", "socket", sv.sock)
		case err := <-exited:
			sv.mu.Lock()
			sv.cmd = nil
			sv.mu.Unlock()
			sv.log.Error("local redis-server exited; restarting it", "err", err, "socket", sv.sock)
		}
		if time.Since(started) > supervisorStable {
			backoff = supervisorMinBackoff
		}
		for {
			t := time.NewTimer(backoff)
			select {
			case <-sv.stopc:
				t.Stop()
				return
			case <-t.C:
			}
			backoff = min(2*backoff, supervisorMaxBackoff)
			var err error
			if exited, err = sv.spawn(); err == nil {
				break
			}
			sv.log.Error("restart local redis-server", "err", err, "retry_in", backoff)
		}
		started = time.Now()
		sv.mu.Lock()
		sv.restarts++
		n := sv.restarts
		sv.mu.Unlock()
		sv.log.Warn("local redis-server restarted", "socket", sv.sock, "restarts", n)
	}
}

// dialable reports whether something listens on the socket (a busy server still accepts).
func (sv *redisSupervisor) dialable() bool {
	c, err := net.DialTimeout("unix", sv.sock, time.Second)
	if err != nil {
		return false
	}
	c.Close()
	return true
}

// terminate ends our child, if any.
func (sv *redisSupervisor) terminate(exited <-chan error) {
	sv.mu.Lock()
	cmd := sv.cmd
	sv.mu.Unlock()
	if cmd == nil || exited == nil {
		return
	}
	_ = cmd.Process.Signal(syscall.SIGTERM)
	t := time.NewTimer(10 * time.Second)
	defer t.Stop()
	select {
	case <-exited:
	case <-t.C:
		_ = cmd.Process.Kill()
		<-exited
	}
}

// stop ends supervision and the server it started; it waits for both.
func (sv *redisSupervisor) stop() {
	select {
	case <-sv.stopc:
	default:
		close(sv.stopc)
	}
	<-sv.done
}

// child returns the running child's process (nil while none), for fault tests.
func (sv *redisSupervisor) child() *os.Process {
	sv.mu.Lock()
	defer sv.mu.Unlock()
	if sv.cmd == nil {
		return nil
	}
	return sv.cmd.Process
}
