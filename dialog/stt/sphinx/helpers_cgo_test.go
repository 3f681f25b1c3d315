//go:build pocketsphinx

package sphinx

import (
	"context"
	"flag"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/sparlab/spar/dialog"
	"github.com/sparlab/spar/dialog/tts/flite"
)

// samples collects PCM written to it.
type samples []int16

func (s *samples) WriteSample(p []int16) error { *s = append(*s, p...); return nil }

// adaptWeight overrides Config.AdaptWeight of the shared recognizers, to measure another weight.
var adaptWeight = flag.Float64("adapt-weight", 0, "adapt mode's interpolation weight in the shared recognizers (0: the default)")

var (
	synthOnce sync.Once
	synth     *flite.Synth
	synthErr  error
	recMu     sync.Mutex
	recs      = map[string]*Recognizer{}
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

// recognizer returns a shared Recognizer per mode, so the model loads once per mode and test
// binary. Its decoders take -sphinx-args when that is one setting (BenchmarkWER with other
// pocketsphinx settings).
func recognizer(t testing.TB, mode string) *Recognizer {
	t.Helper()
	recMu.Lock()
	defer recMu.Unlock()
	if r, ok := recs[mode]; ok {
		return r
	}
	r, err := New(Config{Mode: mode, PoolSize: 2, AdaptWeight: *adaptWeight, args: oneSetting()}, nil)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	recs[mode] = r
	return r
}

// oneSetting returns -sphinx-args as decoder arguments when it holds one setting (no ";"),
// nil otherwise.
func oneSetting() []string {
	if strings.Contains(*sphinxArgs, ";") {
		return nil
	}
	return strings.Fields(*sphinxArgs)
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

// TestMain closes the shared recognizers, so a run leaves no decoder files behind.
func TestMain(m *testing.M) {
	code := m.Run()
	for _, r := range recs {
		r.Close()
	}
	os.Exit(code)
}
