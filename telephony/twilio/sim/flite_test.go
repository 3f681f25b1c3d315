package sim

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/sparlab/spar/media"
	"github.com/sparlab/spar/telephony/twilio"
)

// execFlite is a Synthesizer running the flite binary: the real voice the default script uses.
type execFlite struct{ dir string }

func (s execFlite) Synthesize(ctx context.Context, text, voice string, w media.Writer) error {
	out := filepath.Join(s.dir, "line.wav")
	if err := exec.CommandContext(ctx, "flite", "-voice", voice, "-t", text, "-o", out).Run(); err != nil {
		return err
	}
	f, err := os.Open(out)
	if err != nil {
		return err
	}
	defer f.Close()
	wav, err := media.ReadWAV(f)
	if err != nil {
		return err
	}
	if wav.Rate != media.Rate16k || wav.Channels != 1 {
		return media.ErrUnsupportedFormat
	}
	return w.WriteSample(wav.Samples)
}

// TestRunFlite speaks a real synthesized line and checks the server got about as much speech
// as flite produced.
func TestRunFlite(t *testing.T) {
	if _, err := exec.LookPath("flite"); err != nil {
		t.Skip("flite not installed")
	}
	t.Parallel()
	synth := execFlite{dir: t.TempDir()}
	const line = "Hi, you're through to billing."
	pcm, err := synthesize(t.Context(), synth, line, DefaultVoice, media.Rate8k)
	if err != nil {
		t.Fatal(err)
	}
	fs := newFakeServer(t, testToken, nil)
	cfg := testConfig(fs, Script{quick(Step{Say: line}), quick(Step{Hangup: true})})
	cfg.ReplyTimeout = 200 * time.Millisecond
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	res, err := Run(ctx, cfg, synth, nil)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	voiced := 0
	for _, m := range fs.finished(t).messages() {
		if m.Event == twilio.EventMedia && frameVoiced(m) {
			voiced++
		}
	}
	frames := len(pcm) / frameBytes
	t.Logf("flite: %d frames of audio, %d voiced frames on the wire", frames, voiced)
	if voiced < frames/3 || voiced > frames+1 || res.LearnerTurns[0].End-res.LearnerTurns[0].Start < time.Second {
		t.Errorf("voiced frames %d for a %d-frame line, turn %+v", voiced, frames, res.LearnerTurns[0])
	}
}
