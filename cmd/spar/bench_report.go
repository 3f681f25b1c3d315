package main

import (
	"fmt"
	"io"
	"time"
)

// benchRow is one load level: Spar, and the floor under the same load.
type benchRow struct {
	spar  roundResult
	floor *roundResult
}

// ratio is Spar's CPU per call over the floor's; 0 when unknown.
func (r benchRow) ratio() float64 {
	if r.floor == nil || r.floor.perCallCPU() == 0 {
		return 0
	}
	return r.spar.perCallCPU() / r.floor.perCallCPU()
}

func msf(d time.Duration) string { return fmt.Sprintf("%.1f", float64(d)/float64(time.Millisecond)) }

func printRow(w io.Writer, r benchRow) {
	s := r.spar
	verdict := "held"
	if !s.holds() {
		verdict = "NOT held"
	}
	fmt.Fprintf(w, "  => %d calls %s: %d ok, %d failed%s\n", s.n, verdict, s.ok, s.failed, errNote(s.firstErr))
	fmt.Fprintf(w, "     overhead p50 %s ms, p99 %s ms (%d turns); jitter p99 %s ms; late frames %d of %d (%d while calls were still being placed)\n",
		msf(percentile(s.overhead, 50)), msf(percentile(s.overhead, 99)), len(s.overhead),
		msf(percentile(s.pace.jitter, 99)), s.pace.late, s.pace.frames, s.rampLate)
	if len(s.turns) > 0 {
		st := s.stages()
		fmt.Fprintf(w, "     turn latency (learner end of speech -> first persona frame) p50 %s ms, p95 %s ms, max %s ms; mean per stage: endpoint %s, stt %s, persona %s, tts %s, hold %s, playout %s ms\n",
			msf(percentile(s.totals(), 50)), msf(percentile(s.totals(), 95)), msf(percentile(s.totals(), 100)),
			msf(st[0]), msf(st[1]), msf(st[2]), msf(st[3]), msf(st[4]), msf(st[5]))
	}
	if s.unsealed > 0 {
		fmt.Fprintf(w, "     note: %d call records were not sealed within %v: their turns are missing above\n", s.unsealed, sealWait)
	}
	fmt.Fprintf(w, "     spar waited for a CPU %.2f threads on average (run queue)\n", s.waiting)
	fmt.Fprintf(w, "     spar %.2f cores (%.2f ms CPU per call-second), redis %.2f; peak RSS %d MB, %d KB per call (peak - idle of a fresh server, over the calls)\n",
		s.cores["server"], s.perCallCPU(), s.cores["redis"], s.rssLoad>>20, s.rssPerCall()>>10)
	fmt.Fprintf(w, "     load generator (the callers, this process, not counted above) %.2f cores, %.2f ms per call-second\n",
		s.cores["loadgen"], s.cores["loadgen"]/float64(s.n)*1000)
	if f := r.floor; f != nil {
		fmt.Fprintf(w, "     floor %.2f cores (%.2f ms per call-second), jitter p99 %s ms, late %d; spar/floor CPU per call %.1fx\n",
			f.cores["server"], f.perCallCPU(), msf(percentile(f.pace.jitter, 99)), f.pace.late, r.ratio())
	}
}

func errNote(e string) string {
	if e == "" {
		return ""
	}
	if len(e) > 120 {
		e = e[:120] + "..."
	}
	return " (first error: " + e + ")"
}

// stages is the mean of each stage of the round's turn latencies: endpoint, STT, persona,
// TTS, hold, playout.
func (r roundResult) stages() [6]time.Duration {
	var sum [6]time.Duration
	for _, l := range r.turns {
		for i, d := range [6]time.Duration{l.Endpoint, l.STT, l.Persona, l.TTS, l.Hold, l.Playout} {
			sum[i] += d
		}
	}
	if n := time.Duration(len(r.turns)); n > 0 {
		for i := range sum {
			sum[i] /= n
		}
	}
	return sum
}

// printReport prints the summary table in Markdown, ready for docs/BENCHMARKS.md.
func printReport(w io.Writer, rows []benchRow, best int) {
	if len(rows) > 0 && rows[0].spar.turnLimit > 0 {
		printTurnReport(w, rows, best)
		return
	}
	fmt.Fprintf(w, "\n| calls | held | overhead p50 / p99 ms | jitter p99 ms | late frames | spar cores | redis cores | loadgen cores | spar ms CPU per call-s | floor ms CPU per call-s | ratio | RSS KB per call |\n")
	fmt.Fprintf(w, "|---|---|---|---|---|---|---|---|---|---|---|---|\n")
	for _, r := range rows {
		s := r.spar
		held := "yes"
		if !s.holds() {
			held = fmt.Sprintf("no (%d failed)", s.failed)
		}
		floor, ratio := "-", "-"
		if r.floor != nil {
			floor, ratio = fmt.Sprintf("%.2f", r.floor.perCallCPU()), fmt.Sprintf("%.1fx", r.ratio())
		}
		fmt.Fprintf(w, "| %d | %s | %s / %s | %s | %d / %d | %.2f | %.2f | %.2f | %.2f | %s | %s | %d |\n",
			s.n, held, msf(percentile(s.overhead, 50)), msf(percentile(s.overhead, 99)), msf(percentile(s.pace.jitter, 99)),
			s.pace.late, s.pace.frames, s.cores["server"], s.cores["redis"], s.cores["loadgen"], s.perCallCPU(), floor, ratio, s.rssPerCall()>>10)
	}
	if best > 0 {
		fmt.Fprintf(w, "\nlargest load held with no late frame and no failed call: %d concurrent calls\n", best)
	} else {
		fmt.Fprintf(w, "\nno load level held\n")
	}
}

// printTurnReport is printReport for real speech engines: the turn latency a learner hears
// and where it goes, stage by stage.
func printTurnReport(w io.Writer, rows []benchRow, best int) {
	fmt.Fprintf(w, "\n| calls | held | turns | turn latency p50 / p95 / max ms | endpoint | stt mean / p95 | persona | tts mean / p95 | hold | playout | late frames | spar cores | spar threads waiting for a CPU | RSS KB per call |\n")
	fmt.Fprintf(w, "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n")
	for _, r := range rows {
		s := r.spar
		held := "yes"
		if !s.holds() {
			held = fmt.Sprintf("no (%d failed)", s.failed)
		}
		var stt, tts []time.Duration
		for _, l := range s.turns {
			stt, tts = append(stt, l.STT), append(tts, l.TTS)
		}
		st := s.stages()
		fmt.Fprintf(w, "| %d | %s | %d | %s / %s / %s | %s | %s / %s | %s | %s / %s | %s | %s | %d / %d | %.2f | %.2f | %d |\n",
			s.n, held, len(s.turns), msf(percentile(s.totals(), 50)), msf(percentile(s.totals(), 95)), msf(percentile(s.totals(), 100)),
			msf(st[0]), msf(st[1]), msf(percentile(stt, 95)), msf(st[2]), msf(st[3]), msf(percentile(tts, 95)), msf(st[4]), msf(st[5]),
			s.pace.late, s.pace.frames, s.cores["server"], s.waiting, s.rssPerCall()>>10)
	}
	if best > 0 {
		fmt.Fprintf(w, "\nlargest load held with p95 turn latency <= %v and no failed call: %d concurrent calls\n", offlineTurnLimit, best)
	} else {
		fmt.Fprintf(w, "\nno load level held\n")
	}
}
