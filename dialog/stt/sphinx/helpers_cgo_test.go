//go:build pocketsphinx

package sphinx

import (
	"context"
	"sync"
	"testing"

	"github.com/sparlab/spar/dialog"
	"github.com/sparlab/spar/dialog/tts/flite"
)

// samples collects PCM written to it.
type samples []int16

func (s *samples) WriteSample(p []int16) error { *s = append(*s, p...); return nil }

var (
	synthOnce sync.Once
	synth     *flite.Synth
	synthErr  error
	recOnce   sync.Once
	recs      map[string]*Recognizer
	recErr    error
)

// speak renders text with a flite voice at 16 kHz, with 300 ms of silence after it.
func speak(t testing.TB, voice, text string) []int16 {
	t.Helper()
	synthOnce.Do(func() { synth, synthErr = flite.New(flite.Config{}) })
	if synthErr != nil {
		t.Skipf("flite: %v", synthErr)
	}
	var out samples
	if err := synth.Synthesize(context.Background(), text, voice, &out); err != nil {
		t.Fatal(err)
	}
	return append(out, make([]int16, 4800)...)
}

// phone sends 16 kHz audio through the phone path: 8 kHz, mu-law and back, upsampled to 16 kHz.
func phone(t testing.TB, in []int16) []int16 {
	t.Helper()
	out, err := phonePath(in)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// recognizer returns a shared Recognizer per mode, so the model loads once per test binary.
func recognizer(t testing.TB, mode string) *Recognizer {
	t.Helper()
	recOnce.Do(func() {
		recs = map[string]*Recognizer{}
		for _, m := range []string{ModeLM, ModeGrammar} {
			var r *Recognizer
			if r, recErr = New(Config{Mode: m, PoolSize: 2}, nil); recErr != nil {
				return
			}
			recs[m] = r
		}
	})
	if recErr != nil {
		t.Fatalf("New: %v", recErr)
	}
	return recs[mode]
}

// recognize writes audio in 20 ms frames, flushes, and returns the interims and the final.
func recognize(t testing.TB, r *Recognizer, opts dialog.STTOptions, audio []int16) (interims []string, final string) {
	t.Helper()
	interims, tr := recognizeFinal(t, r, opts, audio)
	return interims, tr.Text
}

// recognizeFinal is recognize returning the whole final transcript.
func recognizeFinal(t testing.TB, r *Recognizer, opts dialog.STTOptions, audio []int16) (interims []string, final dialog.Transcript) {
	t.Helper()
	st, err := r.Stream(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	done := make(chan struct{})
	go func() {
		defer close(done)
		for tr := range st.Results() {
			if tr.Final {
				final = tr
				return
			}
			interims = append(interims, tr.Text)
		}
	}()
	for off := 0; off < len(audio); off += 320 {
		if err := st.Write(audio[off:min(off+320, len(audio))]); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.Flush(); err != nil {
		t.Fatal(err)
	}
	<-done
	return interims, final
}
