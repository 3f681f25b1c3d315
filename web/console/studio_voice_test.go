package console_test

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/sparlab/spar/dialog/scenario"
	"github.com/sparlab/spar/dialog/studio"
	"github.com/sparlab/spar/media"
	"github.com/sparlab/spar/web/console"
)

// toneVoices is a fake TTS: a second of a loud square wave, remembering what it was asked.
type toneVoices struct {
	mu          sync.Mutex
	voice, text string
	scenario    string
	version     int
}

func (v *toneVoices) Speak(_ context.Context, sc *scenario.Scenario, voice, text string, w media.Writer) error {
	v.mu.Lock()
	v.voice, v.text, v.scenario, v.version = voice, text, sc.ID, sc.Version
	v.mu.Unlock()
	p := make([]int16, media.Rate16k)
	for i := range p {
		p[i] = 8000
		if i/20%2 == 0 {
			p[i] = -8000
		}
	}
	return w.WriteSample(p)
}

// TestStudioVoicePreview: "hear it" returns the saved version's greeting, spoken in the voice
// chosen in the form, as a 16 kHz WAV; trainers only; without a TTS there is no preview.
func TestStudioVoicePreview(t *testing.T) {
	voices := &toneVoices{}
	f, sdo := newStudioFixtureWith(t, func(d *console.Deps, _ studio.Linter) { d.Voices = voices })
	if _, err := sdo.Duplicate(t.Context(), "double-charge", "refund-red", "tina"); err != nil {
		t.Fatal(err)
	}
	tina := f.login(t, "tina@example.com")
	if _, body := tina.get("/console/studio/refund-red"); !strings.Contains(body, `id="hear"`) {
		t.Error("the editor has no Hear it button")
	}
	resp, body := tina.get("/console/studio/refund-red/voice.wav?n=1&voice=rms")
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "audio/wav" {
		t.Fatalf("preview: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	wav, err := media.ReadWAV(bytes.NewReader([]byte(body)))
	if err != nil || wav.Rate != media.Rate16k || wav.Channels != 1 || len(wav.Samples) != media.Rate16k {
		t.Fatalf("preview WAV: %d Hz, %d channels, %d samples, %v", wav.Rate, wav.Channels, len(wav.Samples), err)
	}
	sc, err := sdo.Scenario(t.Context(), "refund-red", 1)
	if err != nil {
		t.Fatal(err)
	}
	if voices.voice != "rms" || voices.scenario != "refund-red" || voices.version != 1 || voices.text != sc.Lines.Greeting[0] {
		t.Errorf("spoke %q in %q for %s v%d", voices.text, voices.voice, voices.scenario, voices.version)
	}
	if resp, _ := tina.get("/console/studio/refund-red/voice.wav?n=7"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("a missing version: %d, want 404", resp.StatusCode)
	}
	if resp, _ := f.login(t, "alice@example.com").get("/console/studio/refund-red/voice.wav"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("learner: %d, want 403", resp.StatusCode)
	}

	g, sdo2 := newStudioFixture(t)
	if _, err := sdo2.Duplicate(t.Context(), "double-charge", "refund-red", "tina"); err != nil {
		t.Fatal(err)
	}
	tina2 := g.login(t, "tina@example.com")
	if resp, _ := tina2.get("/console/studio/refund-red/voice.wav"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("no TTS: %d, want 404", resp.StatusCode)
	}
	if _, body := tina2.get("/console/studio/refund-red"); strings.Contains(body, `id="hear"`) {
		t.Error("the editor offers Hear it without a TTS")
	}
}
