package dialog

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/sparlab/spar/media"
)

func TestEnginePersonaCutsInOnMonologue(t *testing.T) {
	p := &fakePersona{replies: []string{"Stop. Just tell me when I get my money.", "Fine."}, endAt: 2}
	turns := testTurns()
	turns.PersonaBargeIn, turns.AfterTalk = true, 3*time.Second
	texts := []string{"so let me explain our whole refund policy in detail", "three days"}
	steps := []step{{speak: 5 * time.Second}, {speak: time.Second}}
	r := converse(t, p, texts, steps, turns, nil)
	if r.err != nil {
		t.Fatal(r.err)
	}
	barge := r.ev.kinds(EventBargeIn)
	if len(barge) != 1 || barge[0].Speaker != SpeakerPersona {
		t.Fatalf("barge-in events = %+v", barge)
	}
	if at := barge[0].At; at < 3900*time.Millisecond || at > 4300*time.Millisecond {
		t.Errorf("persona cut in at %v, want about 3 s into the learner's monologue", at)
	}
	var monologue *Utterance
	for i, u := range r.res.Transcript {
		if u.Speaker == SpeakerLearner && strings.HasPrefix(u.Text, "so let me") {
			monologue = &r.res.Transcript[i]
		}
	}
	if monologue == nil || !monologue.Truncated {
		t.Errorf("monologue = %+v, want it marked as cut", monologue)
	}
	if _, _, clears := r.line.state(); clears != 0 {
		t.Errorf("the learner talking on interrupted the persona's own barge-in (%d clears)", clears)
	}
	if r.res.EndReason != "resolved" {
		t.Errorf("end reason = %q", r.res.EndReason)
	}
}

// failingTTS fails sentences containing "FAIL".
type failingTTS struct{ fakeTTS }

func (f failingTTS) Synthesize(ctx context.Context, text, voice string, w media.Writer) error {
	if strings.Contains(text, "FAIL") {
		return errors.New("synthesizer crashed")
	}
	return f.fakeTTS.Synthesize(ctx, text, voice, w)
}

// silentSTT never finalizes the utterance numbered drop.
type silentSTT struct {
	fakeSTT
	drop int
}

func (s *silentSTT) Stream(ctx context.Context, o STTOptions) (RecognizeStream, error) {
	st, _ := s.fakeSTT.Stream(ctx, o)
	return &droppingStream{fakeStream: st.(*fakeStream), drop: s.drop}, nil
}

type droppingStream struct {
	*fakeStream
	drop, n int
}

func (d *droppingStream) Flush() error {
	d.n++
	if d.n == d.drop {
		d.mu.Lock()
		d.next++
		d.written, d.interim = 0, false
		d.mu.Unlock()
		return nil
	}
	return d.fakeStream.Flush()
}

func TestEngineProviderFaults(t *testing.T) {
	tests := []struct {
		name      string
		stt       Transcriber
		tts       Synthesizer
		replies   []string
		wantFault string
		wantLine  string
		endAt     int
	}{
		{"tts fails one sentence", &fakeSTT{texts: []string{"hello", "sorry"}}, failingTTS{},
			[]string{"FAIL this one. But not this one.", "Bye."}, "tts: synthesizer crashed", "But not this one.", 2},
		{"stt gives no final", &silentSTT{fakeSTT: fakeSTT{texts: []string{"hello", "sorry"}}, drop: 1}, fakeTTS{},
			[]string{"Go on.", "Bye."}, "stt: no final transcript", "Sorry, you broke up. Say that again?", 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := twoLineCall(t, tc.stt, tc.tts, tc.replies, tc.endAt)
			faults := r.ev.kinds(EventFault)
			if len(faults) == 0 || !strings.HasPrefix(faults[0].Detail, tc.wantFault) {
				t.Fatalf("faults = %+v", faults)
			}
			found := false
			for _, u := range r.res.Transcript {
				found = found || (u.Speaker == SpeakerPersona && strings.Contains(u.Text, tc.wantLine))
			}
			if !found {
				t.Errorf("persona never said %q: %+v", tc.wantLine, r.res.Transcript)
			}
			if r.res.EndReason != "resolved" {
				t.Errorf("call did not go on to its end: %q", r.res.EndReason)
			}
		})
	}
}

// slowSTT finalizes its first utterance late (after two FinalTimeouts), sending an interim
// word every second meanwhile: a recognizer running behind real time on a loaded machine.
type slowSTT struct{ fakeSTT }

func (s *slowSTT) Stream(ctx context.Context, o STTOptions) (RecognizeStream, error) {
	st, _ := s.fakeSTT.Stream(ctx, o)
	return &lateStream{fakeStream: st.(*fakeStream)}, nil
}

type lateStream struct {
	*fakeStream
	n int
}

func (l *lateStream) Flush() error {
	if l.n++; l.n != 1 {
		return l.fakeStream.Flush()
	}
	go func() {
		words := strings.Fields(l.text())
		for i := range 8 {
			time.Sleep(time.Second)
			l.mu.Lock()
			if !l.closed {
				l.out <- Transcript{Text: strings.Join(words[:min(len(words), 1+i%len(words))], " ") + strings.Repeat(" uh", i)}
			}
			l.mu.Unlock()
		}
		_ = l.fakeStream.Flush()
	}()
	return nil
}

// TestEngineSlowRecognizer: a final that comes after FinalTimeout while the recognizer keeps
// sending words is waited for: the learner's words are kept and answered, no fault.
func TestEngineSlowRecognizer(t *testing.T) {
	r := twoLineCall(t, &slowSTT{fakeSTT{texts: []string{"hello there I am Sam", "sorry about that"}}}, fakeTTS{},
		[]string{"Go on.", "Bye."}, 2)
	if faults := r.ev.kinds(EventFault); len(faults) != 0 {
		t.Fatalf("a slow recognizer was treated as failed: %+v", faults)
	}
	var said []string
	for _, u := range r.res.Transcript {
		if u.Speaker == SpeakerLearner {
			said = append(said, u.Text)
		}
	}
	if len(said) != 2 || said[0] != "hello there I am Sam" || said[1] != "sorry about that" {
		t.Errorf("learner lines %q, want each utterance's own words", said)
	}
}

// twoLineCall runs a call in which the learner speaks twice for a second, on stt and tts,
// with a persona that gives replies and ends after endAt of them.
func twoLineCall(t *testing.T, stt Transcriber, tts Synthesizer, replies []string, endAt int) run {
	t.Helper()
	var r run
	synctestRun(t, func(t *testing.T) {
		eng, err := New(DefaultConfig(), stt, tts)
		if err != nil {
			t.Fatal(err)
		}
		p := &fakePersona{replies: replies, endAt: endAt}
		r.line, r.ev = newFakeLine(), &events{}
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan struct{})
		go func() { defer close(done); learner(ctx, r.line, []step{{speak: time.Second}, {speak: time.Second}}) }()
		r.res, r.err = eng.Run(t.Context(), r.line, Session{Persona: p, Turns: testTurns(), Timeline: r.ev})
		cancel()
		<-done
	})
	if r.err != nil {
		t.Fatal(r.err)
	}
	return r
}

func TestEngineMaxDuration(t *testing.T) {
	turns := testTurns()
	turns.MaxDuration, turns.SilenceTimeout = 15*time.Second, time.Minute
	r := converse(t, &fakePersona{}, nil, nil, turns, nil)
	if r.res.EndReason != ErrMaxDuration.Error() {
		t.Errorf("end reason = %q", r.res.EndReason)
	}
	if d := r.res.Duration; d < 14900*time.Millisecond || d > 15100*time.Millisecond {
		t.Errorf("duration = %v", d)
	}
}

// brokenSTT's stream refuses every write: a recognizer whose connection died mid-call.
type brokenSTT struct{ fakeSTT }

func (b *brokenSTT) Stream(ctx context.Context, o STTOptions) (RecognizeStream, error) {
	st, _ := b.fakeSTT.Stream(ctx, o)
	return &refusingStream{fakeStream: st.(*fakeStream)}, nil
}

type refusingStream struct{ *fakeStream }

func (refusingStream) Write([]int16) error { return errors.New("connection reset") }

// TestEngineFramePathFaults: errors on the 20 ms path (a recognizer refusing audio) do not
// stop the call, and the timeline says so once, not once per frame.
func TestEngineFramePathFaults(t *testing.T) {
	r := twoLineCall(t, &brokenSTT{fakeSTT{texts: []string{"hello", "sorry"}}}, fakeTTS{}, []string{"Go on.", "Bye."}, 2)
	writes := 0
	for _, f := range r.ev.kinds(EventFault) {
		if f.Detail == "stt: write: connection reset" {
			writes++
		}
	}
	if writes != 1 {
		t.Errorf("%d 'stt: write' faults, want exactly one: %+v", writes, r.ev.kinds(EventFault))
	}
}
