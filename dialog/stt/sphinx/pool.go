package sphinx

import (
	"context"
	"sync"
	"time"
)

// decoder is one pocketsphinx decoder. It is not safe for concurrent use: an utterance checks
// one out of the pool.
type decoder interface {
	// use selects the search for the next utterance: the LM when g is nil, else the grammar
	// (built once per decoder and cached by g.key).
	use(g *grammar) error
	// inDict reports whether the dictionary knows word.
	inDict(word string) bool
	start() error
	process(p []int16) error
	hyp() string
	end() (string, error)
	// confidence is the recognizer's confidence in the utterance end just returned, 0..1, 0
	// when it has none.
	confidence() float64
	// lastWord is the posterior of the last word of the utterance end just returned (-1
	// when the search gives none) and how long it lasts; ok is false when it has no word.
	lastWord() (post float64, dur time.Duration, ok bool)
	free()
}

// band separates decoders by front-end configuration.
type band int

const (
	wideband   band = iota // 16 kHz audio
	narrowband             // phone audio upsampled to 16 kHz: its own cepstral-mean prior
)

// pool keeps up to size warm decoders per band, created lazily (about 185 ms each).
type pool struct {
	newDecoder func(band) (decoder, error)
	idle       [2]chan decoder
	slots      [2]chan struct{} // one token per decoder created

	mu     sync.Mutex
	closed bool
}

func newPool(size int, newDecoder func(band) (decoder, error)) *pool {
	p := &pool{newDecoder: newDecoder}
	for b := range p.idle {
		p.idle[b] = make(chan decoder, size)
		p.slots[b] = make(chan struct{}, size)
	}
	return p
}

// get returns an idle decoder of band b, creates one if fewer than size exist, or waits.
func (p *pool) get(ctx context.Context, b band) (decoder, error) {
	select {
	case d := <-p.idle[b]:
		return d, nil
	default:
	}
	select {
	case d := <-p.idle[b]:
		return d, nil
	case p.slots[b] <- struct{}{}:
		d, err := p.newDecoder(b)
		if err != nil {
			<-p.slots[b]
			return nil, err
		}
		return d, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// put returns a decoder; after close it is freed instead.
func (p *pool) put(b band, d decoder) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		d.free()
		return
	}
	p.idle[b] <- d // never blocks: at most size decoders exist
}

// close frees the idle decoders; decoders still checked out are freed when put back.
func (p *pool) close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return
	}
	p.closed = true
	for b := range p.idle {
		for {
			select {
			case d := <-p.idle[b]:
				d.free()
				continue
			default:
			}
			break
		}
	}
}
