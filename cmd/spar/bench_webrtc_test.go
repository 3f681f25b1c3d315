package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"testing"
	"time"

	ttsinstant "github.com/sparlab/spar/dialog/tts/instant"
	"github.com/sparlab/spar/telephony/twilio/sim"
)

// benchHelperEnv makes the test binary act as spar (TestBenchHelperProcess): the bench's
// children, `spar serve` and the floor, are the binary that runs the bench.
const benchHelperEnv = "SPAR_BENCH_HELPER"

// TestBenchHelperProcess is spar itself when the test binary runs as a bench child.
func TestBenchHelperProcess(t *testing.T) {
	if os.Getenv(benchHelperEnv) != "1" {
		t.Skip("runs only as a child of a bench test")
	}
	args := os.Args
	for i, a := range args {
		if a == "--" {
			args = args[i+1:]
			break
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	code := 0
	if err := run(ctx, args, os.Stdout, os.Stderr); err != nil {
		os.Stderr.WriteString("spar: " + err.Error() + "\n")
		code = 1
	}
	os.Exit(code)
}

// spawnTestBinary runs this test binary as spar.
func spawnTestBinary(args ...string) (*exec.Cmd, error) {
	cmd := exec.Command(os.Args[0], append([]string{"-test.run=^TestBenchHelperProcess$", "--"}, args...)...)
	cmd.Env = append(os.Environ(), benchHelperEnv+"=1")
	return cmd, nil
}

// TestBenchWebRTCRound runs one WebRTC round of 2 calls (a probe and a simulated learner)
// against a real spar serve child with instant providers and its own redis-server, then the
// floor: the bench's whole path except the binary it spawns.
func TestBenchWebRTCRound(t *testing.T) {
	if _, err := exec.LookPath("redis-server"); err != nil {
		t.Skip("needs redis-server")
	}
	ctx, cancel := context.WithTimeout(t.Context(), 90*time.Second)
	defer cancel()
	var logs bytes.Buffer
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("servers:\n%s", logs.String())
		}
	})
	logTo := syncWriter(&logs)
	synth, err := ttsinstant.New(ttsinstant.Config{})
	if err != nil {
		t.Fatal(err)
	}
	tr, err := newTransport("webrtc", synth)
	if err != nil {
		t.Fatal(err)
	}
	plan := roundPlan{n: 2, rate: 50, script: sim.Script{{Say: "Charged twice."}},
		probe: 3 * time.Second, window: time.Second, limit: 60 * time.Second}

	spar, err := startSpar(ctx, spawnTestBinary, t.TempDir(), benchSparConfig, logTo, []string{"GOGC=100"})
	if err != nil {
		t.Fatal(err)
	}
	defer spar.stop()
	var progress bytes.Buffer
	res := runRound(ctx, spar, tr, plan, &progress)
	if res.failed != 0 || res.ok != 2 {
		t.Fatalf("%d ok, %d failed (first error %q), want 2 ok", res.ok, res.failed, res.firstErr)
	}
	if res.pace.frames == 0 {
		t.Error("the probe received no persona audio")
	}
	if len(res.overhead) == 0 || res.unsealed != 0 {
		t.Errorf("%d answered turns in the sealed records, %d records not sealed; want turns, all sealed", len(res.overhead), res.unsealed)
	}
	for _, k := range []string{"server", "redis", "loadgen"} {
		if _, ok := res.cores[k]; !ok {
			t.Errorf("no CPU sample for %s: %v", k, res.cores)
		}
	}
	if res.rssLoad <= 0 || res.window <= 0 {
		t.Errorf("rss %d, window %v", res.rssLoad, res.window)
	}

	fl, err := startFloor(ctx, spawnTestBinary, logTo, "webrtc")
	if err != nil {
		t.Fatal(err)
	}
	defer fl.stop()
	f := runRound(ctx, fl, tr, plan, io.Discard)
	if f.failed != 0 || f.pace.frames == 0 {
		t.Errorf("floor: %d failed (%q), %d frames echoed", f.failed, f.firstErr, f.pace.frames)
	}
	var out bytes.Buffer
	printRow(&out, benchRow{spar: res, floor: &f})
	if !bytes.Contains(out.Bytes(), []byte("2 calls")) || !bytes.Contains(out.Bytes(), []byte("floor")) {
		t.Errorf("row:\n%s", out.String())
	}
}

func TestBenchFlags(t *testing.T) {
	for _, tc := range []struct {
		name string
		set  []string
		ok   bool
	}{
		{"gogc", []string{"GOGC=200"}, true},
		{"two", []string{"GOGC=off", "GOMEMLIMIT=512MiB"}, true},
		{"empty value", []string{"GODEBUG="}, true},
		{"no equals", []string{"GOGC"}, false},
		{"no key", []string{"=1"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var e envList
			var err error
			for _, v := range tc.set {
				if err = e.Set(v); err != nil {
					break
				}
			}
			if (err == nil) != tc.ok || (tc.ok && len(e) != len(tc.set)) {
				t.Errorf("Set(%q): %v, list %v", tc.set, err, e)
			}
		})
	}
	for _, name := range []string{"twilio", "webrtc"} {
		if _, err := newTransport(name, nil); err != nil {
			t.Errorf("transport %s: %v", name, err)
		}
	}
	if _, err := newTransport("sip", nil); err == nil {
		t.Error("transport sip accepted")
	}
}
