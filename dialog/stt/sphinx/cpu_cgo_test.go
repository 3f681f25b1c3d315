//go:build pocketsphinx

package sphinx

import (
	"context"
	"flag"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/sparlab/spar/dialog"
)

// checkLines are learner lines kept out of the choice of decoder settings: the settings were
// chosen on learnerLines, and these say whether the choice holds on lines it was not made on.
var checkLines = []string{
	"Could you tell me the date of the second charge?",
	"I've taken the late fee off your account",
	"I'm going to transfer you to our billing team",
	"Sorry about the wait, thanks for holding",
	"Can you confirm the email address on the account?",
	"This plan includes unlimited calls and texts",
	"If you switch today you get the first month free",
	"I'll make a note so this doesn't happen again",
	"Is now a good time to go over your options?",
	"I know this has taken too long, and I'm sorry",
}

// sphinxArgs are pocketsphinx settings to measure against the decoders' own: each
// "-name value ...", replacing an argument of the same name; settings separated by ";".
// BenchmarkDecoderMemory, and the shared recognizers of BenchmarkWER and the tests, take one.
var sphinxArgs = flag.String("sphinx-args", "", "pocketsphinx settings to measure, \"-name value ...\" replacing the decoders' argument of the same name; BenchmarkDecodeCPU takes several, separated by \";\", BenchmarkDecoderMemory and BenchmarkWER one")

// rounds is how many times BenchmarkDecodeCPU measures each setting.
var rounds = flag.Int("rounds", 1, "rounds of BenchmarkDecodeCPU: each measures every setting once")

// cpuMode and cpuVoice are the recognition mode and the flite voice of BenchmarkDecodeCPU.
var (
	cpuMode  = flag.String("cpu-mode", ModeLM, "BenchmarkDecodeCPU's recognition mode (grammar and adapt get the scenario phrases of BenchmarkWER)")
	cpuVoice = flag.String("cpu-voice", "awb", "BenchmarkDecodeCPU's flite voice")
)

// BenchmarkDecodeCPU measures what one decoder costs per second of audio, in process CPU
// time, and its word error rate (LM mode and the awb voice unless -cpu-mode and -cpu-voice
// say otherwise), on the 16 kHz and the phone path, for learnerLines (the lines of
// BenchmarkWER, "chosen": the default settings were chosen on them) and checkLines
// (go test -tags pocketsphinx -run '^$' -bench DecodeCPU -benchtime 1x -v
// ./dialog/stt/sphinx/ -args -rounds 3 -sphinx-args '-ds 2;-topn 3'). The decoders' own
// settings are measured first, then with each of -sphinx-args put in, and that again for
// every round, so that settings compared saw the same machine. Every line set and path
// runs alone, in order, on a fresh one-decoder Recognizer created before the clock starts,
// so the transcripts depend on nothing but the audio and the settings; the audio is
// synthesized (and sent through the phone path) beforehand. CPU time, not wall time: it is
// what a busy server runs out of, and it moves less on a shared machine; the table gives
// the median and the range over the rounds.
func BenchmarkDecodeCPU(b *testing.B) {
	settings := []string{""}
	for _, a := range strings.Split(*sphinxArgs, ";") {
		if a = strings.TrimSpace(a); a != "" {
			if len(strings.Fields(a))%2 != 0 {
				b.Fatalf("-sphinx-args %q: want name-value pairs", a)
			}
			settings = append(settings, a)
		}
	}
	type run struct {
		set   string
		lines []string
		phone bool
		audio [][]int16
		sec   float64
	}
	var runs []*run
	for _, s := range []struct {
		name  string
		lines []string
	}{{"chosen", learnerLines}, {"check", checkLines}} {
		for _, phoneAudio := range []bool{false, true} {
			rn := &run{set: s.name, lines: s.lines, phone: phoneAudio}
			for _, line := range s.lines {
				a := speak(b, *cpuVoice, line)
				if phoneAudio {
					a = phone(b, a)
				}
				rn.audio = append(rn.audio, a)
				rn.sec += float64(len(a)) / 16000
			}
			runs = append(runs, rn)
		}
	}
	type result struct {
		cpu         []float64 // ms per audio second, one per round
		errs, words float64
	}
	results := make([][]result, len(settings)) // [setting][run]
	for i := range results {
		results[i] = make([]result, len(runs))
	}
	for b.Loop() {
		for range *rounds {
			for si, set := range settings {
				for ri, rn := range runs {
					perSec, errs, words := decodeCPU(b, strings.Fields(set), rn.lines, rn.audio, rn.phone, rn.set)
					res := &results[si][ri]
					if len(res.cpu) > 0 && errs != res.errs {
						b.Logf("settings %q, %s: %.0f errors, %.0f in an earlier round", set, rn.set, errs, res.errs)
					}
					res.cpu = append(res.cpu, perSec/rn.sec)
					res.errs, res.words = errs, words
				}
			}
		}
	}
	var report strings.Builder
	fmt.Fprintf(&report, "\n| settings | lines | audio path | audio s | CPU ms per audio s, median (range), %d rounds | WER |\n|---|---|---|---|---|---|\n", *rounds)
	for si, set := range settings {
		name := set
		if name == "" {
			name = "(defaults)"
		}
		for ri, rn := range runs {
			res := results[si][ri]
			cpu := slices.Clone(res.cpu)
			slices.Sort(cpu)
			path := "16k"
			if rn.phone {
				path = "phone"
			}
			fmt.Fprintf(&report, "| %s | %s | %s | %.1f | %.0f (%.0f-%.0f) | %.1f %% (%.0f of %.0f) |\n",
				name, rn.set, path, rn.sec, cpu[len(cpu)/2], cpu[0], cpu[len(cpu)-1], 100*res.errs/res.words, res.errs, res.words)
			if si == 0 {
				b.ReportMetric(cpu[len(cpu)/2], fmt.Sprintf("CPUms/audio-s-%s-%s", rn.set, path))
				b.ReportMetric(100*res.errs/res.words, fmt.Sprintf("%%WER-%s-%s", rn.set, path))
			}
		}
	}
	b.Log(report.String())
}

// decodeCPU decodes the lines' audio in order on a fresh one-decoder Recognizer with the
// pocketsphinx arguments args and returns the process CPU milliseconds it took (the decoder
// is created before the clock starts), the word errors and the reference words.
func decodeCPU(b *testing.B, args, lines []string, audio [][]int16, phoneAudio bool, set string) (cpuMS, errs, words float64) {
	r, err := New(Config{Mode: *cpuMode, PoolSize: 1, args: args}, nil)
	if err != nil {
		b.Fatalf("New: %v", err)
	}
	defer r.Close()
	bnd := wideband
	if phoneAudio {
		bnd = narrowband
	}
	d, err := r.pool.get(context.Background(), bnd)
	if err != nil {
		b.Fatal(err)
	}
	r.pool.put(bnd, d)
	cpu0 := cpuTime()
	hyps := make([]string, len(lines))
	for i := range lines {
		_, hyps[i] = recognize(b, r, dialog.STTOptions{Phrases: scenarioPhrases, Narrowband: phoneAudio}, audio[i])
	}
	cpu := cpuTime() - cpu0
	for i, line := range lines {
		n := float64(len(strings.Fields(normalize(line))))
		errs += WER(line, hyps[i]) * n
		words += n
		if testing.Verbose() {
			b.Logf("%q %s phone=%v: %q -> %q", args, set, phoneAudio, line, hyps[i])
		}
	}
	return float64(cpu.Microseconds()) / 1000, errs, words
}

// BenchmarkDecoderMemory measures the resident memory each LM decoder adds: it creates
// -decoders phone decoders one after another and reports the growth of the process's RSS
// per decoder (go test -tags pocketsphinx -run '^$' -bench DecoderMemory -benchtime 1x -v
// ./dialog/stt/sphinx/). The first decoder, which New creates, is counted apart: it also
// maps the shared libraries' and the model's pages.
func BenchmarkDecoderMemory(b *testing.B) {
	args := strings.Fields(*sphinxArgs)
	for b.Loop() {
		rss0 := rssBytes(b)
		r, err := New(Config{Mode: ModeLM, PoolSize: *decoders, args: args}, nil)
		if err != nil {
			b.Fatalf("New: %v", err)
		}
		rss1 := rssBytes(b)
		var held []decoder
		for range *decoders {
			d, err := r.pool.get(context.Background(), narrowband)
			if err != nil {
				b.Fatal(err)
			}
			held = append(held, d)
		}
		rss2 := rssBytes(b)
		for _, d := range held {
			r.pool.put(narrowband, d)
		}
		r.Close()
		first := float64(rss1-rss0) / 1e6
		per := float64(rss2-rss1) / 1e6 / float64(*decoders)
		b.Logf("settings %q: first decoder (New) %.0f MB; %d more decoders %.0f MB each", *sphinxArgs, first, *decoders, per)
		b.ReportMetric(first, "MB-first-decoder")
		b.ReportMetric(per, "MB/decoder")
	}
}

// decoders is how many decoders BenchmarkDecoderMemory creates after New's.
var decoders = flag.Int("decoders", 4, "decoders BenchmarkDecoderMemory creates after New's")

// rssBytes is the process's resident set size.
func rssBytes(b *testing.B) int64 {
	s, err := os.ReadFile("/proc/self/status")
	if err != nil {
		b.Skipf("RSS: %v", err)
	}
	for _, line := range strings.Split(string(s), "\n") {
		if f := strings.Fields(line); len(f) == 3 && f[0] == "VmRSS:" {
			kb, err := strconv.ParseInt(f[1], 10, 64)
			if err != nil {
				b.Fatal(err)
			}
			return kb * 1024
		}
	}
	b.Skip("RSS: no VmRSS in /proc/self/status")
	return 0
}
