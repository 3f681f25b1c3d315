package dialog

import (
	"context"
	"sync"

	"github.com/sparlab/spar/media"
)

// renderSamples is how much audio a sentence rendering ahead may hold before it is its turn to
// play: 200 ms, about what the playout ring queues past its lead. It covers the synthesizer's
// first-byte wait; once it is full the synthesizer waits, so a reply never sits in memory whole.
const renderSamples = rate / 5

// renderBufs pools the render buffers across calls: a turn holds one while a sentence renders
// ahead of the one playing, and gives it back when that sentence's turn to play comes.
var renderBufs = sync.Pool{New: func() any {
	b := make([]int16, renderSamples)
	return &b
}}

// render is one sentence's synthesis, on a goroutine of its own. Until the sentence has begun
// (its place in the turn's audio is set: the sentence before it is all queued), its audio
// waits in a pooled buffer; then the buffer goes into the playout ring, and the rest of the
// sentence goes straight there as it is synthesized, as a sentence that was never ahead does.
type render struct {
	text   string
	ctx    context.Context // the turn's: barge-in cancels the synthesis
	ring   media.Writer    // the turn's writer into the playout ring
	begun  chan struct{}   // closed by the turn once the sentence has its place
	queued chan struct{}   // closed once its audio is all in the ring, or it never will be
	idx    int             // its place in turn.sentences, set before begun is closed

	mu    sync.Mutex
	total int64 // samples synthesized before the sentence began
	done  bool  // Synthesize returned

	// the render goroutine's own
	buf  *[]int16 // audio synthesized before the sentence began; from the pool when there is some
	n    int
	live bool // begun and buf emptied into the ring: write straight there
}

var _ media.Writer = (*render)(nil)

// startRender starts synthesizing text with s in voice, under ctx, on a goroutine that wg
// tracks; its audio goes to ring once begin has been called. finish runs on that goroutine
// after the synthesis, with its error (or the ring's), once the sentence has begun; it is
// not called when ctx ends first. Then queued is closed.
func startRender(ctx context.Context, wg *sync.WaitGroup, s Synthesizer, text, voice string, ring media.Writer,
	finish func(r *render, err error)) *render {
	r := &render{
		text: text, ctx: ctx, ring: ring, begun: make(chan struct{}), queued: make(chan struct{}),
	}
	wg.Go(func() {
		defer close(r.queued)
		defer r.release()
		err := s.Synthesize(ctx, text, voice, r)
		r.mu.Lock()
		r.done = true
		r.mu.Unlock()
		if !r.live {
			select {
			case <-r.begun:
			case <-ctx.Done():
				return
			}
			if ferr := r.flush(); err == nil {
				err = ferr
			}
		}
		finish(r, err)
	})
	return r
}

// begin lets the sentence's audio go into the ring.
func (r *render) begin() { close(r.begun) }

// rendered returns how many samples have been synthesized so far, and whether the synthesis
// is done. Call it before begin.
func (r *render) rendered() (int64, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.total, r.done
}

// WriteSample takes the synthesizer's audio: into the ring once the sentence has begun, else
// into the buffer, waiting for the sentence's turn once the buffer is full.
func (r *render) WriteSample(p []int16) error {
	if !r.live { // rendered is asked before the sentence begins, never after
		r.mu.Lock()
		r.total += int64(len(p))
		r.mu.Unlock()
	}
	for !r.live {
		select {
		case <-r.begun:
			if err := r.flush(); err != nil {
				return err
			}
			continue
		default:
		}
		if r.buf == nil {
			r.buf = renderBufs.Get().(*[]int16)
		}
		k := copy((*r.buf)[r.n:], p)
		r.n += k
		if p = p[k:]; len(p) == 0 {
			return nil
		}
		select {
		case <-r.begun:
		case <-r.ctx.Done():
			return context.Cause(r.ctx)
		}
	}
	return r.ring.WriteSample(p)
}

// flush moves the buffered audio, if any, into the ring, gives the buffer back, and goes live.
func (r *render) flush() error {
	r.live = true
	if r.buf == nil {
		return nil
	}
	err := r.ring.WriteSample((*r.buf)[:r.n])
	r.release()
	return err
}

// release gives the buffer back to the pool.
func (r *render) release() {
	if r.buf != nil {
		renderBufs.Put(r.buf)
		r.buf, r.n = nil, 0
	}
}
