package main

import (
	"bytes"
	"encoding/xml"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/sparlab/spar/dialog"
)

func TestPercentile(t *testing.T) {
	ms := func(v ...int) []time.Duration {
		out := make([]time.Duration, len(v))
		for i, x := range v {
			out[i] = time.Duration(x) * time.Millisecond
		}
		return out
	}
	for _, tc := range []struct {
		name string
		d    []time.Duration
		p    float64
		want time.Duration
	}{
		{"empty", nil, 99, 0},
		{"one", ms(7), 50, 7 * time.Millisecond},
		{"median of 4", ms(4, 1, 3, 2), 50, 2 * time.Millisecond},
		{"p99 of 100 is the 99th", ms(seq(100)...), 99, 99 * time.Millisecond},
		{"p100", ms(5, 9, 1), 100, 9 * time.Millisecond},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := percentile(tc.d, tc.p); got != tc.want {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func seq(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i + 1
	}
	return out
}

func TestAnalyzePacing(t *testing.T) {
	t0 := time.Unix(1000, 0)
	at := func(ms ...int) []time.Time {
		out := make([]time.Time, len(ms))
		for i, m := range ms {
			out[i] = t0.Add(time.Duration(m) * time.Millisecond)
		}
		return out
	}
	for _, tc := range []struct {
		name      string
		arrivals  []time.Time
		late      int
		jitterMax time.Duration
		jitterN   int
	}{
		// Lead of 3 at once, then one frame per 20 ms: on time, no jitter.
		{"paced", at(0, 0, 0, 20, 40, 60, 80), 0, 0, 4},
		// Frame 5 (due at 100) arrives at 130: late once; the schedule slips, frame 6 is fine.
		{"one hiccup", at(0, 0, 0, 20, 40, 130, 140), 1, 70 * time.Millisecond, 4},
		// A 25 ms delay eaten by the lead cushion: jitter, not late.
		{"cushioned", at(0, 0, 0, 45, 60), 0, 25 * time.Millisecond, 2},
		// Two runs: the second restarts the schedule and its lead.
		{"two runs", at(0, 0, 0, 20, 1000, 1000, 1000, 1020), 0, 0, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := analyzePacing(tc.arrivals, 20*time.Millisecond, 3)
			if p.frames != len(tc.arrivals) || p.late != tc.late {
				t.Errorf("frames %d late %d, want %d late %d", p.frames, p.late, len(tc.arrivals), tc.late)
			}
			if len(p.jitter) != tc.jitterN || percentile(p.jitter, 100) != tc.jitterMax {
				t.Errorf("jitter %v, want %d samples, max %v", p.jitter, tc.jitterN, tc.jitterMax)
			}
		})
	}
}

func TestParseProc(t *testing.T) {
	stat := []byte("4242 (spar (x) y) S 1 4242 4242 0 -1 4194560 1234 0 0 0 250 50 30 20 20 0 12 0 100 2000000 3000 18446744073709551615\n")
	cpu, err := parseStatCPU(stat)
	if err != nil || cpu != 3500*time.Millisecond {
		t.Errorf("cpu %v, %v; want 3.5s (children included)", cpu, err)
	}
	if _, err := parseStatCPU([]byte("garbage")); err == nil {
		t.Error("garbage stat parsed")
	}
	status := []byte("Name:\tspar\nVmPeak:\t 9000 kB\nVmHWM:\t   61440 kB\nVmRSS:\t   51200 kB\nThreads: 9\n")
	rss, err := parseStatusKB(status, "VmRSS:")
	if err != nil || rss != 50<<20 {
		t.Errorf("rss %d, %v; want 50 MiB", rss, err)
	}
	peak, err := parseStatusKB(status, "VmHWM:")
	if err != nil || peak != 60<<20 {
		t.Errorf("peak %d, %v; want 60 MiB", peak, err)
	}
	if _, err := parseStatusKB([]byte("VmRSS:\t12 MB\n"), "VmRSS:"); err == nil {
		t.Error("a unit other than kB parsed")
	}
	// This very process, for real.
	s, err := readProc(os.Getpid())
	if err != nil || s.rss <= 0 || s.peak < s.rss {
		t.Errorf("own process: %+v, %v", s, err)
	}
}

func TestSearchLevels(t *testing.T) {
	for _, tc := range []struct {
		name              string
		start, max, steps int
		search            bool
		capacity          int // the fake machine holds up to this
		best              int
		tried             []int
	}{
		{"single level", 50, 1600, 7, false, 1000, 50, []int{50}},
		{"single level fails", 50, 1600, 7, false, 10, 0, []int{50}},
		{"doubles to max", 50, 200, 7, true, 1000, 200, []int{50, 100, 200}},
		{"doubles then bisects", 50, 1600, 7, true, 300, 300, []int{50, 100, 200, 400, 300, 350, 325}},
		{"stops when close", 100, 1600, 20, true, 130, 125, []int{100, 200, 150, 125, 137}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var tried []int
			best, err := searchLevels(tc.start, tc.max, tc.steps, tc.search, func(n int) (bool, error) {
				tried = append(tried, n)
				return n <= tc.capacity, nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if len(tried) > tc.steps {
				t.Errorf("tried %d levels, more than %d steps", len(tried), tc.steps)
			}
			if best != tc.best {
				t.Errorf("best %d, want %d", best, tc.best)
			}
			if !equalInts(tried, tc.tried) {
				t.Errorf("tried %v, want %v", tried, tc.tried)
			}
			if best > tc.capacity {
				t.Errorf("best %d above capacity %d", best, tc.capacity)
			}
		})
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestWritePlot(t *testing.T) {
	ms := time.Millisecond
	rows := []benchRow{
		{spar: roundResult{n: 200, overhead: []time.Duration{2 * ms, 9 * ms}, cores: map[string]float64{"server": 0.8}},
			floor: &roundResult{n: 200, cores: map[string]float64{"server": 0.2}}},
		{spar: roundResult{n: 100, overhead: []time.Duration{1 * ms, 4 * ms}, cores: map[string]float64{"server": 0.4}}},
	}
	var b bytes.Buffer
	if err := writePlot(&b, rows); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		XMLName   xml.Name `xml:"svg"`
		Polylines []struct {
			Points string `xml:"points,attr"`
		} `xml:"polyline"`
	}
	if err := xml.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatalf("not XML: %v\n%s", err, b.String())
	}
	// Overhead and Spar CPU with two points each, the floor with one.
	if len(doc.Polylines) != 3 {
		t.Fatalf("%d series, want 3", len(doc.Polylines))
	}
	for i, want := range []int{2, 2, 1} {
		if got := len(bytes.Fields([]byte(doc.Polylines[i].Points))); got != want {
			t.Errorf("series %d has %d points, want %d", i, got, want)
		}
	}
}

func TestParseLevels(t *testing.T) {
	ns, err := parseLevels("100, 200,300")
	if err != nil || len(ns) != 3 || ns[0] != 100 || ns[1] != 200 || ns[2] != 300 {
		t.Errorf("parseLevels = %v, %v; want [100 200 300]", ns, err)
	}
	for _, bad := range []string{"", "100,,200", "0", "-5", "ten"} {
		if _, err := parseLevels(bad); err == nil {
			t.Errorf("parseLevels(%q) accepted", bad)
		}
	}
}

// TestOfflineTurnReport: with real speech engines a level holds when no call failed and the
// p95 turn latency is within the limit, and the report gives the stages.
func TestOfflineTurnReport(t *testing.T) {
	ms := time.Millisecond
	turn := func(total time.Duration) dialog.TurnLatency {
		return dialog.TurnLatency{Endpoint: 350 * ms, STT: total - 400*ms, Persona: ms, TTS: 48 * ms, Hold: 20 * ms, Playout: ms, Total: total}
	}
	p := newOfflinePlan(4, 1)
	if !p.noProbes || p.turnLimit != offlineTurnLimit {
		t.Fatalf("offline plan %+v", p)
	}
	held := roundResult{n: 2, turnLimit: p.turnLimit, turns: []dialog.TurnLatency{turn(900 * ms), turn(1400 * ms)}, cores: map[string]float64{}}
	slow := roundResult{n: 4, turnLimit: p.turnLimit, turns: []dialog.TurnLatency{turn(900 * ms), turn(1600 * ms)}, cores: map[string]float64{}}
	failed := held
	failed.failed = 1
	none := roundResult{n: 8, turnLimit: p.turnLimit, cores: map[string]float64{}}
	for _, c := range []struct {
		r    roundResult
		want bool
	}{{held, true}, {slow, false}, {failed, false}, {none, false}} {
		if got := c.r.holds(); got != c.want {
			t.Errorf("n=%d failed=%d turns=%d: holds %v, want %v", c.r.n, c.r.failed, len(c.r.turns), got, c.want)
		}
	}
	if st := held.stages(); st[0] != 350*ms || st[1] != 750*ms || st[3] != 48*ms || st[4] != 20*ms || st[5] != ms {
		t.Errorf("stages %v", st)
	}
	var b bytes.Buffer
	printReport(&b, []benchRow{{spar: held}, {spar: slow}}, 2)
	for _, want := range []string{"| 2 | yes | 2 | 900.0 / 1400.0 / 1400.0 | 350.0 | 750.0 / 1000.0 | 1.0 | 48.0 / 48.0 | 20.0 | 1.0 |", "| 4 | no (0 failed) |",
		"p95 turn latency <= 1.5s and no failed call: 2 concurrent calls"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, b.String())
		}
	}
}
