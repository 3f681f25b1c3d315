package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sparlab/spar/dialog/store"
	"github.com/sparlab/spar/media"
	"github.com/sparlab/spar/web/webtest"
)

// The learner page, as every browser test drives it: these helpers run on any webtest.Page.

// learnerServer starts `spar serve` offering loopback ICE candidates, for a browser on this
// machine.
func learnerServer(t *testing.T) (e2eEnv, *server) {
	t.Helper()
	e := newEnv(t)
	f, err := os.OpenFile(e.config, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprint(f, "webrtc:\n  include_loopback: true\n")
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return e, e.start(t)
}

// openPicker loads the learner page (raw microphone: the test audio is clean) and waits for
// the scenario cards.
func openPicker(page webtest.Page, base string) {
	page.Navigate(base + "/?mic=raw")
	page.WaitFor("scenario cards", `document.querySelectorAll('[data-scenario]').length > 0`, 15*time.Second)
}

// startLearnerCall types the learner's name, presses Start call on the double-charge card
// (watching the can't-hear-you hint: checkNoMicHint), waits for the call to go live and checks the page signaled over the WebSocket with trickle
// ICE (not the POST fallback). It returns the call's id.
func startLearnerCall(t *testing.T, page webtest.Page, learner string) (callID string) {
	t.Helper()
	name, _ := json.Marshal(learner)
	page.Eval(hintWatch, nil)
	page.Eval(`(() => { const n = document.getElementById('learner-name'); n.value = `+string(name)+`;
		n.dispatchEvent(new Event('input')); document.querySelector('[data-scenario="double-charge"] button').click(); return true })()`, nil)
	page.WaitFor("the call to go live", `!!window.spar.callId && document.getElementById('status').textContent === 'Live'`, 20*time.Second)
	page.Eval(moodWhyWatch, nil)
	var signaling string
	page.Eval(`window.spar.callId`, &callID)
	page.Eval(`window.spar.signaling || ''`, &signaling)
	t.Logf("call %s is live (signaling: %s)", callID, signaling)
	if signaling != "websocket" {
		t.Errorf("the page signaled over %q, want the WebSocket with trickle ICE", signaling)
	}
	return callID
}

// hintWatch notes in window.hintShown whether the can't-hear-you hint has shown since.
const hintWatch = `(() => { const h = document.getElementById('mic-hint'); window.hintShown = !h.hidden;
	new MutationObserver(() => { if (!h.hidden) window.hintShown = true }).observe(h, { attributes: true, attributeFilter: ['hidden'] });
	return true })()`

// checkNoMicHint fails the test when the can't-hear-you hint showed on a call whose
// microphone speaks, pauses and all (the persona talks in them).
func checkNoMicHint(t *testing.T, page webtest.Page) {
	t.Helper()
	var shown bool
	page.Eval(`window.hintShown`, &shown)
	if shown {
		t.Error("the can't-hear-you hint showed while the learner was speaking")
	}
}

// inboundAudio is the persona's audio as the page's peer connection received it.
type inboundAudio struct {
	Packets int     `json:"packets"`
	Bytes   int     `json:"bytes"`
	Energy  float64 `json:"energy"` // Chromium only
}

// personaAudio reads the page's inbound-rtp audio stats.
func personaAudio(page webtest.Page) inboundAudio {
	var s inboundAudio
	page.Eval(`(async () => { let r = {}; (await window.spar.pc.getStats()).forEach(x => {
		if (x.type === 'inbound-rtp' && x.kind === 'audio') r = x });
		return {packets: r.packetsReceived || 0, bytes: r.bytesReceived || 0, energy: r.totalAudioEnergy || 0} })()`, &s)
	return s
}

// learnerLines is the number of learner lines the server transcribed, on the page.
const learnerLines = `window.spar.lines.filter(l => l.speaker === 'learner').length`

// learnerKeyWords counts the learner's key words (browserLines) in the live transcript.
func learnerKeyWords(t *testing.T, page webtest.Page) int {
	t.Helper()
	var text string
	page.Eval(`window.spar.lines.filter(l => l.speaker === 'learner').map(l => l.text).join(' | ')`, &text)
	t.Logf("learner lines on the page: %s", text)
	found := 0
	for _, w := range []string{"billing", "sorry", "charge", "refund", "money", "card", "mistake", "frustrating"} {
		if strings.Contains(strings.ToLower(text), w) {
			found++
		}
	}
	return found
}

// checkPersonaLine fails the test when the live transcript has no persona line.
func checkPersonaLine(t *testing.T, page webtest.Page) {
	t.Helper()
	var n int
	page.Eval(`document.querySelectorAll('#transcript .persona').length`, &n)
	if n == 0 {
		t.Error("no persona line in the live transcript")
	}
}

// panelWidth is the call screen's transcript panel width, in CSS pixels.
const panelWidth = `document.querySelector('.transcript-panel').getBoundingClientRect().width`

// checkSteadyWidth fails the test when the transcript panel is no longer before px wide:
// the call screen must not jump in width as the transcript fills.
func checkSteadyWidth(t *testing.T, page webtest.Page, before float64) {
	t.Helper()
	var after float64
	page.Eval(panelWidth, &after)
	if after < before-1 || after > before+1 {
		t.Errorf("the transcript panel went from %.0f to %.0f px wide as the lines arrived", before, after)
	}
}

// moodWhyWatch keeps every reason the page's mood meter shows, in window.moodWhys.
const moodWhyWatch = `(() => { const why = document.getElementById('mood-why'); window.moodWhys = [];
	new MutationObserver(() => { if (why.textContent) window.moodWhys.push(why.textContent) }).observe(why, { childList: true, characterData: true, subtree: true });
	return true })()`

// checkMoodWords fails the test when the mood meter showed the script's stage names or
// objection IDs (see web.MoodWhy) instead of what the learner did.
func checkMoodWords(t *testing.T, page webtest.Page) {
	t.Helper()
	var whys []string
	page.Eval(`window.moodWhys`, &whys)
	t.Logf("the mood meter's reasons: %q", whys)
	for _, w := range whys {
		if strings.Contains(w, "moved to ") || strings.Contains(w, "objection: ") || strings.Contains(w, "(already done)") {
			t.Errorf("the mood meter reads %q", w)
		}
	}
}

// hangUp presses Hang up and waits for the summary view, and for the page to tell the
// assignment cards of the rep (issue 13: they stayed at "0 of 10 reps" until a reload).
func hangUp(page webtest.Page) {
	page.Eval(`(window.reps = 0, document.addEventListener('spar:rep', () => window.reps++),
		document.getElementById('hangup').click(), true)`, nil)
	page.WaitFor("the summary", `!document.getElementById('view-summary').hidden`, 10*time.Second)
	// The ended call tells the assignment cards (home.js) to recount, without a reload.
	page.WaitFor("the rep announced to the assignment cards", `window.reps > 0`, 5*time.Second)
}

// checkSealedCall waits for the call's record and checks it was sealed as a browser call
// the learner hung up, with speech on both channels of the recording.
func checkSealedCall(t *testing.T, e e2eEnv, callID, learner string) {
	t.Helper()
	st := openStore(t, e)
	var rec *store.Record
	var err error
	webtest.Poll(t, "the sealed call record", 30*time.Second, func() bool {
		rec, err = st.Get(t.Context(), callID)
		return err == nil
	})
	if rec.Status != store.StatusSealed || rec.Transport != "webrtc" || rec.Learner != "guest:"+learner || rec.EndReason != "learner hung up" {
		t.Errorf("record: status %q transport %q learner %q end %q", rec.Status, rec.Transport, rec.Learner, rec.EndReason)
	}
	left, right := channelLevels(t, rec.Recording)
	t.Logf("recording levels: learner %.1f dBFS, persona %.1f dBFS", left, right)
	if left < -45 || right < -45 {
		t.Errorf("recording levels: learner %.1f dBFS, persona %.1f dBFS; want speech on both", left, right)
	}
	// As long as the call, so the replay's player and waveform agree with its duration.
	if d := recordingLength(t, rec.Recording) - rec.Duration; d < -1500*time.Millisecond || d > 1500*time.Millisecond {
		t.Errorf("the recording is %v longer than the call (%v)", d, rec.Duration)
	}
}

// logTimelineOnFailure logs the call's timeline when the test fails: what the server heard
// and said, to tell a recognition miss from a page that did not show it.
func logTimelineOnFailure(t *testing.T, e e2eEnv, callID string) {
	t.Cleanup(func() {
		if !t.Failed() {
			return
		}
		events, err := openStore(t, e).Timeline(context.Background(), callID)
		var b strings.Builder
		for _, ev := range events {
			fmt.Fprintf(&b, "  %8.2fs %-16s %-8s %q %s\n", ev.At.Seconds(), ev.Kind, ev.Speaker, ev.Text, ev.Detail)
		}
		t.Logf("timeline of %s (%v):\n%s", callID, err, b.String())
	})
}

// settled holds once the page's one-off animations (a bubble rising, a view fading in) have
// finished; endless ones (the live dot, the spinner) are ignored.
const settled = `document.getAnimations().every(a => a.playState !== 'running' || a.effect.getComputedTiming().iterations === Infinity)`

// saveScreenshot waits for the page to settle, checks its screenshot is not blank and writes
// it to docs/screenshots/name.
func saveScreenshot(t *testing.T, page webtest.Page, name string) {
	t.Helper()
	page.WaitFor("animations to finish", settled, 5*time.Second)
	shot := page.Screenshot()
	if err := webtest.NotBlank(shot); err != nil {
		t.Errorf("%s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join("..", "..", "docs", "screenshots", name), shot, 0o644); err != nil {
		t.Errorf("save screenshot: %v", err)
	}
}

// TestEndToEndSilentMicHint: a learner whose microphone sends only silence is told, on the
// call screen, that Spar cannot hear them, before the persona gives up; in Chromium and
// Firefox. The learner uses the keyboard alone (the keyboard-only pass of the practice page:
// the name, Start call, Hang up), and every stop shows its focus ring. The calls with speech
// (TestEndToEndBrowserCall, TestEndToEndFirefoxCall) check the hint stays hidden.
func TestEndToEndSilentMicHint(t *testing.T) {
	_, srv := learnerServer(t)
	// Readiness says Redis answers (the fault tests check it says so when it does not).
	if resp, err := http.Get(srv.base + "/readyz"); err != nil || resp.StatusCode != http.StatusOK {
		t.Errorf("GET /readyz: %v %v", resp, err)
	} else {
		resp.Body.Close()
	}
	silence := webtest.MicWAV(t, make([]int16, 30*media.Rate16k))
	t.Run("chromium", func(t *testing.T) {
		silentKeyboardCall(t, webtest.Launch(t, webtest.Options{FakeMic: silence}), srv.base)
	})
	t.Run("firefox", func(t *testing.T) {
		silentKeyboardCall(t, webtest.LaunchFirefox(t, webtest.Options{FakeMic: silence}), srv.base)
	})
}

// silentKeyboardCall places a call by keyboard alone with a silent microphone, waits for
// the can't-hear-you hint and hangs up.
func silentKeyboardCall(t *testing.T, page webtest.Page, base string) {
	openPicker(page, base)
	webtest.TabTo(t, page, "the name field", `document.activeElement.id === 'learner-name'`, 20)
	page.Type("Quiet Tester")
	webtest.TabTo(t, page, "Start on the double-charge card",
		`document.activeElement.matches('[data-scenario="double-charge"] button')`, 30)
	page.Press("Enter")
	page.WaitFor("the call to go live", `!!window.spar.callId && document.getElementById('status').textContent === 'Live'`, 20*time.Second)
	page.WaitFor("the can't-hear-you hint", `!document.getElementById('mic-hint').hidden`, 20*time.Second)
	webtest.TabTo(t, page, "Hang up", `document.activeElement.id === 'hangup'`, 30)
	page.Press("Enter")
	page.WaitFor("the summary", `!document.getElementById('view-summary').hidden`, 10*time.Second)
	var hidden bool
	page.Eval(`document.getElementById('mic-hint').hidden`, &hidden)
	if !hidden {
		t.Error("the hint outlives the call")
	}
}
