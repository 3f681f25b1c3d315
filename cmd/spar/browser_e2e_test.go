package main

import (
	"testing"
	"time"

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
// transcript (the call screen keeping its width, the mood meter speaking plainly, no
// can't-hear-you hint in the pauses), the
// persona's audio arrives over WebRTC, and the call is recorded, as long as it lasted, and
// sealed.
func TestEndToEndBrowserCall(t *testing.T) {
	e, srv := learnerServer(t)
	page := webtest.Launch(t, webtest.Options{FakeMic: learnerWAV(t)})
	openPicker(page, srv.base)
	callID := startLearnerCall(t, page, "Browser Tester")
	logTimelineOnFailure(t, e, callID)
	var before float64
	page.Eval(panelWidth, &before)

	page.WaitFor("two learner lines on the page", learnerLines+` >= 2`, 40*time.Second)
	saveScreenshot(t, page, "learner-call.png")
	checkNoMicHint(t, page) // through the pauses before and between the first lines

	// Persona audio reached the browser.
	if stats := personaAudio(page); stats.Packets < 100 || stats.Energy <= 0 {
		t.Errorf("persona audio at the browser: %d packets, energy %g", stats.Packets, stats.Energy)
	}

	page.WaitFor("the third learner line", learnerLines+` >= 3`, 40*time.Second)
	if n := learnerKeyWords(t, page); n < 3 {
		t.Errorf("the live transcript shows only %d of the learner's key words", n)
	}
	checkPersonaLine(t, page)
	checkSteadyWidth(t, page, before)
	checkMoodWords(t, page)
	hangUp(page)
	checkSealedCall(t, e, callID, "Browser Tester")
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
	return webtest.MicWAV(t, pcm)
}
