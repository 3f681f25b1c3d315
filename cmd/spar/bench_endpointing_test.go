package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
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
// clock. A line is split when the engine ended it at the pause (more than one learner.said);
// it is joined when the learner going on was taken as the same line (Turns.ResumeWithin: the
// transcript shows one line, the persona answers it once); a false cut-off is a split line
// not joined: two learner lines for the transcript and the scorer, and two turns for the
// learner when the persona's reply played in the pause. The end-of-turn delay runs from the
// end of a line's last word to the persona's first frame, over lines that are one line. A
// line whose second part could answer the persona (pausedLine.answers) may be two lines
// once the reply played; joined after persona audio played, it counts as an answer joined.
// `go test -run TestEndpointingReport -v ./cmd/spar/` prints the tables in
// docs/BENCHMARKS.md: the first four lines in one call, the held-out lines one call each.

// pausedLine is what the learner says; "..." marks the pause. answers marks a line whose
// second part could answer the persona's reply rather than go on with the first: split
// there after the reply played, two lines are right (not a false cut-off); joined, the
// report counts it (the harness's answers answer nothing the persona said, so a join within
// the reply's first moments is no error).
type pausedLine struct {
	text    string
	answers bool
}

// pausedLines are the report's first four lines, each going on after its pause.
var pausedLines = []pausedLine{
	{text: "I called last week... and nobody helped me at all."},
	{text: "I was charged twice and... I want that money back."},
	{text: "Let me check, so... the second charge is a mistake."},
	{text: "I can refund it now, but... it takes three days."},
}

// heldOutLines were written after the rule joining a continuation by its first word
// (Turns.ResumeByTimeOnly off) was proposed and before it was run on them: pauses after a
// clause that reads as complete and goes on with a conjunction or relative word, after
// one that does not read as complete, one that goes on without a conjunction, and two where
// the learner answers the persona after the pause.
var heldOutLines = []pausedLine{
	{text: "My card was charged on Monday... but the refund never came."},
	{text: "I spoke to your colleague... because the app kept failing."},
	{text: "The second payment went through... which I never agreed to."},
	{text: "I paid the bill in full... then a second charge showed up."},
	{text: "I would like to... close the account today."},
	{text: "I need the money back... my rent is due on Friday."},
	{text: "Let me look at your account... yes, I can see both charges.", answers: true},
	{text: "I can look into that for you... right, the one from Monday.", answers: true},
}

// readPausedLines reads a set of lines written for the report (testdata/endpointing): one a
// line, "GO " before a line that goes on after its pause, "ANSWER " before one whose second
// part could answer the persona. tune.txt was written by two trainers who had not seen the
// rules and was read while the end-of-turn words (dialog's endsThought) were chosen;
// heldout.txt was written the same way by a third and is only run, never read or edited to
// make a figure better; heldout2.txt (2026-12-07) likewise, by a fourth, briefed on where
// real speakers pause.
func readPausedLines(t *testing.T, name string) []pausedLine {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "endpointing", name))
	if err != nil {
		t.Fatal(err)
	}
	var lines []pausedLine
	for i, l := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		tag, text, _ := strings.Cut(strings.TrimSpace(l), " ")
		if (tag != "GO" && tag != "ANSWER") || strings.Count(text, "...") != 1 {
			t.Fatalf("%s:%d: want GO or ANSWER and a line with one \"...\", got %q", name, i+1, l)
		}
		// A recognizer hears "K-L-four-seven" and "twenty-five" as separate words: so does the
		// harness, which times its speech and partials by the word.
		text = strings.ReplaceAll(text, "-", " ")
		lines = append(lines, pausedLine{text: text, answers: tag == "ANSWER"})
	}
	return lines
}

type epConfig struct {
	endSilence time.Duration
	// complete is the end silence after a partial transcript that reads as complete
	// (dialog.Turns.EndSilenceComplete); zero is the rule before it (end silence x0.8 after a
	// finished sentence, x1 otherwise).
	complete time.Duration
	// resume is dialog.Turns.ResumeWithin; zero: off (the code before it).
	resume time.Duration
	// timeOnly joins only by how much of the reply was heard, whatever the learner's words
	// (dialog.Turns.ResumeByTimeOnly: the rule before continuation words).
	timeOnly bool
	interims interimKind
	// think is how long the persona takes to its first sentence: none for the instant
	// providers, hundreds of ms for a real persona and synthesizer.
	think time.Duration
}

// slowPersona is the scripted persona taking think before each reply to the learner. A
// cancelled reply still reaches the persona, which must read every input the engine gives
// it (it takes one back on Input.Resumed).
type slowPersona struct {
	*persona.Scripted
	think time.Duration
}

func (p slowPersona) Respond(ctx context.Context, in dialog.Input, say func(string) error) (dialog.State, error) {
	if in.Kind == dialog.InputSpeech && p.think > 0 {
		t := time.NewTimer(p.think)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
		}
	}
	return p.Scripted.Respond(ctx, in, say)
}

// interimKind is what partial transcripts the recognizer gives the engine.
type interimKind int

const (
	interimsNone   interimKind = iota // finals only (Whisper-style)
	interimsWords                     // each word as it starts, with punctuation (a streaming cloud recognizer)
	interimsSphinx                    // every 300 ms of audio, lower case, no punctuation (pocketsphinx)
)

func (k interimKind) String() string {
	return [...]string{"none", "per word", "pocketsphinx-like (300 ms, no punctuation)"}[k]
}

type epResult struct {
	lines   int // lines that go on after the pause (not answers)
	answers int // lines whose second part answers the persona
	splits  int // extra utterances the engine made of the lines
	joined  int // of them, those joined back into their line (learner.said joined)
	cutoffs int // of them, those of lines that go on heard as a turn of their own
	audible int // split lines where persona audio played before the learner went on
	// answerJoins are answers joined to the line before although persona audio had played
	// before the learner began them.
	answerJoins int
	// answerSplits are answers split and not joined: two lines, as they should be.
	answerSplits int
	delays       []time.Duration // lines heard as one turn
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
func (l *epLine) Clear() error { return nil }

// Played is all persona audio sent: this far end plays it the moment it arrives.
func (l *epLine) Played() time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	return time.Duration(len(l.persona)) * media.FrameDuration
}
func (l *epLine) Hangup(cause error) { l.cancel(cause) }
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

// add counts o's lines in r.
func (r *epResult) add(o epResult) {
	r.lines += o.lines
	r.answers += o.answers
	r.splits += o.splits
	r.joined += o.joined
	r.cutoffs += o.cutoffs
	r.audible += o.audible
	r.answerJoins += o.answerJoins
	r.answerSplits += o.answerSplits
	r.delays = append(r.delays, o.delays...)
}

// runEndpointing plays every one of lines once with pauses of pause and counts.
func runEndpointing(t *testing.T, cfg epConfig, lines []pausedLine, pause time.Duration) epResult {
	t.Helper()
	var res epResult
	synctest.Test(t, func(t *testing.T) {
		cat, err := loadScenarios("")
		if err != nil {
			t.Fatal(err)
		}
		sc, _ := cat.Get("double-charge")
		sttLines := make([]string, len(lines))
		for i, l := range lines {
			sttLines[i] = strings.ReplaceAll(l.text, "...", "")
		}
		scfg := sttinstant.Config{Lines: sttLines, Words: cfg.interims != interimsNone}
		if cfg.interims == interimsSphinx {
			scfg.InterimEvery, scfg.Plain = 300*time.Millisecond, true
		}
		stt, _ := sttinstant.New(scfg)
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
		turns.EndSilenceComplete = cfg.complete
		turns.ResumeWithin = cfg.resume
		turns.ResumeByTimeOnly = cfg.timeOnly
		turns.MaxDuration = 10 * time.Minute
		done := make(chan dialog.Result, 1)
		var said []dialog.Event          // learner.said, logged by the loop only
		var speechStarts []time.Duration // the learner's speech.start
		go func() {
			r, _ := engine.Run(ctx, line, dialog.Session{Transport: "bench", Persona: slowPersona{persona.NewScripted(sc, 1), cfg.think},
				Turns: turns, Timeline: dialog.TimelineFunc(func(e dialog.Event) {
					switch {
					case e.Kind == dialog.EventLearnerSaid:
						said = append(said, e)
					case e.Kind == dialog.EventSpeechStart && e.Speaker == dialog.SpeakerLearner:
						speechStarts = append(speechStarts, e.At)
					}
				})})
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
		for _, l := range lines {
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
			_ = learner.Synthesize(ctx, l.text, "", &pcm)
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
		<-done

		for i, sp := range spans {
			n, joined := 0, 0 // utterances of the line, and how many went on with the one before
			for _, e := range said {
				if start := e.At - e.Dur; start >= sp[0]-100*time.Millisecond && start < sp[1] {
					n++
					if e.Data[dialog.DataJoined] == "true" {
						joined++
					}
				}
			}
			if lines[i].answers {
				res.answers++
			} else {
				res.lines++
			}
			if n > 1 {
				res.splits += n - 1
				res.joined += joined
				if !lines[i].answers {
					res.cutoffs += n - 1 - joined
				} else if joined < n-1 {
					res.answerSplits++
				}
				if p, ok := line.firstPersonaAfter(sp[0]); ok && p < sp[1] {
					res.audible++
				}
			}
			if lines[i].answers && joined > 0 {
				// Where the learner began the answer: the line's second speech.start.
				var starts []time.Duration
				for _, s := range speechStarts {
					if s >= sp[0]-100*time.Millisecond && s < sp[1] {
						starts = append(starts, s)
					}
				}
				if p, ok := line.firstPersonaAfter(sp[0]); ok && len(starts) > 1 && p < starts[1] {
					res.answerJoins++
				}
			}
			if n-joined > 1 {
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

// epRow is one configuration of the report: before (the rules of the code before the
// shorter end silence) or after.
type epRow struct {
	when string
	cfg  epConfig
}

// TestEndpointingReport runs each configuration over pauses of 300 ms to 1 s. It asserts only
// what must hold whatever the machine: a pause well under the shortest end silence in play
// never splits a line, and every line heard as one turn is answered.
func TestEndpointingReport(t *testing.T) {
	pauses := []time.Duration{300 * time.Millisecond, 600 * time.Millisecond, 1000 * time.Millisecond}
	const es = 700 * time.Millisecond
	rows := []epRow{
		{"before", epConfig{endSilence: es, interims: interimsNone}},
		{"before", epConfig{endSilence: es, interims: interimsWords}},
		{"before", epConfig{endSilence: es, interims: interimsSphinx}},
	}
	// end_silence_complete without joining (resume_within 0s), then with the default 1 s
	// joining by time only (the rule before continuation words), then as it is now.
	resumes := []struct {
		within   time.Duration
		timeOnly bool
	}{{0, false}, {dialog.DefaultResumeWithin, true}, {dialog.DefaultResumeWithin, false}}
	for _, r := range resumes {
		for _, k := range []interimKind{interimsWords, interimsSphinx} {
			for _, c := range []time.Duration{250, 300, 350, 400, 450} {
				rows = append(rows, epRow{"after", epConfig{endSilence: es, complete: c * time.Millisecond, resume: r.within, timeOnly: r.timeOnly, interims: k}})
			}
		}
	}
	// The defaults with a persona that takes 500 ms to its first sentence, as real ones do.
	for _, r := range resumes {
		for _, k := range []interimKind{interimsWords, interimsSphinx} {
			rows = append(rows, epRow{"after", epConfig{endSilence: es, complete: dialog.DefaultEndSilenceComplete, resume: r.within, timeOnly: r.timeOnly, interims: k, think: 500 * time.Millisecond}})
		}
	}
	// The first four lines are one call, as they always were; each held-out line is a call of
	// its own, so the persona's mood (it hangs up on a learner who does not help) does not
	// decide which lines are answered.
	// The written sets (24 lines each) run the rows at the default end_silence_complete only.
	sets := []struct {
		name     string
		lines    []pausedLine
		alone    bool
		defaults bool
	}{
		{"the first four lines", pausedLines, false, false},
		{"the held-out lines, one call each", heldOutLines, true, false},
		{"the written lines for tuning (testdata/endpointing/tune.txt), one call each", readPausedLines(t, "tune.txt"), true, true},
		{"sixty more lines for tuning, written 2026-12-07 (testdata/endpointing/tune2.txt), one call each", readPausedLines(t, "tune2.txt"), true, true},
		{"forty-eight more lines for tuning, written 2026-12-07 by a fifth writer (testdata/endpointing/tune3.txt), one call each", readPausedLines(t, "tune3.txt"), true, true},
		{"forty-eight more lines for tuning, regional and non-native speakers, written 2026-12-07 by a sixth writer (testdata/endpointing/tune4.txt), one call each", readPausedLines(t, "tune4.txt"), true, true},
		{"forty-eight more lines for tuning, varied endings (tags, names, numbers, codes), written 2026-12-07 by a seventh writer (testdata/endpointing/tune5.txt), one call each", readPausedLines(t, "tune5.txt"), true, true},
		{"the written held-out lines (testdata/endpointing/heldout.txt), one call each", readPausedLines(t, "heldout.txt"), true, true},
		{"forty-eight more held-out lines, written 2026-12-07 (testdata/endpointing/heldout2.txt), one call each", readPausedLines(t, "heldout2.txt"), true, true},
	}
	var report strings.Builder
	for _, set := range sets {
		fmt.Fprintf(&report, "\n%s:\n\n", set.name)
		report.WriteString("| code | end_silence | end_silence_complete | resume_within | interims | persona latency | split at the pause (300 / 600 / 1000 ms) | joined after a resume | false cut-offs: split, not joined (300 / 600 / 1000 ms) | cut-off rate | answers joined after the reply played | persona audible in the pause | end-of-turn delay mean / p95 |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|\n")
		for _, row := range rows {
			if set.defaults && row.cfg.complete != 0 && row.cfg.complete != dialog.DefaultEndSilenceComplete {
				continue
			}
			reportRow(t, &report, row, set.lines, set.alone, pauses)
		}
	}
	t.Log(report.String())
}

// reportRow runs one configuration over lines with each pause (in one call, or alone each
// in a call of its own), checks what must hold, and writes its row of the table.
func reportRow(t *testing.T, report *strings.Builder, row epRow, set []pausedLine, alone bool, pauses []time.Duration) {
	t.Helper()
	cfg := row.cfg
	shortest := cfg.endSilence
	if cfg.complete > 0 {
		shortest = cfg.complete
	} else if cfg.interims != interimsNone {
		shortest = cfg.endSilence * 4 / 5
	}
	var splits, cuts []string
	var delays []time.Duration
	lines, answers, joined, cutoffs, answerJoins, audible := 0, 0, 0, 0, 0, 0
	for _, p := range pauses {
		var r epResult
		if alone {
			for _, l := range set {
				r.add(runEndpointing(t, cfg, []pausedLine{l}, p))
			}
		} else {
			r = runEndpointing(t, cfg, set, p)
		}
		lines += r.lines
		answers += r.answers
		joined += r.joined
		cutoffs += r.cutoffs
		answerJoins += r.answerJoins
		audible += r.audible
		splits = append(splits, fmt.Sprintf("%d/%d", r.splits, r.lines+r.answers))
		cuts = append(cuts, fmt.Sprintf("%d/%d", r.cutoffs, r.lines))
		delays = append(delays, r.delays...)
		if p*2 <= shortest && r.splits > 0 {
			t.Errorf("%+v, pause %v: %d lines split", cfg, p, r.splits)
		}
		if got := len(r.delays) + r.cutoffs + r.answerSplits; got < r.lines+r.answers {
			t.Errorf("%+v pause %v: %d of %d lines answered", cfg, p, len(r.delays), r.lines+r.answers-r.cutoffs-r.answerSplits)
		}
	}
	complete, resume, answersJoined := "-", "-", "-"
	if cfg.complete > 0 {
		complete = cfg.complete.String()
	}
	if cfg.resume > 0 {
		resume = cfg.resume.String()
		if cfg.timeOnly {
			resume += " (time only)"
		}
	}
	if answers > 0 {
		answersJoined = fmt.Sprintf("%d/%d", answerJoins, answers)
	}
	fmt.Fprintf(report, "| %s | %v | %s | %s | %s | %v | %s | %d | %s | %.0f %% | %s | %d | %s / %s ms |\n", row.when, cfg.endSilence, complete,
		resume, cfg.interims, cfg.think, strings.Join(splits, " / "), joined, strings.Join(cuts, " / "),
		100*float64(cutoffs)/float64(lines), answersJoined, audible, msf(mean(delays)), msf(percentile(delays, 95)))
}
