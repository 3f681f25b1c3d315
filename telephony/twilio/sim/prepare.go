package sim

import (
	"context"
	"fmt"
	"os"

	"github.com/sparlab/spar/media"
)

// Synthesizer speaks text as 16 kHz PCM, streaming it to w. The flite synthesizer
// (dialog/tts/flite) satisfies it.
type Synthesizer interface {
	Synthesize(ctx context.Context, text, voice string, w media.Writer) error
}

// SynthesizerFunc adapts a function to a Synthesizer.
type SynthesizerFunc func(ctx context.Context, text, voice string, w media.Writer) error

// Synthesize calls f.
func (f SynthesizerFunc) Synthesize(ctx context.Context, text, voice string, w media.Writer) error {
	return f(ctx, text, voice, w)
}

// synthRate is the rate a Synthesizer writes.
const synthRate = media.Rate16k

// collector is a Writer that keeps everything written to it.
type collector struct{ pcm []int16 }

func (c *collector) WriteSample(p []int16) error {
	c.pcm = append(c.pcm, p...)
	return nil
}

// prepareClips renders every say and wav step to 8 kHz mu-law before the call, so producing
// audio never disturbs the 20 ms pacing. Clips are indexed by step.
func prepareClips(ctx context.Context, sc Script, synth Synthesizer, voice string) ([][]byte, error) {
	pcm, err := PreparePCM(ctx, sc, synth, voice, media.Rate8k)
	if err != nil {
		return nil, err
	}
	clips := make([][]byte, len(sc))
	for i, p := range pcm {
		if p != nil {
			clips[i] = media.EncodeMulaw(nil, p)
		}
	}
	return clips, nil
}

// PreparePCM renders every say and wav step as mono PCM at rate (8 or 16 kHz) before a call,
// so producing audio never disturbs the 20 ms pacing; the WebRTC and SIP callers use it too.
// Clips are indexed by step; steps with no audio have none.
func PreparePCM(ctx context.Context, sc Script, synth Synthesizer, voice string, rate int) ([][]int16, error) {
	clips := make([][]int16, len(sc))
	for i, s := range sc {
		var pcm []int16
		var err error
		switch {
		case s.Say != "":
			pcm, err = synthesize(ctx, synth, s.Say, voice, rate)
		case s.WAV != "":
			pcm, err = loadWAV(s.WAV, rate)
		default:
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("sim: prepare step %d: %w", i+1, err)
		}
		clips[i] = pcm
	}
	return clips, nil
}

// synthesize renders one line at rate.
func synthesize(ctx context.Context, synth Synthesizer, text, voice string, rate int) ([]int16, error) {
	if synth == nil {
		return nil, fmt.Errorf("%w: say %q needs a synthesizer", ErrInvalidConfig, text)
	}
	var c collector
	if err := synth.Synthesize(ctx, text, voice, &c); err != nil {
		return nil, fmt.Errorf("synthesize %q: %w", text, err)
	}
	return media.Convert(c.pcm, synthRate, rate)
}

// loadWAV reads a WAV file as mono at rate.
func loadWAV(path string, rate int) ([]int16, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	w, err := media.ReadWAV(f)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if w.Channels < 1 || w.Rate <= 0 {
		return nil, fmt.Errorf("read %s: %w", path, media.ErrUnsupportedFormat)
	}
	return media.Convert(media.Downmix(w.Samples, w.Channels), w.Rate, rate)
}
