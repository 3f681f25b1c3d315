package dialog

import (
	"strconv"
	"testing"
	"time"
)

// TestEndpointAfterPartial: with lines joined back (ResumeWithin) and a shorter silence for
// complete ones, a partial that trails off ends the utterance after EndSilenceComplete (its
// final decides: holdFor), or EndSilence when it is stale; without either, it stretches the
// silence as before.
func TestEndpointAfterPartial(t *testing.T) {
	tu := DefaultTurns()
	tu.EndSilence, tu.EndSilenceComplete = 700*time.Millisecond, 350*time.Millisecond
	for _, c := range []struct {
		text  string
		stale bool
		want  time.Duration
	}{
		{"", false, 700 * time.Millisecond},
		{"i was charged twice and", false, 350 * time.Millisecond},
		{"within three to five a", false, 350 * time.Millisecond},
		{"i was charged twice and", true, 700 * time.Millisecond},
		{"nobody helped me at all", false, 350 * time.Millisecond},
		{"nobody helped me at all", true, 700 * time.Millisecond},
	} {
		if got := tu.endpointFor(tu.endSilenceAfter(c.text, c.stale), c.stale); got != c.want {
			t.Errorf("after %q (stale %v): %v, want %v", c.text, c.stale, got, c.want)
		}
	}
	off := tu
	off.ResumeWithin = 0
	if got := off.endpointFor(off.endSilenceAfter("i was charged twice and", false), false); got != 1050*time.Millisecond {
		t.Errorf("resume_within 0: %v, want end_silence x1.5", got)
	}
	off = tu
	off.EndSilenceComplete = 0
	if got := off.endpointFor(off.endSilenceAfter("i was charged twice and", false), false); got != 1050*time.Millisecond {
		t.Errorf("end_silence_complete 0: %v, want end_silence x1.5", got)
	}
}

// TestHoldFor: a final that trails off after a partial that did holds the reply to what the
// partial asked for (end_silence x1.5 after the speech), whatever silence ended the
// utterance; a final that reads as complete, holds no words, or trails off after a partial
// that read as complete (a "the" heard in the silence) is not held.
func TestHoldFor(t *testing.T) {
	tu := DefaultTurns()
	tu.EndSilence, tu.EndSilenceComplete = 700*time.Millisecond, 350*time.Millisecond
	const ms = time.Millisecond
	for _, c := range []struct {
		text          string
		ended, wanted time.Duration
		want          time.Duration
	}{
		{"i was charged twice and", 350 * ms, 1050 * ms, 700 * ms},
		{"i was charged twice and", 700 * ms, 1050 * ms, 350 * ms},
		{"i was charged twice and", 1050 * ms, 1050 * ms, 0},
		{"within three to five days", 350 * ms, 1050 * ms, 0},
		{"within three to five days", 700 * ms, 700 * ms, 0},
		{"let me look into it right now the", 350 * ms, 350 * ms, 0},
		{"let me look into it right now the", 700 * ms, 700 * ms, 0},
		{"", 350 * ms, 1050 * ms, 0},
	} {
		if got := tu.holdFor(c.text, c.ended, c.wanted); got != c.want {
			t.Errorf("final %q after %v (partial asked %v): hold %v, want %v", c.text, c.ended, c.wanted, got, c.want)
		}
	}
	tu.ResumeWithin = 0
	if got := tu.holdFor("i was charged twice and", 350*ms, 1050*ms); got != 0 {
		t.Errorf("resume_within 0: hold %v, want none", got)
	}
}

// TestEngineFinalDecidesTheEndSilence: the fake recognizer's partial is the line's first word,
// 620 ms into it (lag: after the speech onset, whose pre-roll would race it).
// A line whose partial trails off ("and...", "i...") ends after EndSilenceComplete; its
// final then decides. A complete final is answered at once; one that trails off has its
// reply held to EndSilence x1.5 after the speech, and a learner who goes on within that
// continues the line: the held reply is dropped unheard and the whole line answered once.
// After a partial that reads as complete, a final that trails off is answered at once.
func TestEngineFinalDecidesTheEndSilence(t *testing.T) {
	tu := testTurns() // end_silence 500 ms: x1.5 is 750 ms
	latency := func(r run) map[string]string {
		t.Helper()
		l := r.ev.kinds(EventLatency)
		if len(l) != 1 {
			t.Fatalf("turn.latency events %+v, want one", l)
		}
		return l[0].Data
	}
	sayDoubting := func(p *fakePersona, texts []string, steps []step, tu Turns, doubt bool) run {
		t.Helper()
		r := converseSTT(t, p, &fakeSTT{texts: texts, lag: 20 * time.Millisecond, doubtLast: doubt}, steps, tu, nil)
		if r.err != nil {
			t.Fatal(r.err)
		}
		if n := len(r.ev.kinds(EventInterim)); n != len(texts) {
			t.Fatalf("%d interims, want %d", n, len(texts))
		}
		return r
	}
	say := func(p *fakePersona, texts []string, steps []step, tu Turns) run {
		t.Helper()
		return sayDoubting(p, texts, steps, tu, false)
	}
	msOf := func(v string) time.Duration {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			t.Fatalf("latency %q: %v", v, err)
		}
		return time.Duration(f * float64(time.Millisecond))
	}

	t.Run("complete final", func(t *testing.T) {
		p := &fakePersona{replies: []string{"Good."}, endAt: 1}
		r := say(p, []string{"and i want it back today"}, []step{{speak: time.Second}}, tu)
		if s := r.ev.kinds(EventSpeechStop); len(s) != 1 || s[0].Detail != "end silence 350ms" {
			t.Errorf("speech stops %+v, want one after 350 ms", s)
		}
		d := latency(r)
		if d["hold_ms"] != "" || msOf(d["total_ms"]) >= 750*time.Millisecond {
			t.Errorf("latency %v: want no hold and the reply before the 750 ms a trailing partial once waited", d)
		}
	})

	t.Run("final trails off", func(t *testing.T) {
		p := &fakePersona{replies: []string{"Twice and what?"}, endAt: 1}
		r := say(p, []string{"i was charged twice and"}, []step{{speak: time.Second}}, tu)
		d := latency(r)
		if msOf(d["hold_ms"]) <= 0 || msOf(d["total_ms"]) < 750*time.Millisecond || msOf(d["endpoint_ms"]) != 350*time.Millisecond {
			t.Errorf("latency %v: want the reply held to 750 ms after the speech", d)
		}
		if len(r.ev.kinds(EventPersonaHeard)) != 2 {
			t.Errorf("persona.heard %+v: the held reply was not played", r.ev.kinds(EventPersonaHeard))
		}
	})

	t.Run("a doubtful last word", func(t *testing.T) {
		// The partial "and" trails off; the final's "the" was heard in the silence
		// (Transcript.DoubtfulLast): "...right now" decides, and it is complete.
		p := &fakePersona{replies: []string{"Good."}, endAt: 1}
		r := sayDoubting(p, []string{"and i will look into it right now the"}, []step{{speak: time.Second}}, tu, true)
		if d := latency(r); d["hold_ms"] != "" {
			t.Errorf("latency %v: want no hold", d)
		}
		if l := linesOf(r.res.Transcript, SpeakerLearner); len(l) != 1 || l[0].Text != "and i will look into it right now the" {
			t.Errorf("learner lines %+v: the transcript keeps what was recognised", l)
		}
		p = &fakePersona{replies: []string{"Good."}, endAt: 1}
		r = sayDoubting(p, []string{"and i will look into it right now the"}, []step{{speak: time.Second}}, tu, false)
		if d := latency(r); d["hold_ms"] == "" {
			t.Errorf("latency %v: a final ending in a \"the\" the recognizer does not doubt is held", d)
		}
	})

	t.Run("final trails off after a complete partial", func(t *testing.T) {
		p := &fakePersona{replies: []string{"Good."}, endAt: 1}
		// The partial is the first word, "thanks": complete. The final's "the" was heard in
		// the silence.
		r := say(p, []string{"thanks for looking into it the"}, []step{{speak: time.Second}}, tu)
		if d := latency(r); d["hold_ms"] != "" || msOf(d["total_ms"]) >= 750*time.Millisecond {
			t.Errorf("latency %v: want no hold", d)
		}
	})

	t.Run("learner goes on in the hold", func(t *testing.T) {
		p := &fakePersona{replies: []string{"Dropped.", "Right, I will look at it."}, endAt: 2}
		texts := []string{"i was charged twice and", "i want that money back"}
		r := say(p, texts, []step{{speak: time.Second}, {pause: 600 * time.Millisecond, speak: time.Second}}, tu)
		whole := texts[0] + " " + texts[1]
		if c := r.ev.kinds(EventTurnCancelled); len(c) != 1 || c[0].Data["played_ms"] != "" {
			t.Errorf("turn.cancelled %+v, want the held reply dropped before any of it played", c)
		}
		if _, _, clears := r.line.state(); clears != 0 {
			t.Errorf("%d clears: nothing of the held reply was sent", clears)
		}
		in := speechInputs(r.persona)
		if len(in) != 2 || in[1].Text != whole || !in[1].Resumed {
			t.Fatalf("persona speech inputs %+v, want the first part, then the whole line resumed", in)
		}
		if l := linesOf(r.res.Transcript, SpeakerLearner); len(l) != 1 || l[0].Text != whole {
			t.Errorf("learner lines %+v, want one: %q", l, whole)
		}
		for _, e := range r.ev.kinds(EventPersonaHeard) {
			if e.Text == "Dropped." {
				t.Errorf("the held reply was heard: %+v", e)
			}
		}
	})

	t.Run("a continuation read with its line", func(t *testing.T) {
		// "with" alone trails off; "which card would you like to pay with" ends the line.
		p := &fakePersona{replies: []string{firstReply, "The visa."}, endAt: 2}
		texts := []string{"which card would you like to pay", "with"}
		r := say(p, texts, []step{{speak: time.Second}, {pause: 600 * time.Millisecond, speak: 800 * time.Millisecond}}, tu)
		if l := linesOf(r.res.Transcript, SpeakerLearner); len(l) != 1 || l[0].Text != texts[0]+" "+texts[1] {
			t.Fatalf("learner lines %+v, want the line joined", l)
		}
		if d := latency(r); d["hold_ms"] != "" {
			t.Errorf("latency %v: the whole line reads as complete, want no hold", d)
		}
		if s := r.ev.kinds(EventSpeechStop); len(s) != 2 || s[1].Detail != "end silence 350ms" {
			t.Errorf("speech stops %+v, want the continuation ended after 350 ms", s)
		}
	})

	t.Run("no joining", func(t *testing.T) {
		off := tu
		off.ResumeWithin = 0
		p := &fakePersona{replies: []string{"Twice and what?"}, endAt: 1}
		r := say(p, []string{"i was charged twice and"}, []step{{speak: time.Second}}, off)
		if s := r.ev.kinds(EventSpeechStop); len(s) != 1 || s[0].Detail != "end silence 750ms" {
			t.Errorf("speech stops %+v, want the trailing partial's 750 ms", s)
		}
		if d := latency(r); d["hold_ms"] != "" {
			t.Errorf("latency %v: no hold without joining", d)
		}
	})
}
