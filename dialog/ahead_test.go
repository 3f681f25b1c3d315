package dialog

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sparlab/spar/media"
)

// ttsLine is one sentence of scriptTTS: frames 20 ms chunks of the constant sample mark. With
// hold set, the synthesis waits on it after holdAfter chunks (or until its ctx ends).
type ttsLine struct {
	frames    int
	mark      int16
	holdAfter int
	hold      <-chan struct{}
	fail      error // returned at once instead of speaking
}

// scriptTTS is a synthesizer the test steers sentence by sentence, recording the order in
// which syntheses begin and how each ended.
type scriptTTS struct {
	lines   map[string]ttsLine
	mu      sync.Mutex
	began   []string
	started map[string]chan struct{} // closed when the sentence's synthesis begins
	causes  map[string]error         // the ctx cause each synthesis ended with, nil when not cancelled
	held    map[string]bool          // the hold was released (not ended by ctx)
}

func newScriptTTS(lines map[string]ttsLine) *scriptTTS {
	s := &scriptTTS{lines: lines, started: map[string]chan struct{}{}, causes: map[string]error{}, held: map[string]bool{}}
	for text := range lines {
		s.started[text] = make(chan struct{})
	}
	return s
}

func (s *scriptTTS) Synthesize(ctx context.Context, text, voice string, w media.Writer) error {
	s.mu.Lock()
	s.began = append(s.began, text)
	l := s.lines[text]
	if ch := s.started[text]; ch != nil {
		close(ch)
	}
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.causes[text] = context.Cause(ctx)
		s.mu.Unlock()
	}()
	if l.fail != nil {
		return l.fail
	}
	chunk := make([]int16, media.Samples(rate, media.FrameDuration))
	for i := range chunk {
		chunk[i] = l.mark
	}
	for i := range l.frames {
		if l.hold != nil && i == l.holdAfter {
			select {
			case <-l.hold:
				s.mu.Lock()
				s.held[text] = true
				s.mu.Unlock()
			case <-ctx.Done():
				return context.Cause(ctx)
			}
		}
		if err := w.WriteSample(chunk); err != nil {
			return err
		}
	}
	return nil
}

func (s *scriptTTS) state() (began []string, causes map[string]error, held map[string]bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.began), maps(s.causes), maps(s.held)
}

func maps[V any](m map[string]V) map[string]V {
	out := make(map[string]V, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// holdFirst makes a scriptTTS speaking s1 (1 s) then s2 (200 ms), whose s1 holds back its
// last chunk until s2's synthesis has begun.
func holdFirst(s1, s2 string) func() *scriptTTS {
	return func() *scriptTTS {
		tts := newScriptTTS(map[string]ttsLine{s1: {frames: 50, mark: 1}, s2: {frames: 10, mark: 2}})
		l := tts.lines[s1]
		l.holdAfter, l.hold = 49, tts.started[s2]
		tts.lines[s1] = l
		return tts
	}
}

// scriptPersona greets with its sentences, then answers anything with "Okay." and hangs up.
type scriptPersona struct {
	greeting []string
	mu       sync.Mutex
	inputs   []Input
}

func (p *scriptPersona) Respond(ctx context.Context, in Input, say func(string) error) (State, error) {
	p.mu.Lock()
	p.inputs = append(p.inputs, in)
	p.mu.Unlock()
	lines, st := []string{"Okay."}, State{Stage: "close", Hangup: true, EndReason: "resolved"}
	if in.Kind == InputAnswer {
		lines, st = p.greeting, State{Stage: "opening"}
	}
	for _, s := range lines {
		if err := say(s); err != nil {
			return st, err
		}
	}
	return st, nil
}

// speakTurn plays the persona's greeting through a conversation's turn and playout alone (no
// loop), in a bubble, with the synthesizer newTTS makes there, and returns the finished turn,
// the synthesizer, the timeline and the line.
func speakTurn(t *testing.T, newTTS func() *scriptTTS, greeting ...string) (*turn, *scriptTTS, *events, *fakeLine) {
	t.Helper()
	var (
		tu   *turn
		tts  *scriptTTS
		ev   = &events{}
		line = newFakeLine()
	)
	synctestRun(t, func(t *testing.T) {
		tts = newTTS() // its channels belong to the bubble
		eng, err := New(DefaultConfig(), &fakeSTT{}, tts)
		if err != nil {
			t.Fatal(err)
		}
		// A turn stuck for a minute of the bubble's fake time ends: the test fails, not hangs.
		ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
		defer cancel()
		stream, _ := eng.stt.Stream(ctx, STTOptions{})
		c := newConv(ctx, eng, line, Session{Persona: &scriptPersona{greeting: greeting}, Voice: "v", Turns: testTurns(), Timeline: ev}, stream)
		played := make(chan struct{})
		go func() { defer close(played); _ = c.play.Run(ctx, media.WriterFunc(c.sendFrame)) }()
		c.startTurn(Input{Kind: InputAnswer}, false, time.Time{}, time.Time{}, 0)
		tu = <-c.turnDone
		cancel()
		<-played
	})
	return tu, tts, ev, line
}

// TestRenderAheadStartsNextSentence: the second sentence's synthesis starts while the first
// one's audio is still being produced (the first holds back its last chunk until then), and
// the reply plays whole, in order. Before render-ahead the second sentence was synthesized
// only once the first was all queued: the first would wait for it forever.
func TestRenderAheadStartsNextSentence(t *testing.T) {
	s1, s2 := "One two three four five.", "Six seven eight nine ten."
	tu, tts, ev, line := speakTurn(t, holdFirst(s1, s2), s1, s2)
	began, causes, held := tts.state()
	if !held[s1] {
		t.Fatalf("the first sentence's audio was all produced before the second's synthesis began (began %q, causes %v)", began, causes)
	}
	if len(began) != 2 {
		t.Errorf("syntheses began: %q, want one a sentence", began)
	}
	if !slices.Equal(line.marks, []int16{1, 2}) || line.samples != 60*320 {
		t.Errorf("the line got marks %v and %d samples, want the first sentence's then the second's, %d samples", line.marks, line.samples, 60*320)
	}
	var says []string
	for _, e := range ev.kinds(EventPersonaSays) {
		says = append(says, e.Text)
	}
	if !slices.Equal(says, []string{s1, s2}) {
		t.Errorf("persona.says events %q", says)
	}
	if got := tu.fullText(); got != s1+" "+s2 {
		t.Errorf("turn text %q", got)
	}
}

// TestRenderAheadSentenceTiming: a sentence rendered ahead starts where the previous one's
// audio ends in the ring, not where the ring was when its synthesis began, so what the
// learner heard maps onto the right words. The second sentence here was rendered whole
// before the first's audio was all queued.
func TestRenderAheadSentenceTiming(t *testing.T) {
	s1, s2 := "One two three four five.", "Six seven eight nine."
	tu, _, _, _ := speakTurn(t, holdFirst(s1, s2), s1, s2)
	want := []spoken{{text: s1, start: 0, end: 50 * 320}, {text: s2, start: 50 * 320, end: 60 * 320}}
	if !slices.Equal(tu.sentences, want) {
		t.Fatalf("sentences %+v, want %+v", tu.sentences, want)
	}
	for _, c := range []struct {
		played int64
		want   string
	}{
		{25 * 320, "One two"},
		{50 * 320, s1},
		{55 * 320, s1 + " Six seven"},
		{60 * 320, s1 + " " + s2},
	} {
		if got, _ := heardText(tu.sentences, c.played); got != c.want {
			t.Errorf("heard after %d samples: %q, want %q", c.played, got, c.want)
		}
	}
}

// TestRenderAheadFaultKeepsOrder: a sentence whose synthesis fails is a fault event and the
// turn goes on; the sentence rendered ahead of it is said after that fault, as before.
func TestRenderAheadFaultKeepsOrder(t *testing.T) {
	s1, s2 := "This one fails.", "This one plays."
	tu, _, ev, line := speakTurn(t, func() *scriptTTS {
		return newScriptTTS(map[string]ttsLine{s1: {fail: errors.New("synthesizer crashed")}, s2: {frames: 10, mark: 2}})
	}, s1, s2)
	var got []string
	ev.mu.Lock()
	all := slices.Clone(ev.ev)
	ev.mu.Unlock()
	for _, e := range all {
		got = append(got, string(e.Kind)+" "+e.Text)
	}
	want := []string{"persona.says " + s1, "fault " + s1, "persona.says " + s2}
	if !slices.Equal(got, want) {
		t.Errorf("events %q, want %q", got, want)
	}
	if line.samples != 10*320 || tu.fullText() != s1+" "+s2 {
		t.Errorf("line got %d samples, turn text %q", line.samples, tu.fullText())
	}
}

// TestRenderAheadBargeIn: a barge-in while the next sentence renders ahead cancels that
// synthesis too, and none of its audio (already buffered) reaches the line; the learner
// heard a part of the first sentence only.
func TestRenderAheadBargeIn(t *testing.T) {
	s1 := "One two three four five six seven eight nine ten."
	s2 := "Eleven twelve."
	p := &scriptPersona{greeting: []string{s1, s2}}
	var (
		res  Result
		tts  *scriptTTS
		ev   = &events{}
		line = newFakeLine()
	)
	synctestRun(t, func(t *testing.T) {
		// The second sentence renders 60 ms, then waits for a first byte that never comes.
		never := make(chan struct{})
		tts = newScriptTTS(map[string]ttsLine{s1: {frames: 150, mark: 1}, s2: {frames: 10, mark: 2, holdAfter: 3, hold: never}})
		eng, err := New(DefaultConfig(), &fakeSTT{texts: []string{"wait let me stop you there"}}, tts)
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan struct{})
		go func() {
			defer close(done)
			learner(ctx, line, []step{{bargeAfter: 1200 * time.Millisecond, speak: 1500 * time.Millisecond}})
		}()
		res, err = eng.Run(ctx, line, Session{Persona: p, Voice: "v", Turns: testTurns(), Timeline: ev})
		if err != nil {
			t.Error(err)
		}
		cancel()
		<-done
	})
	if n := len(ev.kinds(EventBargeIn)); n != 1 {
		t.Fatalf("barge-ins %d, want 1", n)
	}
	began, causes, _ := tts.state()
	if !slices.Contains(began, s2) {
		t.Fatalf("the second sentence was not rendering ahead at the barge-in: began %q", began)
	}
	if !errors.Is(causes[s2], ErrBargeIn) {
		t.Errorf("the second sentence's synthesis ended with %v, want its ctx cancelled by the barge-in", causes[s2])
	}
	if slices.Contains(line.marks, 2) {
		t.Errorf("audio of the second sentence reached the line: marks %v", line.marks)
	}
	var cut string
	for _, u := range res.Transcript {
		if u.Speaker == SpeakerPersona && u.Truncated {
			cut = u.Text
		}
	}
	if n := len(strings.Fields(cut)); n == 0 || n >= 10 || !strings.HasPrefix(s1, cut) {
		t.Errorf("heard %q: want a part of the first sentence only", cut)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.inputs) != 2 || !p.inputs[1].Interrupted || p.inputs[1].Heard != cut {
		t.Errorf("persona inputs %+v, want the learner's line with what was heard, %q", p.inputs, cut)
	}
}

// TestRenderWriteAllocs: a sentence's audio goes on without allocating per frame, whether it
// waits in the render buffer or goes straight to the ring.
func TestRenderWriteAllocs(t *testing.T) {
	frame := make([]int16, media.Samples(rate, media.FrameDuration))
	ring := media.WriterFunc(func([]int16) error { return nil })
	r := &render{ctx: t.Context(), ring: ring, begun: make(chan struct{})}
	ahead := testing.AllocsPerRun(100, func() {
		_ = r.WriteSample(frame)
		r.n = 0 // keep it from filling
	})
	r.begin()
	live := testing.AllocsPerRun(100, func() { _ = r.WriteSample(frame) })
	if ahead != 0 || live != 0 {
		t.Errorf("allocations per frame: %v rendering ahead, %v live; want 0", ahead, live)
	}
}
