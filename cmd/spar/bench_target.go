package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"time"
)

// benchTarget is a server under load: its base URL and the processes whose CPU and memory
// count against it.
type benchTarget struct {
	name  string
	base  string
	pids  map[string]int // "server" and, for Spar, "redis"
	stops []func()
}

func (t *benchTarget) stop() {
	for i := len(t.stops) - 1; i >= 0; i-- {
		t.stops[i]()
	}
}

// child starts cmd as a process that ends with the bench: interrupted, then killed after 10 s.
func child(cmd *exec.Cmd, logTo io.Writer) (*exec.Cmd, func(), error) {
	cmd.Stdout, cmd.Stderr = logTo, logTo
	if err := cmd.Start(); err != nil {
		return nil, nil, fmt.Errorf("bench: start %s: %w", filepath.Base(cmd.Path), err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	stop := func() {
		_ = cmd.Process.Signal(os.Interrupt)
		t := time.NewTimer(10 * time.Second)
		defer t.Stop()
		select {
		case <-done:
		case <-t.C:
			_ = cmd.Process.Kill()
			<-done
		}
	}
	return cmd, stop, nil
}

// spawner returns the command that runs spar with args: the bench's servers are this same
// binary (`spar serve`, `spar bench --serve-floor`).
type spawner func(args ...string) (*exec.Cmd, error)

// spawnSelf runs this executable.
func spawnSelf(args ...string) (*exec.Cmd, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	return exec.Command(self, args...), nil
}

// freeAddr returns a loopback address nothing listens on now.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// waitHealthy polls url until it answers 200, for up to a minute.
func waitHealthy(ctx context.Context, url string) error {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return fmt.Errorf("bench: %w", err)
		}
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("bench: %s not healthy: %w", url, context.Cause(ctx))
		case <-tick.C:
		}
	}
}

// benchSparConfig is the server the benchmark measures: zero-latency speech, the scripted
// persona, no admission cap (nor the browser offer limits: every probe is one client).
const benchSparConfig = `providers:
  stt: instant
  tts: instant
` + benchSparCommon

// benchOfflineConfig is the server `spar bench --providers offline` measures: pocketsphinx and
// flite, as `spar serve` runs with no provider configured; %d is the decoder pool per band.
const benchOfflineConfig = `providers:
  stt: sphinx
  tts: flite
stt:
  pool_size: %d
` + benchSparCommon

// benchSparCommon is the rest of both configurations.
const benchSparCommon = `twilio:
  default_scenario: double-charge
  max_calls: 0
webrtc:
  include_loopback: true
  max_calls: 0
  require_session: false
  max_pending_offers: 0
  max_pending_per_client: 0
  max_pending_per_ip: 0
shutdown_grace: 5s
log_level: warn
`

// startSpar runs `spar serve` (this binary) with its own redis-server under dir and the
// configuration config (benchSparConfig unless measuring other providers); env is added to
// serve's environment.
func startSpar(ctx context.Context, spawn spawner, dir, config string, logTo io.Writer, env []string) (*benchTarget, error) {
	t := &benchTarget{name: "spar", pids: map[string]int{}}
	ok := false
	defer func() {
		if !ok {
			t.stop()
		}
	}()
	rdir := filepath.Join(dir, "redis")
	if err := os.MkdirAll(rdir, 0o750); err != nil {
		return nil, err
	}
	sock := filepath.Join(rdir, "redis.sock")
	// As serve's private redis-server: AOF on, so the timeline costs what it costs in use.
	rcmd, rstop, err := child(exec.Command("redis-server", "--port", "0", "--unixsocket", sock, "--save", "",
		"--appendonly", "yes", "--dir", rdir), logTo)
	if err != nil {
		return nil, err
	}
	t.stops, t.pids["redis"] = append(t.stops, rstop), rcmd.Process.Pid
	for i := 0; ; i++ {
		if _, err := os.Stat(sock); err == nil {
			break
		}
		if i == 100 {
			return nil, errors.New("bench: redis-server did not open its socket")
		}
		time.Sleep(50 * time.Millisecond) // a command-line tool waiting for a child, not a test
	}
	cfgPath := filepath.Join(dir, "spar.yaml")
	if err := os.WriteFile(cfgPath, []byte(config), 0o600); err != nil {
		return nil, err
	}
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	t.base = "http://" + addr
	cmd, err := spawn("serve", "--config", cfgPath)
	if err != nil {
		return nil, err
	}
	cmd.Env = append(cmd.Environ(), "SPAR_LISTEN="+addr, "SPAR_PUBLIC_URL="+t.base, "SPAR_DATA_DIR="+filepath.Join(dir, "data"),
		"REDIS_URL=unix://"+sock, "TWILIO_AUTH_TOKEN=", "SPAR_CONFIG=")
	cmd.Env = append(cmd.Env, env...)
	scmd, sstop, err := child(cmd, logTo)
	if err != nil {
		return nil, err
	}
	t.stops, t.pids["server"] = append(t.stops, sstop), scmd.Process.Pid
	if err := waitHealthy(ctx, t.base+"/healthz"); err != nil {
		return nil, err
	}
	ok = true
	return t, nil
}

// startFloor runs the transport's floor echo server (this binary, `spar bench --serve-floor`).
func startFloor(ctx context.Context, spawn spawner, logTo io.Writer, transport string) (*benchTarget, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	fcmd, err := spawn("bench", "--transport", transport, "--serve-floor", addr)
	if err != nil {
		return nil, err
	}
	cmd, stop, err := child(fcmd, logTo)
	if err != nil {
		return nil, err
	}
	t := &benchTarget{name: "floor", base: "http://" + addr, pids: map[string]int{"server": cmd.Process.Pid}, stops: []func(){stop}}
	if err := waitHealthy(ctx, t.base+"/healthz"); err != nil {
		t.stop()
		return nil, err
	}
	return t, nil
}
