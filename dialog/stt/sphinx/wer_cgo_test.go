//go:build pocketsphinx

package sphinx

import (
	"fmt"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/sparlab/spar/dialog"
)

// learnerLines are what a learner says on support and sales calls.
var learnerLines = []string{
	"I'm so sorry you were charged twice, let me fix that for you",
	"Thank you for calling, how can I help you today?",
	"Can I have your account number please?",
	"I understand how frustrating that must be",
	"I can see the double charge on your account",
	"I will refund the second payment right away",
	"The refund should show up in three to five days",
	"Is there anything else I can help you with?",
	"I'd like to tell you about our new plan",
	"Do you have a minute to talk about your phone bill?",
	"We can save you money every month",
	"What matters most to you in a service like this?",
	"Let me check that for you, it will just take a moment",
	"Would you like me to send you an email with the details?",
	"I completely understand, and I apologize for the trouble",
	"Can I put you on hold for a minute?",
	"Your new price would be twenty dollars a month",
	"Thank you for your patience",
	"I can offer you a discount on your next bill",
	"Have a great day",
}

// scenarioPhrases are the intent phrases a scenario would list: fragments, not whole lines.
var scenarioPhrases = []string{
	"I'm so sorry", "charged twice", "let me fix that", "refund", "account number",
	"I understand", "double charge", "anything else", "new plan", "save you money",
	"send you an email", "I apologize", "put you on hold", "discount", "thank you for calling",
}

type werRow struct {
	name  string
	voice string
	phone bool
	mode  string
}

func werRows() []werRow {
	return []werRow{
		{"flite awb, 16 kHz", "awb", false, ModeLM},
		{"flite awb, phone (8 kHz mu-law)", "awb", true, ModeLM},
		{"flite awb, phone (8 kHz mu-law)", "awb", true, ModeAdapt},
		{"flite awb, phone (8 kHz mu-law)", "awb", true, ModeGrammar},
		{"flite rms, phone (8 kHz mu-law)", "rms", true, ModeLM},
		{"flite rms, phone (8 kHz mu-law)", "rms", true, ModeAdapt},
		{"flite rms, phone (8 kHz mu-law)", "rms", true, ModeGrammar},
	}
}

// measureWER returns the corpus WER (errors over reference words) of one configuration.
func measureWER(t testing.TB, row werRow) (wer float64, worst string) {
	var errs, words float64
	worstW := -1.0
	for _, line := range learnerLines {
		audio := speak(t, row.voice, line)
		if row.phone {
			audio = phone(t, audio)
		}
		_, hyp := recognize(t, recognizer(t, row.mode), dialog.STTOptions{Phrases: scenarioPhrases, Narrowband: row.phone}, audio)
		n := float64(len(strings.Fields(normalize(line))))
		w := WER(line, hyp)
		errs += w * n
		words += n
		if w > worstW {
			worstW, worst = w, fmt.Sprintf("%q -> %q", line, hyp)
		}
	}
	return errs / words, worst
}

// BenchmarkWER measures the word error rate table of docs/BENCHMARKS.md (make bench, or
// go test -tags pocketsphinx -run '^$' -bench WER -v ./dialog/stt/sphinx/). It is a
// measurement, not a test: one pass over the 20 lines per configuration, configurations in
// parallel, each on its own warm decoder; the table is logged and each WER reported as a
// metric. A rate above the configuration's ceiling fails the benchmark.
func BenchmarkWER(b *testing.B) {
	rows := werRows()
	wers := make([]float64, len(rows))
	worst := make([]string, len(rows))
	recognizer(b, ModeLM) // load the models before the parallel passes
	var cpu time.Duration
	for b.Loop() {
		start, cpu0 := time.Now(), cpuTime()
		var wg sync.WaitGroup
		for i, row := range rows {
			wg.Go(func() { wers[i], worst[i] = measureWER(b, row) })
		}
		wg.Wait()
		cpu = cpuTime() - cpu0
		b.Logf("%d lines, %d configurations, %v wall, %v CPU (synthesis and recognition)",
			len(learnerLines), len(rows), time.Since(start).Round(time.Second), cpu.Round(time.Second))
	}
	var t strings.Builder
	t.WriteString("\n| audio path | mode | WER | worst line |\n|---|---|---|---|\n")
	for i, row := range rows {
		fmt.Fprintf(&t, "| %s | %s | %.1f %% | %s |\n", row.name, row.mode, 100*wers[i], worst[i])
		b.ReportMetric(100*wers[i], fmt.Sprintf("%%WER-%s-%s", strings.Fields(row.name)[1], werPath(row)))
	}
	b.Log(t.String())
	for i, row := range rows {
		if limit := werBound(row); wers[i] > limit {
			b.Errorf("%s %s: WER %.1f %%, want <= %.0f %%", row.name, row.mode, 100*wers[i], 100*limit)
		}
	}
}

// werPath names a configuration's audio path and mode in a metric unit.
func werPath(row werRow) string {
	if row.phone {
		return "phone-" + row.mode
	}
	return "16k-" + row.mode
}

// werBound is each configuration's ceiling, set with margin above the measured rate.
func werBound(row werRow) float64 {
	switch {
	case row.mode == ModeLM && !row.phone:
		return 0.20
	case row.mode == ModeLM, row.mode == ModeAdapt:
		return 0.30
	default:
		return 0.95 // grammar mode: measured 70-85 %, see docs/BENCHMARKS.md
	}
}

// cpuTime is the CPU time this process has used: wall time means little on a shared machine.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
