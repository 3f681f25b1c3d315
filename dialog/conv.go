package dialog

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sparlab/spar/media"
	"github.com/sparlab/spar/telephony"
)

const rate = telephony.Rate

// inKind names what the reader goroutine tells the conversation loop.
type inKind int

const (
	inSpeechStart inKind = iota
	inSpeechStop
	inSpeechFor // the current utterance has lasted dur
	inTransport
)

// inEvent is a notice from the audio reader to the conversation loop.
type inEvent struct {
	kind inKind
	at   time.Duration // media time
	dur  time.Duration
	wall time.Time
	ev   telephony.Event
}

// utterance is a learner utterance between its endpoint and its final transcript.
type utterance struct {
	start, end  time.Duration // start: of the whole line once it is joined (record)
	endWall     time.Time
	hangover    time.Duration
	wanted      time.Duration // the end silence its last partial asked for (Turns.endSilenceAfter)
	hold        time.Duration // how much longer its reply waited for more, from its final (Turns.holdFor)
	bargedIn    bool          // it interrupted the persona
	answered    bool          // the persona already cut in on it
	overPersona bool          // it started while the persona was speaking
	// after is the line it may go on with (conv.resumes); joined, that it does: the reply
	// to after was dropped or never started, and the transcript shows the two as one line.
	after  *utterance
	joined bool
	// afterByWords: after the reply had played past resumeHeard, so it goes on with after
	// only if its first words continue after's sentence (conv.goesOn).
	afterByWords bool
	// text and confidence of the line, once recorded (joined with after's when joined)
	text       string
	confidence float64
}

// conv is the state of one conversation. Fields marked "loop" belong to the loop goroutine;
// "reader" to the transport's reader goroutine; the rest are safe to share.
type conv struct {
	ctx    context.Context
	e      *Engine
	line   Line
	s      Session
	stream RecognizeStream
	play   *media.Playout
	lead   int // frames sent ahead when the persona starts speaking (Engine.leadFor)

	inPos     atomic.Int64 // learner samples received: the call's clock
	sinkCount atomic.Int64 // persona samples sent to the line
	rightPos  int64        // playout goroutine: where the next persona frame lands in the recording
	curTurn   atomic.Pointer[turn]

	inMu       sync.Mutex // held by the reader for each frame; the loop takes it to close or flush the stream
	closed     bool       // guarded by inMu: the call is over, drop learner audio
	ep         *media.Endpointer
	pre        preroll         // reader
	streaming  bool            // reader
	uttWritten atomic.Int64    // samples written to the recognizer for the current utterance (reader writes, loop reads)
	faulted    map[string]bool // reader: frame-path fault kinds already logged (frameFault)
	recFaulted bool            // loop: a recording flush error was logged
	notified   []bool          // reader: which speech-length thresholds were announced
	thresholds []time.Duration
	events     chan inEvent
	dropped    atomic.Int64

	// loop
	turn        *turn
	turnSeq     int
	turnDone    chan *turn
	utts        []*utterance
	interim     string
	carry       string // learner text held over when the learner went on talking
	withdrawn   *turn  // the reply last dropped because the learner went on (withdraw): its input comes back in carry
	interrupted bool
	heard       string
	silences    int
	state       State
	turns       int
	endReason   string
	goal        bool
	hangover    time.Duration
	wanted      time.Duration // the end silence the latest partial asks for; hangover may be shorter
	speechFor   time.Duration
	finalT      *time.Timer
	finals      []Transcript // final transcripts waiting for their utterance's end
	running     int          // turn goroutines not yet reported done
	latency     []TurnLatency

	playMu  sync.Mutex // orders turn audio against flushes
	playGen int        // the turn allowed to enqueue audio; -1 after a flush

	logMu      sync.Mutex        // the timeline and the transcript see events in one order
	transcript TranscriptBuilder // built from the events logged, as Recover rebuilds it
}

func newConv(ctx context.Context, e *Engine, line Line, s Session, stream RecognizeStream) *conv {
	c := &conv{
		ctx:      ctx,
		e:        e,
		line:     line,
		s:        s,
		stream:   stream,
		play:     media.NewPlayout(rate, media.FrameDuration),
		events:   make(chan inEvent, 256),
		turnDone: make(chan *turn, 1),
		pre:      newPreroll(media.Samples(rate, e.cfg.PreRoll)),
	}
	c.lead = e.leadFor(line)
	c.play.SetLead(c.lead)
	vc := e.cfg.VAD
	vc.Hangover = s.Turns.EndSilence
	c.ep = media.NewEndpointer(vc, rate, c.onVAD)
	c.thresholds = []time.Duration{s.Turns.MinBargeIn, bargeForce(s.Turns.MinBargeIn)}
	if s.Turns.PersonaBargeIn && s.Turns.AfterTalk > 0 {
		c.thresholds = append(c.thresholds, s.Turns.AfterTalk)
	}
	c.notified = make([]bool, len(c.thresholds))
	return c
}

// bargeForce is how long learner speech over the persona interrupts it even before any
// words are recognised.
func bargeForce(min time.Duration) time.Duration {
	return max(min, 900*time.Millisecond)
}

// now is the call's media time.
func (c *conv) now() time.Duration { return media.Duration(rate, int(c.inPos.Load())) }

// log stamps e with the current media time unless it carries one, and logs it.
func (c *conv) log(e Event) {
	if e.At == 0 {
		e.At = c.now()
	}
	c.logAt(e)
}

// logAt logs e as it is (At 0 is the answer), to the timeline and the transcript.
func (c *conv) logAt(e Event) {
	c.logMu.Lock()
	defer c.logMu.Unlock()
	c.s.Timeline.Append(e)
	c.transcript.Add(e)
}

// Audio is the reader goroutine's entry: one frame of learner audio.
func (c *conv) Audio(p []int16) {
	c.inMu.Lock()
	defer c.inMu.Unlock()
	if c.closed {
		return
	}
	pos := c.inPos.Load()
	if c.s.Recording != nil {
		c.s.Recording.WriteLeft(pos, p)
	}
	wasStreaming := c.streaming
	if !wasStreaming {
		c.pre.push(p) // onVAD hands the pre-roll, this frame included, to recognition
	}
	c.ep.WriteSample(p) // may call onVAD
	if wasStreaming && c.streaming {
		c.frameFault("stt: write", c.stream.Write(p))
		c.uttWritten.Add(int64(len(p)))
	}
	speechFor := c.ep.SpeechFor()
	if speechFor > 0 {
		for i, th := range c.thresholds {
			if !c.notified[i] && speechFor >= th {
				c.notified[i] = true
				c.send(inEvent{kind: inSpeechFor, dur: th, at: c.now()})
			}
		}
	}
	c.inPos.Add(int64(len(p)))
}

// frameFault logs the first error of each kind on the frame path as a fault event: the
// frame path cannot stop for it, but the timeline says why the call degraded. Reader
// goroutine only (under inMu).
func (c *conv) frameFault(kind string, err error) {
	if err == nil || c.faulted[kind] {
		return
	}
	if c.faulted == nil {
		c.faulted = map[string]bool{}
	}
	c.faulted[kind] = true
	c.log(Event{Kind: EventFault, Detail: kind + ": " + err.Error()})
}

// Event is the reader goroutine's entry for transport events.
func (c *conv) Event(e telephony.Event) {
	c.send(inEvent{kind: inTransport, ev: e, at: e.At})
}

// onVAD runs on the reader goroutine, inside Endpointer.WriteSample.
func (c *conv) onVAD(ev media.VADEvent) {
	switch ev.Kind {
	case media.SpeechStart:
		pre := c.pre.contents()
		c.frameFault("stt: write", c.stream.Write(pre))
		c.uttWritten.Store(int64(len(pre)))
		c.pre.reset()
		c.streaming = true
		clear(c.notified)
		c.send(inEvent{kind: inSpeechStart, at: ev.At, wall: time.Now()})
	case media.SpeechStop:
		c.streaming = false
		c.frameFault("stt: flush", c.stream.Flush())
		c.send(inEvent{kind: inSpeechStop, at: ev.At, dur: ev.Dur, wall: time.Now()})
	}
}

func (c *conv) send(ev inEvent) {
	select {
	case c.events <- ev:
	default:
		c.dropped.Add(1)
	}
}

// sendFrame runs on the playout goroutine for each paced persona frame.
func (c *conv) sendFrame(p []int16) error {
	if t := c.curTurn.Load(); t != nil && t.firstFrame.CompareAndSwap(0, time.Now().UnixNano()) {
		t.firstAt.Store(c.inPos.Load())
	}
	if c.s.Recording != nil {
		in := c.inPos.Load()
		if c.rightPos < in-int64(rate/10) || c.rightPos > in+int64(rate) {
			c.rightPos = in
		}
		c.s.Recording.WriteRight(c.rightPos, p)
		c.rightPos += int64(len(p))
	}
	c.sinkCount.Add(int64(len(p)))
	return c.line.WriteSample(p)
}

// preroll keeps the last few hundred milliseconds of audio before speech is detected.
type preroll struct {
	buf  []int16
	n    int // valid samples
	head int // next write index
}

func newPreroll(n int) preroll { return preroll{buf: make([]int16, max(n, 1))} }

func (r *preroll) push(p []int16) {
	for len(p) > 0 {
		k := copy(r.buf[r.head:], p)
		p = p[k:]
		r.head = (r.head + k) % len(r.buf)
		r.n = min(r.n+k, len(r.buf))
	}
}

// contents returns the kept audio, oldest first, in place: it rotates the ring, so call
// reset before the next push.
func (r *preroll) contents() []int16 {
	if r.n < len(r.buf) { // not wrapped yet: it starts at 0
		return r.buf[r.head-r.n : r.head]
	}
	slices.Reverse(r.buf[:r.head])
	slices.Reverse(r.buf[r.head:])
	slices.Reverse(r.buf)
	r.head = 0
	return r.buf
}

func (r *preroll) reset() { r.n, r.head = 0, 0 }

func ms(d time.Duration) string { return strconv.FormatInt(d.Milliseconds(), 10) }

func causeText(err error) string {
	if err == nil {
		return ""
	}
	if errors.Is(err, telephony.ErrFarEndHangup) {
		return telephony.ErrFarEndHangup.Error()
	}
	if errors.Is(err, context.Canceled) {
		return "ended"
	}
	return err.Error()
}
