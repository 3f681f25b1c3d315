package console

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/sparlab/spar/dialog/scenario"
	"github.com/sparlab/spar/dialog/studio"
	"github.com/sparlab/spar/media"
)

// Voices speaks a sample persona line for the studio editor's "hear it", with the TTS a
// scenario's calls would use (its providers block, else the server's default: offline
// flite) in voice. It writes 16 kHz mono PCM.
type Voices interface {
	Speak(ctx context.Context, sc *scenario.Scenario, voice, text string, w media.Writer) error
}

// Bounds of a voice preview.
const (
	previewTimeout  = 20 * time.Second
	previewMaxText  = 300
	previewMaxAudio = 30 * media.Rate16k // samples: 30 s
)

// sampleLine is what the persona says in a preview: her greeting, else an introduction.
func sampleLine(sc *scenario.Scenario) string {
	text := "Hello, this is " + sc.Persona.Name + "."
	if len(sc.Lines.Greeting) > 0 && strings.TrimSpace(sc.Lines.Greeting[0]) != "" {
		text = sc.Lines.Greeting[0]
	}
	if len(text) > previewMaxText {
		text = text[:previewMaxText]
	}
	return text
}

// studioVoice answers GET /console/studio/{sid}/voice.wav?n=N&voice=V: the persona's sample
// line of version n (0 or absent: the latest) spoken in voice (absent: the version's), as
// a WAV file.
func (c *Console) studioVoice(w http.ResponseWriter, r *http.Request) {
	if c.voices == nil {
		c.render(w, r, http.StatusNotFound, "notfound.html", nil)
		return
	}
	n, _ := strconv.Atoi(r.URL.Query().Get("n"))
	sc, err := c.studio.Scenario(r.Context(), r.PathValue("sid"), max(n, 0))
	if errors.Is(err, studio.ErrNotFound) {
		c.render(w, r, http.StatusNotFound, "notfound.html", nil)
		return
	}
	if err != nil { // a version whose YAML does not parse has no persona to hear
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "this version cannot be heard: " + err.Error()})
		return
	}
	voice := r.URL.Query().Get("voice")
	if voice == "" {
		voice = sc.Persona.Voice
	}
	if len(voice) > 64 {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "voice name too long"})
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), previewTimeout)
	defer cancel()
	var pcm []int16
	err = c.voices.Speak(ctx, sc, voice, sampleLine(sc), media.WriterFunc(func(p []int16) error {
		if len(pcm)+len(p) > previewMaxAudio {
			return errors.New("preview longer than 30 s")
		}
		pcm = append(pcm, p...)
		return nil
	}))
	if err != nil {
		c.log.Warn("studio voice preview", "scenario", sc.ID, "voice", voice, "err", err)
		writeJSON(w, http.StatusBadGateway, map[string]string{"error": "the voice could not be rendered: " + err.Error()})
		return
	}
	wav, err := media.EncodeWAV(pcm, media.Rate16k, 1)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "audio/wav")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Length", strconv.Itoa(len(wav)))
	_, _ = w.Write(wav)
}
