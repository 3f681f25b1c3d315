package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sparlab/spar/dialog"
	sttinstant "github.com/sparlab/spar/dialog/stt/instant"
	ttsinstant "github.com/sparlab/spar/dialog/tts/instant"
	"github.com/sparlab/spar/media"
	"github.com/sparlab/spar/telephony/twilio/sim"
)

// benchLead is dialog's default lead: frames sent at once when the persona starts speaking.
const benchLead = 3

// roundResult is one load level against one target.
type roundResult struct {
	target           string
	n                int
	ok, failed       int
	firstErr         string
	overhead         []time.Duration // per answered turn: turn.latency total minus endpoint
	pace             pacing
	cores            map[string]float64 // CPU in cores during the steady window, by process
	rssIdle, rssLoad int64              // the server's RSS before the round and with n calls live
	window           time.Duration
}

// holds reports whether the target carried the round: every call completed and no outbound
// frame reached a probe later than it would have played.
func (r roundResult) holds() bool { return r.failed == 0 && r.pace.late == 0 }

// perCallCPU is the server's CPU per live call, in milliseconds of CPU per second of call.
func (r roundResult) perCallCPU() float64 { return r.cores["server"] / float64(r.n) * 1000 }

func (r roundResult) rssPerCall() int64 { return (r.rssLoad - r.rssIdle) / int64(r.n) }

// roundPlan is how a round's calls behave.
type roundPlan struct {
	n      int
	rate   float64       // calls started per second
	script sim.Script    // what the simulated learners say
	probe  time.Duration // how long probes listen
	window time.Duration // steady-state measurement window
	limit  time.Duration // the whole round's bound
}

func newPlan(n int, rate float64) roundPlan {
	lines := sttinstant.DefaultLines
	return roundPlan{
		n: n, rate: rate,
		script: sim.Script{{Say: lines[0]}, {Say: lines[1]}},
		probe:  24 * time.Second,
		window: 6 * time.Second,
		limit:  time.Duration(float64(n)/rate*float64(time.Second)) + 90*time.Second,
	}
}

// runRound places p.n calls against t, one probe per 20 calls (at least one), and measures.
func runRound(ctx context.Context, t *benchTarget, p roundPlan, synth *ttsinstant.Synthesizer, progress io.Writer) roundResult {
	ctx, cancel := context.WithTimeout(ctx, p.limit)
	defer cancel()
	res := roundResult{target: t.name, n: p.n, cores: map[string]float64{}}
	if s, err := readProc(t.pids["server"]); err == nil {
		res.rssIdle = s.rss
	}
	var (
		mu       sync.Mutex
		wg       sync.WaitGroup
		ids      []string
		arrivals [][]time.Time
		live     atomic.Int64
		done     atomic.Int64
		failed   atomic.Int64
	)
	fail := func(err error) {
		failed.Add(1)
		mu.Lock()
		if res.firstErr == "" {
			res.firstErr = err.Error()
		}
		mu.Unlock()
	}
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	pr := probe{base: t.base, hc: hc}
	probeEvery := min(20, p.n)
	call := func(i int) {
		defer wg.Done()
		live.Add(1)
		defer func() { live.Add(-1); done.Add(1) }()
		if i%probeEvery == 0 {
			r, err := pr.run(ctx, i, p.probe)
			if err != nil {
				fail(err)
				return
			}
			mu.Lock()
			ids, arrivals = append(ids, r.callID), append(arrivals, r.arrivals)
			mu.Unlock()
			return
		}
		r, err := sim.Run(ctx, sim.Config{BaseURL: t.base, Script: p.script, DiscardAudio: true, HTTPClient: hc,
			GreetTimeout: 2 * time.Second, ReplyTimeout: 10 * time.Second}, synth, nil)
		if err != nil {
			fail(err)
			return
		}
		mu.Lock()
		ids = append(ids, r.CallID)
		mu.Unlock()
	}

	// Progress every 2 s while the round runs.
	stopProgress := make(chan struct{})
	progressDone := make(chan struct{})
	go func() {
		defer close(progressDone)
		tick := time.NewTicker(2 * time.Second)
		defer tick.Stop()
		prev, _ := readProc(t.pids["server"])
		for {
			select {
			case <-stopProgress:
				return
			case <-tick.C:
				cur, err := readProc(t.pids["server"])
				if err != nil {
					continue
				}
				fmt.Fprintf(progress, "  %s n=%d: live %d, done %d, failed %d, server %.2f cores, %d MB\n",
					t.name, p.n, live.Load(), done.Load(), failed.Load(), cpuShare(prev, cur), cur.rss>>20)
				prev = cur
			}
		}
	}()

	// Ramp up at p.rate calls per second.
	interval := time.Duration(float64(time.Second) / p.rate)
	ramp := time.NewTicker(interval)
	for i := 0; i < p.n; i++ {
		wg.Add(1)
		go call(i)
		if i < p.n-1 {
			select {
			case <-ramp.C:
			case <-ctx.Done():
			}
		}
	}
	ramp.Stop()

	// Steady window: every call is live (calls outlast the ramp by the settle time plus the
	// window; probes by design, simulated learners by their script).
	settle := time.NewTimer(2 * time.Second)
	select {
	case <-settle.C:
	case <-ctx.Done():
	}
	a := sampleAll(t)
	win := time.NewTimer(p.window)
	select {
	case <-win.C:
	case <-ctx.Done():
	}
	b := sampleAll(t)
	res.window = b["server"].at.Sub(a["server"].at)
	for k := range b {
		res.cores[k] = cpuShare(a[k], b[k])
	}
	res.rssLoad = b["server"].rss
	if live.Load() < int64(p.n) {
		fmt.Fprintf(progress, "  note: only %d of %d calls were live during the window\n", live.Load(), p.n)
	}

	wg.Wait()
	close(stopProgress)
	<-progressDone
	res.failed = int(failed.Load())
	res.ok = p.n - res.failed
	for _, arr := range arrivals {
		pc := analyzePacing(arr, media.FrameDuration, benchLead)
		res.pace.frames += pc.frames
		res.pace.late += pc.late
		res.pace.jitter = append(res.pace.jitter, pc.jitter...)
	}
	if t.name == "spar" {
		res.overhead = fetchOverhead(context.WithoutCancel(ctx), hc, t.base, ids)
	}
	return res
}

// sampleAll reads every process of t, and this one (the load generator).
func sampleAll(t *benchTarget) map[string]procSample {
	out := map[string]procSample{}
	for k, pid := range t.pids {
		if s, err := readProc(pid); err == nil {
			out[k] = s
		}
	}
	if s, err := readProc(os.Getpid()); err == nil {
		out["loadgen"] = s
	}
	return out
}

// fetchOverhead reads each call's sealed record and returns Spar's own share of every answered
// turn: with zero-latency providers everything between the endpoint and the first persona
// frame (recognizer, persona and synthesizer hops, playout start) is Spar.
func fetchOverhead(ctx context.Context, hc *http.Client, base string, ids []string) []time.Duration {
	var out []time.Duration
	for _, id := range ids {
		for try := 0; try < 20; try++ {
			var rec struct {
				Status  string               `json:"status"`
				Latency []dialog.TurnLatency `json:"latency"`
			}
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/api/calls/"+id, nil)
			resp, err := hc.Do(req)
			if err != nil {
				break
			}
			err = json.NewDecoder(resp.Body).Decode(&rec)
			resp.Body.Close()
			if err == nil && rec.Status != "live" {
				for _, l := range rec.Latency {
					out = append(out, l.Total-l.Endpoint)
				}
				break
			}
			time.Sleep(100 * time.Millisecond) // the record is sealed moments after the call ends
		}
	}
	return out
}
