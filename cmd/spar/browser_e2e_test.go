package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sparlab/spar/dialog/store"
	"github.com/sparlab/spar/dialog/tts/flite"
	"github.com/sparlab/spar/media"
	"github.com/sparlab/spar/web/webtest"
)

// browserLines is the learner's side of the double-charge call, as the fake microphone plays
// it; pauses leave the persona room to greet and reply.
var browserLines = []struct {
	before time.Duration
	text   string
}{
	{4 * time.Second, "Thank you for calling Brightwave billing, my name is Sam. How can I help you today?"},
	{6 * time.Second, "I am so sorry, being charged twice is really frustrating. That is our mistake."},
	{6 * time.Second, "I have refunded the duplicate charge. The money will be back on your card in three to five days."},
}

// TestEndToEndBrowserCall drives a real headless Chromium through the learner page against
// the real `spar serve`: the fake microphone speaks three lines, the page shows the live
// transcript, the persona's audio arrives over WebRTC, and the call is recorded and sealed.
func TestEndToEndBrowserCall(t *testing.T) {
	if _, err := os.Stat(webtest.ChromiumPath); err != nil {
		t.Fatal("Debian's chromium is not installed: run `make test` (it installs it) or apt-get install -y chromium")
	}
	e := newEnv(t)
	f, err := os.OpenFile(e.config, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprint(f, "webrtc:\n  include_loopback: true\n")
	f.Close()
	srv := e.start(t)
	wav := learnerWAV(t)

	page := webtest.Launch(t, webtest.Options{FakeMic: wav})
	page.Navigate(srv.base + "/?mic=raw")
	page.WaitFor("scenario cards", `document.querySelectorAll('[data-scenario]').length > 0`, 15*time.Second)
	page.Eval(`(() => { const n = document.getElementById('learner-name'); n.value = 'Browser Tester';
		n.dispatchEvent(new Event('input')); document.querySelector('[data-scenario="double-charge"] button').click(); return true })()`, nil)
	page.WaitFor("the call to go live", `!!window.spar.callId && document.getElementById('status').textContent === 'Live'`, 20*time.Second)
	var callID, signaling string
	page.Eval(`window.spar.callId`, &callID)
	page.Eval(`window.spar.signaling`, &signaling)
	t.Logf("call %s is live (signaling: %s)", callID, signaling)
	if signaling != "websocket" {
		t.Errorf("the page signaled over %q, want the WebSocket with trickle ICE", signaling)
	}

	learnerLines := `window.spar.lines.filter(l => l.speaker === 'learner').length`
	page.WaitFor("two learner lines on the page", learnerLines+` >= 2`, 40*time.Second)
	shot := page.Screenshot()
	for _, p := range []string{filepath.Join(t.TempDir(), "learner-call.png"), filepath.Join("..", "..", "docs", "screenshots", "learner-call.png")} {
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err == nil {
			if err := os.WriteFile(p, shot, 0o644); err != nil {
				t.Errorf("save screenshot: %v", err)
			}
		}
	}
	if err := webtest.NotBlank(shot); err != nil {
		t.Error(err)
	}

	// Persona audio reached the browser.
	var stats struct {
		Packets int     `json:"packets"`
		Energy  float64 `json:"energy"`
	}
	page.Eval(`(async () => { let r = {}; (await window.spar.pc.getStats()).forEach(x => {
		if (x.type === 'inbound-rtp' && x.kind === 'audio') r = x });
		return {packets: r.packetsReceived || 0, energy: r.totalAudioEnergy || 0} })()`, &stats)
	if stats.Packets < 100 || stats.Energy <= 0 {
		t.Errorf("persona audio at the browser: %d packets, energy %g", stats.Packets, stats.Energy)
	}

	page.WaitFor("the third learner line", learnerLines+` >= 3`, 40*time.Second)
	var text string
	page.Eval(`window.spar.lines.filter(l => l.speaker === 'learner').map(l => l.text).join(' | ')`, &text)
	text = strings.ToLower(text)
	t.Logf("learner lines on the page: %s", text)
	found := 0
	for _, w := range []string{"billing", "sorry", "charge", "refund", "money", "card", "mistake"} {
		if strings.Contains(text, w) {
			found++
		}
	}
	if found < 3 {
		t.Errorf("the live transcript shows only %d of the learner's key words: %q", found, text)
	}
	var personaLines int
	page.Eval(`document.querySelectorAll('#transcript .persona').length`, &personaLines)
	if personaLines == 0 {
		t.Error("no persona line in the live transcript")
	}
	page.Eval(`document.getElementById('hangup').click()`, nil)
	page.WaitFor("the summary", `!document.getElementById('view-summary').hidden`, 10*time.Second)

	st := openStore(t, e)
	var rec *store.Record
	waitFor(t, "the sealed call record", 30*time.Second, func() bool {
		rec, err = st.Get(t.Context(), callID)
		return err == nil
	})
	if rec.Status != store.StatusSealed || rec.Transport != "webrtc" || rec.Learner != "guest:Browser Tester" || rec.EndReason != "learner hung up" {
		t.Errorf("record: status %q transport %q learner %q end %q", rec.Status, rec.Transport, rec.Learner, rec.EndReason)
	}
	left, right := channelLevels(t, rec.Recording)
	if left < -45 || right < -45 {
		t.Errorf("recording levels: learner %.1f dBFS, persona %.1f dBFS; want speech on both", left, right)
	}
}

// learnerWAV renders browserLines with flite's awb voice into a 16 kHz WAV with the pauses,
// ending in a second of silence.
func learnerWAV(t *testing.T) string {
	t.Helper()
	synth, err := flite.New(flite.Config{})
	if err != nil {
		t.Fatal(err)
	}
	var pcm []int16
	for _, l := range browserLines {
		pcm = append(pcm, make([]int16, media.Samples(media.Rate16k, l.before))...)
		err := synth.Synthesize(t.Context(), l.text, "awb", media.WriterFunc(func(p []int16) error { pcm = append(pcm, p...); return nil }))
		if err != nil {
			t.Fatal(err)
		}
	}
	pcm = append(pcm, make([]int16, media.Rate16k)...)
	path := filepath.Join(t.TempDir(), "learner.wav")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w, err := media.NewWAVWriter(f, media.Rate16k, 1)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(pcm); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}
