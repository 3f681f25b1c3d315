package sphinx

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sparlab/spar/dialog"
	"github.com/sparlab/spar/media"
)

const (
	// queueFrames bounds the audio waiting for the decoder: 10 s of 20 ms frames. The decoder
	// runs ~6-10x faster than real time, so a full queue means it is stuck; frames are dropped.
	queueFrames = 500
	// interimEvery is how much audio passes between interim hypotheses: 300 ms at 16 kHz.
	interimEvery = 4800
)

// item is one queued write, or the end of an utterance.
type item struct {
	p     []int16
	flush bool
}

// stream is a RecognizeStream: Write and Flush queue, one goroutine decodes.
type stream struct {
	ctx  context.Context
	log  *slog.Logger
	pool *pool
	band band
	g    *grammar

	queue     chan item
	free      chan []int16 // recycled sample buffers
	allocated atomic.Int32
	dropped   atomic.Int64
	results   chan dialog.Transcript
	done      chan struct{}
	exited    chan struct{}
	closeOnce sync.Once
}

var _ dialog.RecognizeStream = (*stream)(nil)

func newStream(ctx context.Context, log *slog.Logger, p *pool, b band, g *grammar) *stream {
	return &stream{
		ctx: ctx, log: log, pool: p, band: b, g: g,
		queue:   make(chan item, queueFrames),
		free:    make(chan []int16, queueFrames),
		results: make(chan dialog.Transcript, 32),
		done:    make(chan struct{}),
		exited:  make(chan struct{}),
	}
}

// Write queues a copy of p (16 kHz PCM). It never blocks: when the queue is full the audio is
// dropped and counted.
func (s *stream) Write(p []int16) error {
	select {
	case <-s.done:
		return ErrClosed
	default:
	}
	if err := s.ctx.Err(); err != nil {
		return err
	}
	if len(p) == 0 {
		return nil
	}
	var b []int16
	select {
	case b = <-s.free:
	default:
		if s.allocated.Add(1) > queueFrames {
			s.allocated.Add(-1)
			s.dropped.Add(1)
			return nil
		}
		b = make([]int16, 0, max(len(p), 320))
	}
	b = append(b[:0], p...)
	select {
	case s.queue <- item{p: b}:
	default:
		s.dropped.Add(1)
		s.recycle(b)
	}
	return nil
}

// Flush ends the utterance; its final Transcript follows on Results, even when empty.
func (s *stream) Flush() error {
	select {
	case <-s.done:
		return ErrClosed
	default:
	}
	select {
	case s.queue <- item{flush: true}:
		return nil
	case <-s.done:
		return ErrClosed
	case <-s.ctx.Done():
		return s.ctx.Err()
	}
}

// Results delivers interim and final transcripts; it is closed when the stream stops.
func (s *stream) Results() <-chan dialog.Transcript { return s.results }

// Close stops the goroutine and waits for it; the decoder in use goes back to the pool.
func (s *stream) Close() error {
	s.closeOnce.Do(func() { close(s.done) })
	<-s.exited
	if n := s.dropped.Load(); n > 0 {
		s.log.Warn("sphinx: audio dropped: decoder fell behind", "writes", n)
	}
	return nil
}

func (s *stream) recycle(b []int16) {
	select {
	case s.free <- b:
	default:
	}
}

// run decodes queued audio until Close or the end of the context.
func (s *stream) run() {
	defer close(s.exited)
	defer close(s.results)
	var (
		dec   decoder
		since int    // samples since the last interim check
		heard int    // samples of the utterance decoded
		last  string // last interim sent
	)
	defer func() {
		if dec != nil {
			_, _ = dec.end()
			s.pool.put(s.band, dec)
		}
	}()
	for {
		var it item
		select {
		case <-s.done:
			return
		case <-s.ctx.Done():
			return
		case it = <-s.queue:
		}
		if it.flush {
			tr := dialog.Transcript{Final: true}
			if dec != nil {
				var err error
				if tr.Text, err = dec.end(); err != nil {
					s.log.Warn("sphinx: end utterance", "err", err)
				} else if tr.Text != "" {
					tr.Confidence = dec.confidence()
					tr.DoubtfulLast = doubtfulLast(dec.lastWord())
				}
				s.pool.put(s.band, dec)
				dec = nil
			}
			since, heard, last = 0, 0, ""
			if !s.send(tr) {
				return
			}
			continue
		}
		if dec == nil {
			var err error
			if dec, err = s.begin(); err != nil {
				s.recycle(it.p)
				if s.ctx.Err() != nil {
					return
				}
				s.log.Warn("sphinx: start utterance", "err", err)
				continue
			}
		}
		if err := dec.process(it.p); err != nil {
			s.log.Warn("sphinx: process audio", "err", err)
		}
		since += len(it.p)
		heard += len(it.p)
		s.recycle(it.p)
		if since >= interimEvery {
			since = 0
			if h := dec.hyp(); h != "" && h != last {
				last = h
				select { // interims may be dropped; a later one replaces them anyway
				case s.results <- dialog.Transcript{Text: h, Heard: media.Duration(media.Rate16k, heard)}:
				default:
				}
			}
		}
	}
}

// begin checks a decoder out of the pool and starts an utterance with the call's search.
func (s *stream) begin() (decoder, error) {
	dec, err := s.pool.get(s.ctx, s.band)
	if err != nil {
		return nil, fmt.Errorf("get decoder: %w", err)
	}
	if err := dec.use(s.g); err != nil {
		// A call's search that cannot be built (no phrase word in the dictionary) must not
		// cost the learner's words: decode with the LM.
		s.log.Warn("sphinx: call search, using the LM", "err", err)
		if err := dec.use(nil); err != nil {
			s.pool.put(s.band, dec)
			return nil, err
		}
	}
	if err := dec.start(); err != nil {
		s.pool.put(s.band, dec)
		return nil, err
	}
	return dec, nil
}

// Pocketsphinx often ends a final with a word it heard in the breath or silence after the
// sentence: "...let me look into it right now the". Measured on flite voices through the
// phone path, such a word lasted 80 ms with a posterior of 0.02; the real last words of the
// same lines lasted 290-520 ms (a word at the end of a sentence is drawn out), though their
// posteriors were as low as 0.02 too. Both must say so.
const (
	doubtfulPost = 0.1
	doubtfulDur  = 100 * time.Millisecond
)

// doubtfulLast reports whether a final's last word, with posterior post (negative: none)
// lasting dur, was likely heard in noise or silence rather than spoken.
func doubtfulLast(post float64, dur time.Duration, ok bool) bool {
	return ok && post >= 0 && post < doubtfulPost && dur < doubtfulDur
}

// send delivers a final transcript unless the stream is stopping.
func (s *stream) send(t dialog.Transcript) bool {
	select {
	case s.results <- t:
		return true
	case <-s.done:
		return false
	case <-s.ctx.Done():
		return false
	}
}
