package instant

import (
	"context"
	"math"
	"strings"
	"time"

	"github.com/sparlab/spar/dialog"
	"github.com/sparlab/spar/media"
)

const (
	rate = media.Rate16k
	// toneHz divides a 20 ms frame into whole periods, so every tone frame is the same slice.
	toneHz = 400
)

// Synthesizer writes tone speech at once.
type Synthesizer struct {
	cfg          Config
	tone, silent []int16 // one 20 ms frame each, shared and never written to
}

var _ dialog.Synthesizer = (*Synthesizer)(nil)

// New checks cfg and returns a Synthesizer.
func New(cfg Config) (*Synthesizer, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	n := media.Samples(rate, media.FrameDuration)
	s := &Synthesizer{cfg: cfg, tone: make([]int16, n), silent: make([]int16, n)}
	for i := range s.tone {
		s.tone[i] = int16(float64(cfg.Level) * math.Sin(2*math.Pi*toneHz*float64(i)/rate))
	}
	return s, nil
}

// Synthesize writes text's words as tone to w in 20 ms frames, without waiting. voice is
// ignored. It stops early only when ctx ends or w fails.
func (s *Synthesizer) Synthesize(ctx context.Context, text, _ string, w media.Writer) error {
	words := strings.Fields(text)
	for i, word := range words {
		if err := ctx.Err(); err != nil {
			return context.Cause(ctx)
		}
		if err := s.write(w, s.tone, s.cfg.Word); err != nil {
			return err
		}
		if i == len(words)-1 {
			break
		}
		if err := s.write(w, s.silent, s.pauseAfter(word)); err != nil {
			return err
		}
	}
	return nil
}

// Duration is how long text sounds: what Synthesize writes for it.
func (s *Synthesizer) Duration(text string) time.Duration {
	words := strings.Fields(text)
	var d time.Duration
	for i, word := range words {
		d += frames(s.cfg.Word)
		if i < len(words)-1 {
			d += frames(s.pauseAfter(word))
		}
	}
	return d
}

func (s *Synthesizer) pauseAfter(word string) time.Duration {
	switch {
	case strings.HasSuffix(word, "...") || strings.HasSuffix(word, "…"):
		return s.cfg.Ellipsis
	case strings.HasSuffix(word, ",") || strings.HasSuffix(word, ";") || strings.HasSuffix(word, ":"):
		return s.cfg.Comma
	}
	return s.cfg.Gap
}

// frames rounds d up to whole 20 ms frames.
func frames(d time.Duration) time.Duration {
	n := (d + media.FrameDuration - 1) / media.FrameDuration
	return n * media.FrameDuration
}

// write sends frame repeatedly for d, rounded up to whole frames.
func (s *Synthesizer) write(w media.Writer, frame []int16, d time.Duration) error {
	for range int(frames(d) / media.FrameDuration) {
		if err := w.WriteSample(frame); err != nil {
			return err
		}
	}
	return nil
}
