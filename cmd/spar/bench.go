package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/sparlab/spar/dialog/stt/sphinx"
	ttscache "github.com/sparlab/spar/dialog/tts/cache"
	"github.com/sparlab/spar/dialog/tts/flite"
	ttsinstant "github.com/sparlab/spar/dialog/tts/instant"
	"github.com/sparlab/spar/telephony/twilio/floor"
	"github.com/sparlab/spar/telephony/twilio/sim"
)

// benchCmd is `spar bench`: concurrent simulated calls (Twilio Media Streams, or browsers
// over WebRTC with --transport webrtc) against a live `spar serve` with zero-latency
// providers, and the same load against the transport's floor echo server.
func benchCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		calls      = fs.Int("calls", 50, "concurrent calls (the first load level when searching)")
		levels     = fs.String("levels", "", "comma-separated load levels to run in order (e.g. 100,200,300) instead of --calls or --search")
		search     = fs.Bool("search", false, "search for the most concurrent calls held with no late frame")
		maxCalls   = fs.Int("max", 1600, "upper bound of the search")
		steps      = fs.Int("steps", 7, "most load levels the search tries")
		rate       = fs.Float64("rate", 100, "calls started per second")
		noFloor    = fs.Bool("no-floor", false, "skip the floor echo server")
		plot       = fs.String("plot", "", "write an SVG plot of overhead and CPU against concurrency here")
		keep       = fs.Bool("keep", false, "keep the temporary data directory (recordings, redis, logs)")
		transport  = fs.String("transport", "twilio", "calls to place: twilio (Media Streams) or webrtc (simulated browsers)")
		serveFloor = fs.String("serve-floor", "", "internal: run the floor echo server on this address")
		cpuProfile = fs.String("cpuprofile", "", "write a CPU profile of the load generator (this process) here")
		providers  = fs.String("providers", "instant", "speech engines of the server: instant (zero latency: Spar's own overhead) or offline (pocketsphinx and flite, learners speaking flite speech; a level holds with p95 turn latency <= 1.5 s; no floor)")
		sttPool    = fs.Int("stt-pool", sphinx.DefaultPoolSize(), "with --providers offline: pocketsphinx decoders per band (stt.pool_size; the default is serve's: two per CPU)")
		serverEnv  envList
	)
	fs.Var(&serverEnv, "server-env", "KEY=VALUE added to spar serve's environment (repeatable), e.g. GOGC=200, GOMEMLIMIT=1GiB, SPAR_DEBUG_LISTEN=127.0.0.1:6060")
	fs.Usage = func() {
		fmt.Fprint(stderr, `Usage: spar bench [flags]

Starts 'spar serve' (providers: instant speech, or pocketsphinx and flite with
--providers offline; the scripted persona) with its own
redis-server, and the floor (an echo server for the transport), then runs N concurrent
simulated Twilio calls (or, with --transport webrtc, simulated browsers over WebRTC)
against each on 127.0.0.1. Reports Spar's own voice-to-voice overhead,
pacing jitter and late frames seen by listening probes, and CPU and RSS per call.
See docs/BENCHMARKS.md.

Flags:
`)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *serveFloor != "" {
		return runFloor(ctx, *serveFloor, *transport)
	}
	if *calls < 1 || *rate <= 0 || *steps < 1 {
		return usageError{"bench: --calls, --rate and --steps must be positive"}
	}
	sparConfig, plan := benchSparConfig, newPlan
	switch *providers {
	case "instant":
	case "offline":
		if *transport != "twilio" {
			return usageError{"bench: --providers offline runs phone calls only (--transport twilio)"}
		}
		if *sttPool < 1 || *sttPool > 64 {
			return usageError{"bench: --stt-pool: want 1-64"}
		}
		sparConfig, plan = fmt.Sprintf(benchOfflineConfig, *sttPool), newOfflinePlan
		*noFloor = true // an echo server has no speech engines to compare with
	default:
		return usageError{fmt.Sprintf("bench: --providers %q: want instant or offline", *providers)}
	}
	dir, err := os.MkdirTemp("", "spar-bench-")
	if err != nil {
		return err
	}
	if *keep {
		fmt.Fprintf(stdout, "data and logs in %s\n", dir)
	} else {
		defer os.RemoveAll(dir)
	}
	logf, err := os.Create(dir + "/servers.log")
	if err != nil {
		return err
	}
	defer logf.Close()

	synth, err := learnerVoice(*providers)
	if err != nil {
		return err
	}
	tr, err := newTransport(*transport, synth)
	if err != nil {
		return err
	}
	if *cpuProfile != "" {
		stop, err := startCPUProfile(*cpuProfile)
		if err != nil {
			return err
		}
		defer stop()
	}
	fmt.Fprintf(stdout, "spar bench: %s calls, %s providers, %d CPUs, Go %s; starting spar serve and the floor...\n", *transport, *providers, runtime.NumCPU(), runtime.Version())
	var fl *benchTarget
	if !*noFloor {
		if fl, err = startFloor(ctx, spawnSelf, logf, *transport); err != nil {
			return err
		}
		defer fl.stop()
	}
	var rows []benchRow
	level := func(n int) (bool, error) {
		fmt.Fprintf(stdout, "level %d calls:\n", n)
		// A fresh server (and redis) per level: its idle RSS before the calls and its peak
		// RSS during them are this level's alone, not the heap a previous level left grown.
		spar, err := startSpar(ctx, spawnSelf, filepath.Join(dir, fmt.Sprintf("level-%d-%d", len(rows), n)), sparConfig, logf, serverEnv)
		if err != nil {
			return false, err
		}
		if *providers == "offline" {
			// pocketsphinx creates its decoders lazily (about 0.2 s of CPU and 100 MB each, more on
			// a loaded box): a first round with as many calls as the pool holds creates them, so
			// the level measures a server that has taken calls before, not its first utterances.
			w := plan(min(n, *sttPool), *rate)
			w.script = w.script[:1]
			fmt.Fprintf(stdout, "  warming up the decoders with %d call(s)...\n", w.n)
			runRound(ctx, spar, tr, w, io.Discard)
		}
		row := benchRow{spar: runRound(ctx, spar, tr, plan(n, *rate), stdout)}
		spar.stop()
		if fl != nil && ctx.Err() == nil {
			f := runRound(ctx, fl, tr, plan(n, *rate), stdout)
			row.floor = &f
		}
		rows = append(rows, row)
		printRow(stdout, row)
		return row.spar.holds(), context.Cause(ctx)
	}
	var best int
	if *levels != "" {
		ns, perr := parseLevels(*levels)
		if perr != nil {
			return perr
		}
		for _, n := range ns {
			var held bool
			if held, err = level(n); err != nil {
				break
			}
			if held {
				best = max(best, n)
			}
		}
	} else {
		best, err = searchLevels(*calls, *maxCalls, *steps, *search, level)
	}
	if err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	fmt.Fprintf(stdout, "\n%s calls; the load generator's CPU (the simulated callers) is in its own column, not in spar's\n", *transport)
	printReport(stdout, rows, best)
	if *plot != "" && len(rows) > 0 {
		f, err := os.Create(*plot)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := writePlot(f, rows); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "plot written to %s\n", *plot)
	}
	return err
}

// parseLevels reads --levels: positive call counts separated by commas.
func parseLevels(s string) ([]int, error) {
	var ns []int
	for f := range strings.SplitSeq(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("bench: --levels: %q is not a positive number of calls", f)
		}
		ns = append(ns, n)
	}
	return ns, nil
}

// searchLevels tries load levels: start; with search, doubling until one fails or max, then
// halving the interval between the best held and the first failed, at most steps levels in
// all. It returns the largest level held (0 if none).
func searchLevels(start, maxN, steps int, search bool, try func(n int) (bool, error)) (int, error) {
	best, bad := 0, 0
	n := start
	for step := 0; step < steps; step++ {
		ok, err := try(n)
		if err != nil {
			return best, err
		}
		if ok {
			best = n
		} else {
			bad = n
		}
		if !search {
			break
		}
		switch {
		case bad == 0 && n >= maxN:
			return best, nil
		case bad == 0:
			n = min(2*n, maxN)
		default:
			next := (best + bad) / 2
			if bad-best <= max(best/10, 10) || next <= best {
				return best, nil
			}
			n = next
		}
	}
	return best, nil
}

// runFloor serves the transport's floor until ctx ends (`spar bench --serve-floor ADDR`, a
// child of bench).
func runFloor(ctx context.Context, addr, transport string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("floor: listen: %w", err)
	}
	mux := http.NewServeMux()
	if transport == "webrtc" {
		f, err := newRTCFloor()
		if err != nil {
			return err
		}
		defer f.Close()
		f.Register(mux)
	} else {
		floor.New(slog.New(slog.DiscardHandler)).Register(mux)
	}
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "ok\n") })
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		srv.Close()
	}()
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// learnerVoice is what the simulated learners speak with: tone speech the instant recognizer
// counts words in, or, for the offline engines, flite speech pocketsphinx really has to
// recognise. Each line is rendered once and shared by every call (dialog/tts/cache), so the
// load generator does not run a flite process per call.
func learnerVoice(providers string) (sim.Synthesizer, error) {
	if providers != "offline" {
		return ttsinstant.New(ttsinstant.Config{})
	}
	f, err := flite.New(flite.Config{})
	if err != nil {
		return nil, fmt.Errorf("bench: --providers offline: %w", err)
	}
	return ttscache.New(f, 4<<20), nil
}
