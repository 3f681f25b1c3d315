package media

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"time"
)

// Playout paces persona audio to the transport: audio goes in with WriteSample as TTS makes
// it, and Run writes it out one frame per tick. The queue is a fixed ring of the lead plus
// 2 x roomFrames frames (a few hundred ms): a writer ahead of it waits until Run has sent
// roomFrames of it, so a reply never sits in memory whole. Flush drops what is queued
// (barge-in) and makes room at once. Positions count samples since creation: Enqueued, Sent
// and Dropped tell what became of each, and WaitSent blocks until a position has been played
// or flushed.
//
// One writer goroutine, the Run goroutine and a flusher may use a Playout concurrently. Run
// runs once: after it returns, a write that has to wait fails with ErrClosed.
type Playout struct {
	rate  int
	frame time.Duration
	n     int // samples per frame

	mu       sync.Mutex
	ring     []int16 // queued audio from head, size samples long, wrapping
	head     int
	size     int
	lead     int
	closed   bool // Run has returned
	enqueued int64
	sent     int64
	dropped  int64
	late     int64  // frame ticks missed while audio was queued
	flushes  []span // dropped position ranges, in order
	waiters  []*waiter
	wake     chan struct{} // Run sleeps on it while idle
	room     chan struct{} // a waiting writer sleeps on it until roomFrames are free
}

// roomFrames is how much room a full ring waits for before its writer goes on: the writer
// wakes once per roomFrames frames sent, not once per frame, and the ring keeps at least the
// lead plus roomFrames queued while a reply lasts.
const roomFrames = 5

type span struct{ from, to int64 }

type waiter struct {
	pos  int64
	done chan struct{}
}

var _ Writer = (*Playout)(nil)

// NewPlayout returns a Playout for audio at rate, sent in frames of the given duration.
func NewPlayout(rate int, frame time.Duration) *Playout {
	n := max(1, Samples(rate, frame))
	return &Playout{
		rate:  rate,
		frame: frame,
		n:     n,
		ring:  make([]int16, (1+2*roomFrames)*n),
		lead:  1,
		wake:  make(chan struct{}, 1),
		room:  make(chan struct{}, 1),
	}
}

// SetLead makes playout send the first n frames at once when it starts from idle, for
// transports whose far end has a jitter buffer to fill. n <= 1 means no lead: the first frame
// goes as soon as it is queued, then one per tick. The ring is sized for the lead: call
// SetLead before queuing audio.
func (p *Playout) SetLead(n int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.lead = max(1, n)
	r := make([]int16, max(p.size, (p.lead+2*roomFrames)*p.n))
	k := copy(r, p.ring[p.head:min(p.head+p.size, len(p.ring))])
	copy(r[k:p.size], p.ring)
	p.ring, p.head = r, 0
}

// Room waits until the ring has roomFrames frames free and returns how many samples fit
// now: a write of that many does not wait. It returns ctx's cause if ctx ends first, and
// ErrClosed once Run has returned. A Flush makes room at once.
func (p *Playout) Room(ctx context.Context) (int, error) {
	for {
		p.mu.Lock()
		free, closed := len(p.ring)-p.size, p.closed
		p.mu.Unlock()
		if free >= roomFrames*p.n {
			return free, nil
		}
		if closed {
			return 0, ErrClosed
		}
		select {
		case <-p.room:
		case <-ctx.Done():
			return 0, fmt.Errorf("media: wait for playout room: %w", context.Cause(ctx))
		}
	}
}

// WriteSample queues a copy of s, waiting for room (see Room) while the ring is full.
func (p *Playout) WriteSample(s []int16) error {
	for len(s) > 0 {
		free, err := p.Room(context.Background())
		if err != nil {
			return err
		}
		k := min(free, len(s))
		p.put(s[:k])
		s = s[k:]
	}
	return nil
}

// put queues s, which fits, and wakes Run.
func (p *Playout) put(s []int16) {
	p.mu.Lock()
	tail := (p.head + p.size) % len(p.ring)
	k := copy(p.ring[tail:], s)
	copy(p.ring, s[k:])
	p.size += len(s)
	p.enqueued += int64(len(s))
	p.mu.Unlock()
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// roomLocked wakes a writer waiting in Room if the ring has room for it.
func (p *Playout) roomLocked() {
	if p.closed || len(p.ring)-p.size >= roomFrames*p.n {
		select {
		case p.room <- struct{}{}:
		default:
		}
	}
}

// Flush drops the queued audio and returns how many samples were dropped. A frame Run is
// already writing is not recalled.
func (p *Playout) Flush() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := p.size
	if n == 0 {
		return 0
	}
	p.flushes = append(p.flushes, span{p.enqueued - int64(n), p.enqueued})
	p.head, p.size = 0, 0
	p.dropped += int64(n)
	p.notifyLocked()
	p.roomLocked()
	return n
}

// Queued returns how many samples wait to be sent.
func (p *Playout) Queued() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.size
}

// Enqueued returns how many samples were ever queued: the position after the last one.
func (p *Playout) Enqueued() int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.enqueued
}

// Sent returns how many queued samples were written to the sink (padding not counted).
func (p *Playout) Sent() int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.sent
}

// Late returns how many frame ticks Run missed while audio was queued: each delayed the
// rest of the queued audio by one frame (the far end heard a gap).
func (p *Playout) Late() int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.late
}

// Dropped returns how many samples Flush dropped in total.
func (p *Playout) Dropped() int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.dropped
}

// WaitSent blocks until every sample before pos has been sent or dropped. It returns nil when
// the sample just before pos was sent, ErrFlushed when it was dropped, or ctx's error.
func (p *Playout) WaitSent(ctx context.Context, pos int64) error {
	p.mu.Lock()
	if p.sent+p.dropped >= pos {
		err := p.fateLocked(pos)
		p.mu.Unlock()
		return err
	}
	w := &waiter{pos: pos, done: make(chan struct{})}
	p.waiters = append(p.waiters, w)
	p.mu.Unlock()

	select {
	case <-w.done:
		p.mu.Lock()
		defer p.mu.Unlock()
		return p.fateLocked(pos)
	case <-ctx.Done():
		p.mu.Lock()
		for i, o := range p.waiters {
			if o == w {
				p.waiters = append(p.waiters[:i], p.waiters[i+1:]...)
				break
			}
		}
		p.mu.Unlock()
		return fmt.Errorf("media: wait for playout: %w", context.Cause(ctx))
	}
}

// fateLocked reports whether the sample at pos-1 was dropped by a flush.
func (p *Playout) fateLocked(pos int64) error {
	last := pos - 1
	i := sort.Search(len(p.flushes), func(i int) bool { return p.flushes[i].to > last })
	if i < len(p.flushes) && p.flushes[i].from <= last {
		return ErrFlushed
	}
	return nil
}

// notifyLocked releases the waiters whose position has been reached.
func (p *Playout) notifyLocked() {
	done := p.sent + p.dropped
	kept := p.waiters[:0]
	for _, w := range p.waiters {
		if w.pos <= done {
			close(w.done)
		} else {
			kept = append(kept, w)
		}
	}
	clear(p.waiters[len(kept):])
	p.waiters = kept
}

// maxPerTick bounds the frames one tick sends past the lead: a run that fell behind its
// schedule (a stalled goroutine on a loaded box, a slow socket write) regains it one extra
// frame per tick instead of in a burst the far end might not buffer.
const maxPerTick = 2

// Run sends queued audio to sink until ctx is done; then it returns ctx's cause. A final
// partial frame is padded with silence. While nothing is queued it sends nothing and its
// ticker is stopped; audio arriving then starts a new run at once. When Run returns, a writer
// waiting for room gets ErrClosed.
//
// A run keeps a monotonic schedule counted from its start: the lead goes at once, then one
// frame per frame duration, so by elapsed time e, lead + e/frame frames are due. Each tick
// sends what is due, at most maxPerTick frames beyond the lead; ticks a slow Run missed are
// caught up, not lost, so the far end's buffer refills after a hiccup.
func (p *Playout) Run(ctx context.Context, sink Writer) error {
	defer func() {
		p.mu.Lock()
		p.closed = true
		p.roomLocked()
		p.mu.Unlock()
	}()
	buf := make([]int16, p.n)
	ticker := time.NewTicker(p.frame)
	ticker.Stop()
	idle := true
	var lead, sent int  // the run's lead and frames sent so far in it
	var start time.Time // when the run began: its schedule counts from here
	var last time.Time  // the previous tick, or the start of the run
	for {
		select {
		case <-ctx.Done():
			ticker.Stop()
			return context.Cause(ctx)
		case <-p.wake:
			if !idle {
				continue
			}
			p.mu.Lock()
			lead = p.lead
			p.mu.Unlock()
			ticker.Reset(p.frame)
			start, idle, sent = time.Now(), false, 0
			last = start
			// Only whole frames now: the writer may be mid-way through producing the next.
			// What of the lead is not whole yet goes at the first tick.
			if err := p.send(sink, buf, lead, false, &sent); err != nil {
				return err
			}
		case t := <-ticker.C:
			missed := int64(t.Sub(last)/p.frame) - 1 // the ticker drops ticks a slow Run misses
			last = t
			if p.Queued() == 0 {
				ticker.Stop()
				idle = true
				continue
			}
			if missed > 0 {
				p.mu.Lock()
				p.late += missed
				p.mu.Unlock()
			}
			due := lead + int(time.Since(start)/p.frame)
			n := min(due-sent, max(maxPerTick, lead-sent))
			if err := p.send(sink, buf, n, true, &sent); err != nil {
				return err
			}
		}
	}
}

// send writes up to n frames while audio is queued, counting them in sent; partial frames
// go only when pad is set.
func (p *Playout) send(sink Writer, buf []int16, n int, pad bool, sent *int) error {
	for ; n > 0; n-- {
		p.mu.Lock()
		k := min(p.size, p.n)
		if k == 0 || (k < p.n && !pad) {
			p.mu.Unlock()
			return nil
		}
		c := copy(buf[:k], p.ring[p.head:min(p.head+k, len(p.ring))])
		copy(buf[c:k], p.ring[:k-c])
		clear(buf[k:])
		p.head = (p.head + k) % len(p.ring)
		p.size -= k
		p.roomLocked()
		p.mu.Unlock()

		err := sink.WriteSample(buf)
		p.mu.Lock()
		p.sent += int64(k)
		p.notifyLocked()
		p.mu.Unlock()
		if err != nil {
			return fmt.Errorf("media: playout write: %w", err)
		}
		*sent++
	}
	return nil
}
