package dialog

import (
	"context"
	"math"
	"strings"
	"sync"
	"time"

	"github.com/sparlab/spar/media"
	"github.com/sparlab/spar/telephony"
)

// fakeLine is a Line whose far end plays audio the moment it arrives (as WebRTC does).
type fakeLine struct {
	mu       sync.Mutex
	l        telephony.Listener
	samples  int64 // persona audio received
	lastAt   time.Time
	firstAt  time.Time // first persona frame after an idle gap
	clears   int
	hungUp   error
	listenCh chan struct{}
	marks    []int16 // the first sample of each frame that starts a new value, in order
}

func newFakeLine() *fakeLine { return &fakeLine{listenCh: make(chan struct{})} }

func (f *fakeLine) Listen(l telephony.Listener) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.l == nil {
		close(f.listenCh)
	}
	f.l = l
}

func (f *fakeLine) WriteSample(p []int16) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	now := time.Now()
	if now.Sub(f.lastAt) > 100*time.Millisecond {
		f.firstAt = now
	}
	f.lastAt = now
	f.samples += int64(len(p))
	if n := len(f.marks); len(p) > 0 && (n == 0 || f.marks[n-1] != p[0]) {
		f.marks = append(f.marks, p[0])
	}
	return nil
}

func (f *fakeLine) Clear() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.clears++
	return nil
}

func (f *fakeLine) Played() time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	return media.Duration(rate, int(f.samples))
}

// Discarded stands for the transport's count of learner frames it could not use.
func (f *fakeLine) Discarded() int64 { return 7 }

func (f *fakeLine) Hangup(err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.hungUp = err
}

// state returns when persona audio last arrived, when its current run started, and how
// many clears the engine sent.
func (f *fakeLine) state() (last, first time.Time, clears int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.lastAt, f.firstAt, f.clears
}

// step is one thing the simulated learner does.
type step struct {
	speak time.Duration // how long to talk
	// bargeAfter, when set, starts talking this long after the persona's next reply starts
	// instead of waiting for it to finish.
	bargeAfter time.Duration
	silence    time.Duration // stay quiet this long after the persona finished, then go on
	// pause, when set, starts talking this long after the learner's own previous talk ended,
	// whatever the persona does.
	pause time.Duration
}

// learner plays steps into the line's listener every 20 ms, like a transport reader.
func learner(ctx context.Context, line *fakeLine, steps []step) {
	<-line.listenCh
	frame := make([]int16, 320)
	tick := time.NewTicker(media.FrameDuration)
	defer tick.Stop()
	var (
		i         int
		talkUntil time.Time
		phase     int // 0 waiting, 1 talking
		seenReply time.Time
		talkEnded time.Time
		n         int
	)
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		now := time.Now()
		last, first, _ := line.state()
		quiet := now.Sub(last) > 400*time.Millisecond
		if phase == 0 && i < len(steps) {
			s := steps[i]
			switch {
			case s.pause > 0:
				if now.Sub(talkEnded) >= s.pause {
					phase, talkUntil = 1, now.Add(s.speak)
				}
			case s.bargeAfter > 0:
				if first.After(seenReply) && !quiet && now.Sub(first) >= s.bargeAfter {
					phase, talkUntil = 1, now.Add(s.speak)
				}
			case !last.After(seenReply):
				// wait for the persona to answer the previous line
			case s.silence > 0:
				if quiet && now.Sub(last) > s.silence {
					i++
				}
			case quiet && now.Sub(last) > 600*time.Millisecond:
				phase, talkUntil = 1, now.Add(s.speak)
			}
		}
		if phase == 1 {
			for k := range frame {
				v := math.Sin(2*math.Pi*220*float64(n+k)/rate) * (0.6 + 0.4*math.Sin(2*math.Pi*3*float64(n+k)/rate))
				frame[k] = int16(9000 * v)
			}
			if !now.Before(talkUntil) {
				phase = 0
				seenReply, talkEnded = last, now
				i++
			}
		} else {
			clear(frame)
		}
		n += len(frame)
		line.l.Audio(frame)
	}
}

// fakeSTT returns scripted transcripts, one per utterance, with an interim of the first
// word after 200 ms of audio. confs, when set, are the finals' confidences. With lag set, the
// interim comes after 600 ms plus lag and says it covers the audio written but the last lag of it
// (Transcript.Heard), as a recognizer running behind does.
type fakeSTT struct {
	texts []string
	confs []float64
	lag   time.Duration
	// doubtLast flags every final's last word as doubtful (Transcript.DoubtfulLast).
	doubtLast bool
}

func (f *fakeSTT) Stream(ctx context.Context, _ STTOptions) (RecognizeStream, error) {
	return &fakeStream{texts: f.texts, confs: f.confs, lag: media.Samples(rate, f.lag), doubtLast: f.doubtLast,
		out: make(chan Transcript, 64)}, nil
}

type fakeStream struct {
	mu      sync.Mutex
	texts   []string
	confs   []float64
	next    int
	written int
	lag     int // samples
	interim bool
	closed  bool
	out     chan Transcript

	doubtLast bool
}

func (s *fakeStream) text() string {
	if s.next < len(s.texts) {
		return s.texts[s.next]
	}
	return ""
}

func (s *fakeStream) Write(p []int16) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.written += len(p)
	at := rate / 5
	if s.lag > 0 {
		at = rate*3/5 + s.lag // well past the 300 ms pre-roll written at the speech onset
	}
	if !s.interim && s.written >= at && !s.closed {
		s.interim = true
		if w := strings.Fields(s.text()); len(w) > 0 {
			tr := Transcript{Text: w[0]}
			if s.lag > 0 {
				tr.Heard = media.Duration(rate, s.written-s.lag)
			}
			s.out <- tr
		}
	}
	return nil
}

func (s *fakeStream) Flush() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	tr := Transcript{Text: s.text(), Final: true, DoubtfulLast: s.doubtLast}
	if s.next < len(s.confs) {
		tr.Confidence = s.confs[s.next]
	}
	s.out <- tr
	s.next++
	s.written, s.interim = 0, false
	return nil
}

func (s *fakeStream) Results() <-chan Transcript { return s.out }

func (s *fakeStream) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.closed {
		s.closed = true
		close(s.out)
	}
	return nil
}

// fakeTTS speaks 60 ms of tone per word, in 20 ms chunks.
type fakeTTS struct{}

func (fakeTTS) Synthesize(ctx context.Context, text, voice string, w media.Writer) error {
	chunk := make([]int16, 320)
	for i := range chunk {
		chunk[i] = int16(4000 * math.Sin(2*math.Pi*300*float64(i)/rate))
	}
	for range 3 * len(strings.Fields(text)) {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := w.WriteSample(chunk); err != nil {
			return err
		}
	}
	return nil
}

// fakePersona answers with scripted replies and records what it was given.
type fakePersona struct {
	mu      sync.Mutex
	replies []string // one per learner turn; "|" splits sentences
	think   time.Duration
	inputs  []Input
	endAt   int // hang up after this many learner turns (0: never)
}

func (p *fakePersona) Respond(ctx context.Context, in Input, say func(string) error) (State, error) {
	p.mu.Lock()
	p.inputs = append(p.inputs, in)
	turns := 0
	for _, i := range p.inputs {
		if i.Kind == InputSpeech {
			turns++
		}
	}
	p.mu.Unlock()
	if p.think > 0 && in.Kind == InputSpeech {
		t := time.NewTimer(p.think)
		select {
		case <-ctx.Done():
			t.Stop()
			return State{}, context.Cause(ctx)
		case <-t.C:
		}
	}
	st := State{Stage: "complaint", Mood: 5}
	var text string
	switch in.Kind {
	case InputAnswer:
		text = "Hi. I was charged twice for my subscription."
		st.Stage = "opening"
	case InputSilence:
		text = "Hello? Are you still there?"
		if in.Silences >= 2 {
			st.Hangup, st.EndReason = true, "silence"
		}
	case InputFault:
		text = "Sorry, you broke up. Say that again?"
	default:
		text = "Okay."
		if turns-1 < len(p.replies) {
			text = p.replies[turns-1]
		}
		st.Mood = 5 - turns
		if p.endAt > 0 && turns >= p.endAt {
			st.Hangup, st.EndReason, st.Goal, st.Stage = true, "resolved", true, "close"
		}
	}
	for _, s := range strings.Split(text, "|") {
		if err := say(strings.TrimSpace(s)); err != nil {
			return st, err
		}
	}
	return st, nil
}

func (p *fakePersona) got() []Input {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]Input(nil), p.inputs...)
}

// events collects the timeline.
type events struct {
	mu sync.Mutex
	ev []Event
}

func (e *events) Append(ev Event) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.ev = append(e.ev, ev)
}

func (e *events) kinds(k EventKind) []Event {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []Event
	for _, ev := range e.ev {
		if ev.Kind == k {
			out = append(out, ev)
		}
	}
	return out
}
