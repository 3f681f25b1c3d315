package main

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/sparlab/spar/dialog"
	"github.com/sparlab/spar/dialog/persona"
	sttinstant "github.com/sparlab/spar/dialog/stt/instant"
	ttsinstant "github.com/sparlab/spar/dialog/tts/instant"
	"github.com/sparlab/spar/media"
	"github.com/sparlab/spar/telephony"
)

// Endpointing quality: learner turns with mid-sentence pauses, spoken as tone speech into the
// real dialog engine (instant providers, the scripted double-charge persona) on a synctest
// clock. A false cut-off is a line the engine split into more than one utterance; the
// end-of-turn delay runs from the end of a line's last word to the persona's first frame.
// `go test -run TestEndpointingReport -v ./cmd/spar/` prints the table in docs/BENCHMARKS.md.

// pausedLines are what the learner says; "..." marks the pause.
var pausedLines = []string{
	"I called last week... and nobody helped me at all.",
	"I was charged twice and... I want that money back.",
	"Let me check, so... the second charge is a mistake.",
	"I can refund it now, but... it takes three days.",
}

type epConfig struct {
	endSilence time.Duration
	words      bool // interim transcripts: the trailing-word extension is on
}

type epResult struct {
	lines, cutoffs int
	delays         []time.Duration // lines with no cut-off
}

// epLine is a dialog.Line: it hands the engine's listener over and notes when persona audio
// goes out, on the bubble's clock.
type epLine struct {
	listener chan telephony.Listener
	cancel   context.CancelCauseFunc
	mu       sync.Mutex
	start    time.Time
	persona  []time.Duration // times of persona frames since start
}

func (l *epLine) Listen(li telephony.Listener) { l.listener <- li }
func (l *epLine) WriteSample(p []int16) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.persona = append(l.persona, time.Since(l.start))
	return nil
}
func (l *epLine) Clear() error          { return nil }
func (l *epLine) Played() time.Duration { return 0 }
func (l *epLine) Hangup(cause error)    { l.cancel(cause) }
func (l *epLine) lastPersona() (time.Duration, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.persona) == 0 {
		return 0, false
	}
	return l.persona[len(l.persona)-1], true
}
func (l *epLine) firstPersonaAfter(t time.Duration) (time.Duration, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, p := range l.persona {
		if p >= t {
			return p, true
		}
	}
	return 0, false
}

// runEndpointing plays every paused line once per pause length and counts.
func runEndpointing(t *testing.T, cfg epConfig, pause time.Duration) epResult {
	t.Helper()
	var res epResult
	synctest.Test(t, func(t *testing.T) {
		cat, err := loadScenarios("")
		if err != nil {
			t.Fatal(err)
		}
		sc, _ := cat.Get("double-charge")
		sttLines := make([]string, len(pausedLines))
		for i, l := range pausedLines {
			sttLines[i] = strings.ReplaceAll(l, "...", "")
		}
		stt, _ := sttinstant.New(sttinstant.Config{Lines: sttLines, Words: cfg.words})
		tts, _ := ttsinstant.New(ttsinstant.Config{})
		learner, _ := ttsinstant.New(ttsinstant.Config{Ellipsis: pause})
		engine, err := dialog.New(dialog.DefaultConfig(), stt, tts)
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancelCause(t.Context())
		line := &epLine{listener: make(chan telephony.Listener, 1), cancel: cancel, start: time.Now()}
		turns := turnsOf(sc)
		turns.EndSilence = cfg.endSilence
		turns.MaxDuration = 10 * time.Minute
		done := make(chan dialog.Result, 1)
		go func() {
			r, _ := engine.Run(ctx, line, dialog.Session{Transport: "bench", Persona: persona.NewScripted(sc, 1),
				Turns: turns, Timeline: dialog.TimelineFunc(func(dialog.Event) {})})
			done <- r
		}()
		li := <-line.listener

		// The learner's audio, one 20 ms frame per tick: each line once the persona has spoken
		// and been quiet for 700 ms (at most 15 s), then silence.
		frame := media.Samples(media.Rate16k, media.FrameDuration)
		silence := make([]int16, frame)
		var spans [][2]time.Duration // media time of each line: start, end of last word
		tick := time.NewTicker(media.FrameDuration)
		now := time.Duration(0)
		step := func(p []int16) bool {
			li.Audio(p)
			now += media.FrameDuration
			select {
			case <-tick.C:
				return true
			case <-ctx.Done():
				return false
			}
		}
		for _, text := range pausedLines {
			waitFrom := now
			for {
				last, ok := line.lastPersona()
				// The persona answered the previous line (or greeted) and has finished.
				if (ok && last > waitFrom && now-last >= 700*time.Millisecond) || now-waitFrom > 15*time.Second {
					break
				}
				if !step(silence) {
					break
				}
			}
			var pcm collector
			_ = learner.Synthesize(ctx, text, "", &pcm)
			start := now
			for off := 0; off+frame <= len(pcm.pcm) && ctx.Err() == nil; off += frame {
				step(pcm.pcm[off : off+frame])
			}
			spans = append(spans, [2]time.Duration{start, now})
		}
		for range 250 { // 5 s for the last reply
			if !step(silence) {
				break
			}
		}
		tick.Stop()
		cancel(context.Canceled)
		r := <-done

		for i, sp := range spans {
			n := 0
			for _, u := range r.Transcript {
				if u.Speaker == dialog.SpeakerLearner && u.Start >= sp[0]-100*time.Millisecond && u.Start < sp[1] {
					n++
				}
			}
			res.lines++
			if n > 1 {
				res.cutoffs += n - 1
				continue
			}
			next := time.Duration(1 << 62)
			if i+1 < len(spans) {
				next = spans[i+1][0]
			}
			if p, ok := line.firstPersonaAfter(sp[1]); ok && p < next {
				res.delays = append(res.delays, p-sp[1])
			}
		}
	})
	return res
}

// collector keeps what a Synthesizer writes.
type collector struct{ pcm []int16 }

func (c *collector) WriteSample(p []int16) error { c.pcm = append(c.pcm, p...); return nil }

// TestEndpointingReport runs each configuration over pauses of 300 ms to 1 s. It asserts only
// what must hold whatever the machine: a pause well under the end silence never cuts a turn,
// and every line not cut is answered.
func TestEndpointingReport(t *testing.T) {
	pauses := []time.Duration{300 * time.Millisecond, 600 * time.Millisecond, 1000 * time.Millisecond}
	var report strings.Builder
	report.WriteString("| end_silence | trailing-word extension | false cut-offs (pause 300 / 600 / 1000 ms) | mean end-of-turn delay |\n|---|---|---|---|\n")
	for _, es := range []time.Duration{500 * time.Millisecond, 700 * time.Millisecond, 900 * time.Millisecond, 1200 * time.Millisecond} {
		for _, words := range []bool{false, true} {
			cfg := epConfig{endSilence: es, words: words}
			var cuts []string
			var delays []time.Duration
			lines := 0
			for _, p := range pauses {
				r := runEndpointing(t, cfg, p)
				lines += r.lines
				cuts = append(cuts, fmt.Sprintf("%d/%d", r.cutoffs, r.lines))
				delays = append(delays, r.delays...)
				if p*2 <= es && r.cutoffs > 0 {
					t.Errorf("end_silence %v, pause %v: %d false cut-offs", es, p, r.cutoffs)
				}
				if got := len(r.delays) + r.cutoffs; got < r.lines {
					t.Errorf("end_silence %v words %v pause %v: %d of %d lines answered", es, words, p, len(r.delays), r.lines-r.cutoffs)
				}
			}
			ext := "off"
			if words {
				ext = "on"
			}
			fmt.Fprintf(&report, "| %v | %s | %s | %s ms |\n", es, ext, strings.Join(cuts, " / "), msf(mean(delays)))
		}
	}
	t.Log("\n" + report.String())
}
