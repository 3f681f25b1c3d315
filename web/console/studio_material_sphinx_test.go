//go:build pocketsphinx

package console_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/sparlab/spar/dialog/stt/sphinx"
	"github.com/sparlab/spar/dialog/studio"
	"github.com/sparlab/spar/dialog/tts/flite"
	"github.com/sparlab/spar/media"
	"github.com/sparlab/spar/web/console"
)

// TestStudioUploadSpokenCall speaks a short support call with flite (agent and customer in
// two voices, a second apart), writes it as a 48 kHz stereo WAV, uploads it, and drafts from
// the transcript pocketsphinx gives: the persona's lines are the customer's recognized words.
func TestStudioUploadSpokenCall(t *testing.T) {
	synth, err := flite.New(flite.Config{})
	if err != nil {
		t.Skipf("flite: %v", err)
	}
	rec, err := sphinx.New(sphinx.Config{PoolSize: 1}, nil)
	if err != nil {
		t.Fatalf("sphinx: %v", err)
	}
	t.Cleanup(func() { _ = rec.Close() })
	call := []struct{ voice, text string }{
		{"awb", "Thank you for calling, how can I help you today?"},
		{"slt", "I was charged twice on my account."},
		{"awb", "I'm so sorry you were charged twice, let me fix that for you."},
		{"slt", "Why was I charged twice?"},
		{"awb", "I will refund the second payment right away."},
		{"slt", "Thank you for your patience."},
	}
	// 16 kHz speech, a second of silence around each line, up to 48 kHz stereo.
	var mono []int16
	gap := make([]int16, media.Rate16k)
	mono = append(mono, gap...)
	for _, l := range call {
		var s collect
		if err := synth.Synthesize(context.Background(), l.text, l.voice, &s); err != nil {
			t.Fatal(err)
		}
		mono = append(append(mono, s...), gap...)
	}
	var up collect
	rs, err := media.NewResampler(&up, media.Rate16k, media.Rate48k)
	if err != nil {
		t.Fatal(err)
	}
	if err := rs.WriteSample(mono); err != nil {
		t.Fatal(err)
	}
	stereo := make([]int16, 0, 2*len(up))
	for _, v := range up {
		stereo = append(stereo, v, v)
	}
	wav := writeWAV(t, media.Rate48k, 2, stereo)

	f, sdo := newStudioFixtureWith(t, func(d *console.Deps, _ studio.Linter) { d.STT = rec })
	tina := f.login(t, "tina@example.com")
	st, out := uploadMaterial(t, tina, "support-call.wav", wav)
	if st != http.StatusOK {
		t.Fatalf("upload: %d %v", st, out)
	}
	text := out["material"].(string)
	t.Logf("transcript:\n%s", text)
	lines := strings.Split(strings.TrimSpace(text), "\n")
	if len(lines) != len(call) || out["call"] != true {
		t.Fatalf("%d lines (call %v), want one per spoken line (%d)", len(lines), out["call"], len(call))
	}
	heard := strings.ToLower(text)
	for _, w := range []string{"charged", "refund", "thank"} {
		if !strings.Contains(heard, w) {
			t.Errorf("transcript lacks %q", w)
		}
	}
	customer := strings.TrimPrefix(lines[1], "Speaker: ")
	v, sc := draftFrom(t, tina, sdo, "spoken-call", text)
	if sc.Lines.Greeting[0] != customer {
		t.Errorf("persona greeting %q, want the customer's recognized first line %q", sc.Lines.Greeting, customer)
	}
	if len(sc.Objections) == 0 || !strings.Contains(text, sc.Objections[0].Says[0]) {
		t.Errorf("objections %+v do not come from the recognized words", sc.Objections)
	}
	if !strings.Contains(v.Rubric, strings.TrimPrefix(lines[2], "Speaker: ")) {
		t.Errorf("the agent's recognized reply %q is not a better line:\n%s", lines[2], v.Rubric)
	}
}

// collect gathers PCM written to it.
type collect []int16

func (c *collect) WriteSample(p []int16) error { *c = append(*c, p...); return nil }
