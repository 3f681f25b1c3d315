package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sparlab/spar/dialog"
	sttinstant "github.com/sparlab/spar/dialog/stt/instant"
	"github.com/sparlab/spar/media"
	"github.com/sparlab/spar/telephony/twilio"
	"github.com/sparlab/spar/telephony/twilio/sim"
)

// benchLead is the phone path's lead: frames sent at once when the persona starts speaking
// (Twilio's send_ahead in frames; it is larger than dialog's own lead_frames).
var benchLead = int(twilio.DefaultConfig().SendAhead / media.FrameDuration)

// roundResult is one load level against one target.
type roundResult struct {
	target           string
	n                int
	ok, failed       int
	firstErr         string
	ids              []string             // the calls' IDs, probes' and learners'
	unsealed         int                  // calls whose record was not sealed in time: their turns are missing
	overhead         []time.Duration      // per answered turn: turn.latency total minus endpoint
	turns            []dialog.TurnLatency // every answered turn's turn.latency
	turnLimit        time.Duration        // with real speech engines: the p95 turn latency a level must keep
	pace             pacing
	cores            map[string]float64 // CPU in cores during the steady window, by process
	waiting          float64            // the server's threads runnable but waiting for a CPU in the window, on average
	rssIdle, rssLoad int64              // a fresh server's RSS before the round, and its peak RSS (VmHWM) through it
	rampLate         int                // late frames that arrived before the last call was placed
	window           time.Duration
}

// holds reports whether the target carried the round: every call completed and no outbound
// frame reached a probe later than it would have played; with real speech engines
// (turnLimit set), every call completed and the p95 turn latency stayed within turnLimit.
func (r roundResult) holds() bool {
	if r.turnLimit > 0 {
		return r.failed == 0 && len(r.turns) > 0 && percentile(r.totals(), 95) <= r.turnLimit
	}
	return r.failed == 0 && r.pace.late == 0
}

// totals is each answered turn's latency from the learner's end of speech to the first
// persona frame handed to the transport.
func (r roundResult) totals() []time.Duration {
	out := make([]time.Duration, len(r.turns))
	for i, l := range r.turns {
		out[i] = l.Total
	}
	return out
}

// perCallCPU is the server's CPU per live call, in milliseconds of CPU per second of call.
func (r roundResult) perCallCPU() float64 { return r.cores["server"] / float64(r.n) * 1000 }

// rssPerCall is the memory one call costs: the fresh server's peak RSS over the round less
// its idle RSS, divided by the calls.
func (r roundResult) rssPerCall() int64 { return (r.rssLoad - r.rssIdle) / int64(r.n) }

// roundPlan is how a round's calls behave.
type roundPlan struct {
	n      int
	rate   float64       // calls started per second
	script sim.Script    // what the simulated learners say
	probe  time.Duration // how long probes listen
	window time.Duration // steady-state measurement window
	limit  time.Duration // the whole round's bound
	// greet and reply bound a simulated learner's wait for the persona's greeting and each
	// reply (to the end of its speech).
	greet, reply time.Duration
	turnLimit    time.Duration // see roundResult.turnLimit
	noProbes     bool          // every call is a learner (with few calls, a probe would be a large share)
}

func newPlan(n int, rate float64) roundPlan {
	lines := sttinstant.DefaultLines
	return roundPlan{
		n: n, rate: rate,
		script: sim.Script{{Say: lines[0]}, {Say: lines[1]}},
		probe:  24 * time.Second,
		window: 6 * time.Second,
		limit:  time.Duration(float64(n)/rate*float64(time.Second)) + 90*time.Second,
		greet:  2 * time.Second, reply: 10 * time.Second,
	}
}

// offlineTurnLimit is the p95 turn latency an offline level must keep to hold.
const offlineTurnLimit = 1500 * time.Millisecond

// newOfflinePlan is newPlan for real speech engines: spoken replies take seconds (flite
// speaks whole persona lines), so learners wait longer; every call is a learner (no
// probes), and a level holds on turn latency, not on late frames.
func newOfflinePlan(n int, rate float64) roundPlan {
	p := newPlan(n, rate)
	lines := sttinstant.DefaultLines
	p.script = sim.Script{{Say: lines[0]}, {Say: lines[1]}, {Say: lines[2]}} // three turns per call
	p.greet, p.reply = 20*time.Second, 30*time.Second
	p.probe = 40 * time.Second
	p.limit += 60 * time.Second
	p.turnLimit = offlineTurnLimit
	p.noProbes = true
	return p
}

// runRound places p.n calls against t, one probe per 20 calls (at least one), and measures.
func runRound(ctx context.Context, t *benchTarget, tr benchTransport, p roundPlan, progress io.Writer) roundResult {
	ctx, cancel := context.WithTimeout(ctx, p.limit)
	defer cancel()
	res := roundResult{target: t.name, n: p.n, cores: map[string]float64{}, turnLimit: p.turnLimit}
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
	probeEvery := min(20, p.n)
	call := func(i int) {
		defer wg.Done()
		live.Add(1)
		defer func() { live.Add(-1); done.Add(1) }()
		if !p.noProbes && i%probeEvery == 0 {
			r, err := tr.listen(ctx, t.base, i, p.probe)
			if err != nil {
				fail(err)
				return
			}
			mu.Lock()
			ids, arrivals = append(ids, r.callID), append(arrivals, r.arrivals)
			mu.Unlock()
			return
		}
		id, err := tr.learner(ctx, t.base, p)
		if err != nil {
			fail(err)
			return
		}
		mu.Lock()
		ids = append(ids, id)
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
	rampEnd := time.Now()

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
	res.waiting = waitShare(a["server"], b["server"])
	res.rssLoad = max(b["server"].rss, b["server"].peak)
	if live.Load() < int64(p.n) {
		fmt.Fprintf(progress, "  note: only %d of %d calls were live during the window\n", live.Load(), p.n)
	}

	wg.Wait()
	if s, err := readProc(t.pids["server"]); err == nil {
		res.rssLoad = max(res.rssLoad, s.peak)
	}
	close(stopProgress)
	<-progressDone
	res.ids = ids
	res.failed = int(failed.Load())
	res.ok = p.n - res.failed
	for _, arr := range arrivals {
		pc := analyzePacing(arr, media.FrameDuration, benchLead)
		res.pace.frames += pc.frames
		res.pace.late += pc.late
		for _, at := range pc.lateAt {
			if at.Before(rampEnd) {
				res.rampLate++
			}
		}
		res.pace.jitter = append(res.pace.jitter, pc.jitter...)
	}
	if t.name == "spar" {
		res.turns, res.unsealed = fetchLatency(context.WithoutCancel(ctx), http.DefaultClient, t.base, ids)
		for _, l := range res.turns {
			res.overhead = append(res.overhead, l.Total-l.Endpoint)
		}
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

// fetchLatency reads each call's sealed record and returns every answered turn's
// turn.latency. With zero-latency providers everything between the endpoint and the first
// persona frame (recognizer, persona and synthesizer hops, playout start) is Spar's own
// overhead. Records are sealed moments after a call ends, seconds later under load: it polls
// until every record is sealed or sealWait passes, and returns how many never were (their
// turns are missing from out).
func fetchLatency(ctx context.Context, hc *http.Client, base string, ids []string) (out []dialog.TurnLatency, unsealed int) {
	ctx, cancel := context.WithTimeout(ctx, sealWait)
	defer cancel()
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	for pending := ids; ; {
		var next []string
		for _, id := range pending {
			lat, err := sealedLatency(ctx, hc, base, id)
			if err != nil {
				next = append(next, id)
				continue
			}
			out = append(out, lat...)
		}
		if pending = next; len(pending) == 0 {
			return out, 0
		}
		select {
		case <-ctx.Done():
			return out, len(pending)
		case <-tick.C:
		}
	}
}

// sealWait bounds how long fetchLatency waits for records to be sealed.
const sealWait = 30 * time.Second

// errLive is a record not sealed yet.
var errLive = errors.New("bench: call record still live")

// sealedLatency returns the turn latencies of one call's sealed record.
func sealedLatency(ctx context.Context, hc *http.Client, base, id string) ([]dialog.TurnLatency, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/api/calls/"+id, nil)
	if err != nil {
		return nil, err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var rec struct {
		Status  string               `json:"status"`
		Latency []dialog.TurnLatency `json:"latency"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&rec); err != nil {
		return nil, fmt.Errorf("bench: call record %s: %s: %w", id, resp.Status, err)
	}
	if rec.Status == "live" || rec.Status == "" {
		return nil, errLive
	}
	return rec.Latency, nil
}
