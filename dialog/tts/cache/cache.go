// Package cache keeps the audio of sentences a persona has already said, so a line it says
// again (a scripted persona's greeting, its "Hello? Are you still there?", its reactions)
// plays at once instead of being synthesized again. It wraps any dialog.Synthesizer.
package cache

import (
	"container/list"
	"context"
	"sync"

	"github.com/sparlab/spar/dialog"
	"github.com/sparlab/spar/media"
)

// maxSentence bounds one cached sentence: 20 s of 16 kHz audio. Longer ones are not kept.
const maxSentence = 20 * 16000

// chunk is how much cached audio is written at once: 20 ms, as synthesizers stream it.
const chunk = 320

// Synth is a Synthesizer that remembers what it rendered, least recently used first out, up
// to a budget of samples. It is safe for concurrent calls.
type Synth struct {
	next dialog.Synthesizer
	max  int // samples kept in all

	mu      sync.Mutex
	size    int
	order   *list.List // of *entry, most recent first
	entries map[key]*list.Element
	// rendering holds the sentences being rendered into the cache now: one copy each.
	rendering map[key]struct{}
	hits      int64
	misses    int64
}

type key struct{ voice, text string }

type entry struct {
	k   key
	pcm []int16
}

var _ dialog.Synthesizer = (*Synth)(nil)

// New wraps next, keeping up to maxSamples samples of rendered audio (2 bytes each).
func New(next dialog.Synthesizer, maxSamples int) *Synth {
	return &Synth{next: next, max: maxSamples, order: list.New(), entries: map[key]*list.Element{}, rendering: map[key]struct{}{}}
}

// Synthesize plays a remembered rendering of text in voice, or renders it with the wrapped
// synthesizer (streaming it to w as it comes) and remembers it when it finished whole.
// Cancelling ctx stops either within 20 ms of audio.
func (s *Synth) Synthesize(ctx context.Context, text, voice string, w media.Writer) error {
	k := key{voice, text}
	if pcm, ok := s.get(k); ok {
		return play(ctx, pcm, w)
	}
	if !s.claim(k) {
		// Another call is rendering the same sentence and will keep it: render this one
		// without a copy. A reply is paced at playout, so a render lasts as long as it sounds,
		// and calls starting together would otherwise each hold the whole sentence.
		return s.next.Synthesize(ctx, text, voice, w)
	}
	defer s.release(k)
	t := &tee{w: w}
	if err := s.next.Synthesize(ctx, text, voice, t); err != nil {
		return err
	}
	if !t.over && ctx.Err() == nil {
		s.put(k, t.pcm)
	}
	return nil
}

// claim marks k as being rendered for the cache, unless it already is.
func (s *Synth) claim(k key) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.rendering[k]; ok {
		return false
	}
	s.rendering[k] = struct{}{}
	return true
}

func (s *Synth) release(k key) {
	s.mu.Lock()
	delete(s.rendering, k)
	s.mu.Unlock()
}

// Unwrap returns the synthesizer the cache is in front of.
func (s *Synth) Unwrap() dialog.Synthesizer { return s.next }

// Stats returns how many sentences were played from the cache and how many rendered.
func (s *Synth) Stats() (hits, misses int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits, s.misses
}

func (s *Synth) get(k key) ([]int16, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	el, ok := s.entries[k]
	if !ok {
		s.misses++
		return nil, false
	}
	s.hits++
	s.order.MoveToFront(el)
	return el.Value.(*entry).pcm, true
}

func (s *Synth) put(k key, pcm []int16) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.entries[k]; ok || len(pcm) > s.max {
		return
	}
	s.entries[k] = s.order.PushFront(&entry{k, pcm})
	s.size += len(pcm)
	for s.size > s.max {
		last := s.order.Back()
		e := last.Value.(*entry)
		s.order.Remove(last)
		delete(s.entries, e.k)
		s.size -= len(e.pcm)
	}
}

// play writes pcm to w in 20 ms chunks, each copied (a writer may work in place), stopping
// when ctx is done.
func play(ctx context.Context, pcm []int16, w media.Writer) error {
	buf := make([]int16, chunk)
	for len(pcm) > 0 {
		if err := ctx.Err(); err != nil {
			return err
		}
		n := copy(buf, pcm)
		if err := w.WriteSample(buf[:n]); err != nil {
			return err
		}
		pcm = pcm[n:]
	}
	return nil
}

// tee passes audio on to w and keeps a copy, up to maxSentence.
type tee struct {
	w    media.Writer
	pcm  []int16
	over bool
}

func (t *tee) WriteSample(p []int16) error {
	if !t.over {
		if len(t.pcm)+len(p) > maxSentence {
			t.over, t.pcm = true, nil
		} else {
			t.pcm = append(t.pcm, p...)
		}
	}
	return t.w.WriteSample(p)
}
