package sip

import (
	"context"
	"log/slog"
	"math"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"

	"github.com/sparlab/spar/telephony"
	"github.com/sparlab/spar/telephony/sip/sim"
)

// scenarios is a fixed catalog.
type scenarios map[string]string

func (s scenarios) Title(id string) (string, bool) { t, ok := s[id]; return t, ok }

var testScenarios = scenarios{"double-charge": "Double charge", "cold-call": "Cold call"}

// freePort returns a port free on 127.0.0.1 for both UDP and TCP.
func freePort(t *testing.T) int {
	t.Helper()
	for range 20 {
		u, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port := u.LocalAddr().(*net.UDPAddr).Port
		l, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(port))
		u.Close()
		if err == nil {
			l.Close()
			return port
		}
	}
	t.Fatal("no free port")
	return 0
}

// testConfig listens on a free loopback port, allows loopback, answers at once.
func testConfig(t *testing.T) Config {
	c := DefaultConfig()
	c.Listen = "127.0.0.1:" + strconv.Itoa(freePort(t))
	c.AllowFrom = []string{"127.0.0.1"}
	c.RingTime = 0
	c.Numbers = map[string]string{"100": "double-charge", "200": "cold-call"}
	c.Learners = map[string]string{"2001": "ada"}
	return c
}

// startServer runs a server with handler until the test ends.
func startServer(t *testing.T, cfg Config, handler telephony.Handler) *Server {
	t.Helper()
	s, err := NewServer(cfg, testScenarios, handler, testLog(t))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close(nil) })
	return s
}

// phone dials the server as the caller from.
func phone(t *testing.T, s *Server, mod func(*sim.Config)) *sim.Phone {
	t.Helper()
	cfg := sim.Config{Target: s.cfg.Listen, To: "100", From: "2001"}
	if mod != nil {
		mod(&cfg)
	}
	p, err := sim.Dial(t.Context(), cfg, testLog(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	return p
}

// testLog logs into the test's output until it ends (sipgo may log after).
func testLog(t *testing.T) *slog.Logger {
	w := &testWriter{t: t}
	t.Cleanup(func() { w.done.Store(true) })
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelInfo}))
}

type testWriter struct {
	t    *testing.T
	done atomic.Bool
}

func (w *testWriter) Write(p []byte) (int, error) {
	if !w.done.Load() {
		w.t.Log(strings.TrimSpace(string(p)))
	}
	return len(p), nil
}

// waitIdle drains s and waits until its last call has ended.
func waitIdle(t *testing.T, s *Server) {
	t.Helper()
	s.Drain()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	if err := s.Wait(ctx); err != nil {
		t.Fatalf("calls still live: %v", err)
	}
}

// tone is 20 ms of a 16 kHz sine at freq, loud.
func tone(freq float64, n int) []int16 {
	out := make([]int16, n)
	for i := range out {
		out[i] = int16(8000 * math.Sin(2*3.141592653589793*freq*float64(i)/16000))
	}
	return out
}

type sipResponse = sip.Response

func mathSin(x float64) float64 { return math.Sin(x) }

func mustAddr(s string) netip.Addr { return netip.MustParseAddr(s) }
