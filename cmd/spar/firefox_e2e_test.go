package main

import (
	"testing"
	"time"

	"github.com/sparlab/spar/web/webtest"
)

// personaEar listens to the persona's audio as the page plays it: WebAudio on the remote
// stream, keeping the loudest RMS level seen in window.personaPeak.
const personaEar = `(async () => {
	const ctx = new AudioContext(); await ctx.resume();
	const an = ctx.createAnalyser(); an.fftSize = 2048;
	ctx.createMediaStreamSource(document.getElementById('remote-audio').srcObject).connect(an);
	const b = new Float32Array(an.fftSize); window.personaPeak = 0;
	setInterval(() => { an.getFloatTimeDomainData(b); let s = 0; for (const x of b) s += x * x;
		window.personaPeak = Math.max(window.personaPeak, Math.sqrt(s / b.length)) }, 50);
	return true })()`

// micMeter keeps the widest the page's microphone level bar has been, in percent, in
// window.meterPeak.
const micMeter = `(() => { window.meterPeak = 0; setInterval(() => { window.meterPeak = Math.max(window.meterPeak,
	parseFloat(document.getElementById('level-bar').style.width) || 0) }, 50); return true })()`

// TestEndToEndFirefoxCall drives headless Firefox through the learner page against the real
// `spar serve`: the learner's WAV (browserLines, fed to getUserMedia by webtest) reaches the
// server's speech recogniser, the persona's audio reaches the page, the call screen keeps its
// width as the transcript fills, its mood meter speaks plainly and it shows no can't-hear-you
// hint in the pauses, and hanging up shows the
// summary and seals a two-channel recording as long as the call.
func TestEndToEndFirefoxCall(t *testing.T) {
	e, srv := learnerServer(t)
	page := webtest.LaunchFirefox(t, webtest.Options{FakeMic: learnerWAV(t)})
	openPicker(page, srv.base)
	callID := startLearnerCall(t, page, "Firefox Tester")
	var before float64
	page.Eval(panelWidth, &before)

	page.WaitFor("the persona's audio track", `!!document.getElementById('remote-audio').srcObject`, 10*time.Second)
	page.Eval(personaEar, nil)
	page.Eval(micMeter, nil)
	page.WaitFor("two learner lines on the page", learnerLines+` >= 2`, 40*time.Second)
	checkNoMicHint(t, page) // through the pauses before and between the first lines
	saveScreenshot(t, page, "learner-call-firefox.png")
	page.WaitFor("the persona's voice in the page", `window.personaPeak > 0.01`, 20*time.Second)

	stats := personaAudio(page)
	var peak float64
	page.Eval(`window.personaPeak`, &peak)
	t.Logf("persona audio at the page: %d packets, %d bytes, peak RMS %.3f", stats.Packets, stats.Bytes, peak)
	if stats.Packets < 100 || stats.Bytes < 1000 {
		t.Errorf("persona audio at the page: %d packets, %d bytes", stats.Packets, stats.Bytes)
	}
	var meter float64
	page.Eval(`window.meterPeak`, &meter)
	if meter < 20 {
		t.Errorf("the microphone level bar reached only %.0f%% while the learner spoke", meter)
	}
	if n := learnerKeyWords(t, page); n < 2 {
		t.Errorf("the live transcript shows only %d of the learner's key words", n)
	}
	checkPersonaLine(t, page)
	checkSteadyWidth(t, page, before)
	checkMoodWords(t, page)

	hangUp(page)
	var turns string
	page.Eval(`document.getElementById('sum-turns').textContent`, &turns)
	if turns == "0" || turns == "" {
		t.Errorf("summary shows %q learner turns", turns)
	}
	checkSealedCall(t, e, callID, "Firefox Tester")
}
