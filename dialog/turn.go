package dialog

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sparlab/spar/media"
)

// turn is one persona reply, running in its own goroutine under a child of the call context.
// Barge-in cancels it.
type turn struct {
	id        int
	ctx       context.Context
	cancel    context.CancelCauseFunc
	in        Input
	noBargeIn bool // a persona barge-in: the persona talks over the learner on purpose
	started   time.Duration
	answers   *utterance // loop: the learner line it replies to (respond)
	// after is a reply withdrawn before this one (conv.withdraw): its Respond comes first, so
	// the persona takes back the input this one repeats (Input.Resumed). responded is closed
	// once this turn's own Respond has returned.
	after     *turn
	responded chan struct{}

	enqStart  int64 // playout position where the turn's audio begins
	sinkStart int64 // samples sent to the line before the turn's audio

	mu        sync.Mutex
	sentences []spoken

	// latency marks, unix nanoseconds
	endpoint      time.Time // when the learner's endpoint was detected
	final         time.Time // when the final transcript arrived
	firstSentence atomic.Int64
	firstAudio    atomic.Int64
	firstFrame    atomic.Int64
	firstAt       atomic.Int64 // media position of the first frame sent
	hangover      time.Duration
	holdUntil     time.Time    // no audio before then (startTurn)
	held          atomic.Int64 // how long the first audio waited for holdUntil, ns

	// results, written by the turn goroutine before it signals done
	state State
	err   error
	over  bool // loop: the turn was cut by barge-in and its transcript line is written
}

// audible reports whether any of the turn's audio has been sent to the line.
func (t *turn) audible(c *conv) bool { return c.sinkCount.Load() > t.sinkStart }

// startTurn starts the persona's reply to in. The playout must be idle. A reply to a line
// whose final transcript trails off holds its audio until hold after the endpoint: the
// persona and the synthesizer get on with it meanwhile, and a learner who goes on with the
// line withdraws it unheard.
func (c *conv) startTurn(in Input, noBargeIn bool, endpoint, final time.Time, hold time.Duration) {
	c.turnSeq++
	ctx, cancel := context.WithCancelCause(c.ctx)
	if in.Kind == InputSpeech && c.withdrawn != nil {
		in.Resumed = true // carry holds the withdrawn reply's input: the persona takes it back
	}
	t := &turn{
		id: c.turnSeq, ctx: ctx, cancel: cancel, in: in, noBargeIn: noBargeIn,
		started: c.now(), enqStart: c.play.Enqueued(), sinkStart: c.sinkCount.Load(),
		endpoint: endpoint, final: final, after: c.withdrawn, responded: make(chan struct{}),
	}
	if hold > 0 {
		t.holdUntil = endpoint.Add(hold)
	}
	if in.Kind == InputSpeech {
		c.withdrawn = nil
	}
	c.turn = t
	c.curTurn.Store(t)
	c.playMu.Lock()
	c.playGen = t.id
	c.playMu.Unlock()
	c.running++
	go c.runTurn(t)
}

// runTurn asks the persona for its reply and speaks it sentence by sentence. Each sentence's
// synthesis starts as soon as the persona hands it over, while the sentence before it still
// plays (at most one sentence ahead), and its audio goes into the playout ring the moment
// the previous sentence's is all queued: a synthesizer's first-byte wait is hidden behind the
// sentence playing instead of heard as a gap between sentences.
func (c *conv) runTurn(t *turn) {
	defer func() { c.turnDone <- t }()
	// The playout's ring holds a few hundred ms: wait for room outside playMu, so a barge-in's
	// flush never waits behind a writer, then queue what fits unless a flush came between.
	// One sentence writes at a time: the next begins once this one's audio is all queued.
	w := media.WriterFunc(func(p []int16) error {
		if t.firstAudio.CompareAndSwap(0, time.Now().UnixNano()) {
			if err := t.waitHold(); err != nil {
				return err
			}
		}
		for len(p) > 0 {
			free, err := c.play.Room(t.ctx)
			if err != nil {
				return err
			}
			c.playMu.Lock()
			if c.playGen != t.id {
				c.playMu.Unlock()
				return context.Cause(t.ctx)
			}
			k := min(free, len(p))
			err = c.play.WriteSample(p[:k])
			c.playMu.Unlock()
			if err != nil {
				return err
			}
			p = p[k:]
		}
		return nil
	})
	// finish runs once a sentence's audio is all queued: its end is known, and a synthesis
	// error is a fault (the turn goes on with the next sentence).
	finish := func(r *render, err error) {
		if t.ctx.Err() != nil {
			return
		}
		t.mu.Lock()
		t.sentences[r.idx].end, t.sentences[r.idx].open = c.play.Enqueued()-t.enqStart, false
		t.mu.Unlock()
		if err != nil {
			c.log(Event{Kind: EventFault, Detail: "tts: " + err.Error(), Text: r.text})
		}
	}
	var renders sync.WaitGroup
	var prev *render // the sentence said last
	// settle waits until the previous sentence's audio is all in the ring (or the turn is over).
	settle := func() {
		if prev != nil {
			select {
			case <-prev.queued:
			case <-t.ctx.Done():
			}
		}
	}
	say := func(sentence string) error {
		if err := t.ctx.Err(); err != nil {
			return context.Cause(t.ctx)
		}
		t.firstSentence.CompareAndSwap(0, time.Now().UnixNano())
		r := startRender(t.ctx, &renders, c.e.tts, sentence, c.s.Voice, w, finish)
		settle()
		if t.ctx.Err() != nil {
			return context.Cause(t.ctx)
		}
		// The sentence begins where the previous one's audio ends in the ring: logged and
		// placed now, before its own audio is queued. A barge-in usually comes while it is
		// still being synthesized; until then its end is an estimate (see soundsFor), or
		// what is synthesized of it if that is longer, or exact if its synthesis is done.
		c.log(Event{Kind: EventPersonaSays, Speaker: SpeakerPersona, Text: sentence, Data: t.data()})
		start := c.play.Enqueued() - t.enqStart
		sp := spoken{text: sentence, start: start, end: start + c.e.soundsFor(sentence), open: true}
		if n, done := r.rendered(); done {
			sp.end, sp.open = start+n, false
		} else {
			sp.end = max(sp.end, start+n)
		}
		t.mu.Lock()
		t.sentences = append(t.sentences, sp)
		r.idx = len(t.sentences) - 1
		t.mu.Unlock()
		r.begin()
		prev = r
		return nil
	}
	if t.after != nil {
		<-t.after.responded // a cancelled turn's Respond returns at once
	}
	t.state, t.err = c.s.Persona.Respond(t.ctx, t.in, say)
	if t.err != nil && t.ctx.Err() == nil {
		settle() // what was said before the fault is queued first, with its own faults
		c.log(Event{Kind: EventFault, Detail: "persona: " + t.err.Error()})
		// In character: a repair line, so the learner is never left in dead air.
		t.state, _ = c.s.Persona.Respond(t.ctx, Input{Kind: InputFault, Elapsed: c.now()}, say)
	}
	close(t.responded)
	renders.Wait()
	if t.ctx.Err() != nil {
		return
	}
	if err := c.play.WaitSent(t.ctx, c.play.Enqueued()); err != nil && !errors.Is(err, media.ErrFlushed) {
		return
	}
	// The far end holds the lead; wait for it to play before the turn ends.
	lead := time.NewTimer(time.Duration(c.lead+1) * media.FrameDuration)
	defer lead.Stop()
	select {
	case <-lead.C:
	case <-t.ctx.Done():
	}
}

// waitHold keeps the turn's first audio back until holdUntil, unless the turn ends first.
func (t *turn) waitHold() error {
	d := time.Until(t.holdUntil)
	if d <= 0 {
		return nil
	}
	start := time.Now()
	tm := time.NewTimer(d)
	defer tm.Stop()
	select {
	case <-tm.C:
		t.held.Store(int64(time.Since(start)))
		return nil
	case <-t.ctx.Done():
		return context.Cause(t.ctx)
	}
}

// heardOf returns what the learner heard of the turn (from the far end's Played), and
// whether that cut it short.
func (c *conv) heardOf(t *turn) (string, bool) {
	played := c.played(t)
	queued := c.play.Enqueued() - t.enqStart
	t.mu.Lock()
	defer t.mu.Unlock()
	for i := range t.sentences {
		if s := &t.sentences[i]; s.open {
			s.end = max(s.end, queued)
		}
	}
	return heardText(t.sentences, played)
}

// asks reports whether a sentence of the turn that has begun to play at the far end is a
// question (it ends in "?"): the persona asked the learner something.
func (c *conv) asks(t *turn) bool {
	played := c.played(t)
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, s := range t.sentences {
		if s.start < played && strings.HasSuffix(strings.TrimRight(s.text, ` "')`), "?") {
			return true
		}
	}
	return false
}

// played is how many samples of the turn's audio the far end has played: what it confirmed
// (Line.Played), at most what was sent.
func (c *conv) played(t *turn) int64 {
	played := int64(c.line.Played()*rate/time.Second) - t.sinkStart
	sent := c.sinkCount.Load() - t.sinkStart
	return max(0, min(played, sent))
}

// soundsFor estimates how many samples text sounds for, before it is synthesized: the
// synthesizer's own Duration when it has one (the instant one, under a cache), else
// wordTime a word.
func (e *Engine) soundsFor(text string) int64 {
	s := e.tts
	for {
		if d, ok := s.(interface{ Duration(string) time.Duration }); ok {
			return int64(media.Samples(rate, d.Duration(text)))
		}
		u, ok := s.(interface{ Unwrap() Synthesizer })
		if !ok {
			break
		}
		s = u.Unwrap()
	}
	return int64(len(strings.Fields(text))) * int64(media.Samples(rate, wordTime))
}

// wordTime is a typical synthesized word with its pause: about 150 words a minute.
const wordTime = 400 * time.Millisecond

// startedAt is the media time the turn's first audio went out, or when it began.
func (t *turn) startedAt() time.Duration {
	if p := t.firstAt.Load(); p > 0 {
		return media.Duration(rate, int(p))
	}
	return t.started
}

// data is the Event.Data naming the turn, with extra key/value pairs.
func (t *turn) data(kv ...string) map[string]string {
	d := map[string]string{DataTurn: strconv.Itoa(t.id)}
	for i := 0; i+1 < len(kv); i += 2 {
		d[kv[i]] = kv[i+1]
	}
	return d
}

func (t *turn) fullText() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	text, _ := heardText(t.sentences, 1<<62)
	return text
}
