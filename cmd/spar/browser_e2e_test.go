package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"image/png"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/sparlab/spar/dialog/store"
	"github.com/sparlab/spar/dialog/tts/flite"
	"github.com/sparlab/spar/media"
)

const chromiumPath = "/usr/bin/chromium"

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
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Skip("needs Debian's chromium (apt-get install -y chromium)")
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

	ctx, cancel := context.WithTimeout(t.Context(), 90*time.Second)
	defer cancel()
	page := launchChromium(t, ctx, wav)
	page.navigate(t, srv.base+"/?mic=raw")
	page.waitJS(t, "scenario cards", `document.querySelectorAll('[data-scenario]').length > 0`, 15*time.Second)
	page.eval(t, `(() => { const n = document.getElementById('learner-name'); n.value = 'Browser Tester';
		n.dispatchEvent(new Event('input')); document.querySelector('[data-scenario="double-charge"] button').click(); return true })()`)
	page.waitJS(t, "the call to go live", `!!window.spar.callId && document.getElementById('status').textContent === 'Live'`, 20*time.Second)
	callID := page.evalString(t, `window.spar.callId`)
	t.Logf("call %s is live", callID)

	learnerLines := `window.spar.lines.filter(l => l.speaker === 'learner').length`
	page.waitJS(t, "two learner lines on the page", learnerLines+` >= 2`, 40*time.Second)
	shot := page.screenshot(t)
	for _, p := range []string{filepath.Join(t.TempDir(), "learner-call.png"), filepath.Join("..", "..", "docs", "screenshots", "learner-call.png")} {
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err == nil {
			if err := os.WriteFile(p, shot, 0o644); err != nil {
				t.Errorf("save screenshot: %v", err)
			}
		}
	}
	if v := pixelVariance(t, shot); v < 100 {
		t.Errorf("screenshot looks blank: luminance variance %.1f", v)
	}

	// Persona audio reached the browser.
	var stats struct {
		Packets int     `json:"packets"`
		Energy  float64 `json:"energy"`
	}
	page.evalJSON(t, `(async () => { let r = {}; (await window.spar.pc.getStats()).forEach(x => {
		if (x.type === 'inbound-rtp' && x.kind === 'audio') r = x });
		return JSON.stringify({packets: r.packetsReceived || 0, energy: r.totalAudioEnergy || 0}) })()`, &stats)
	if stats.Packets < 100 || stats.Energy <= 0 {
		t.Errorf("persona audio at the browser: %d packets, energy %g", stats.Packets, stats.Energy)
	}

	page.waitJS(t, "the third learner line", learnerLines+` >= 3`, 40*time.Second)
	text := strings.ToLower(page.evalString(t, `window.spar.lines.filter(l => l.speaker === 'learner').map(l => l.text).join(' | ')`))
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
	if n := page.evalString(t, `String(document.querySelectorAll('#transcript .persona').length)`); n == "0" {
		t.Error("no persona line in the live transcript")
	}
	page.eval(t, `document.getElementById('hangup').click()`)
	page.waitJS(t, "the summary", `!document.getElementById('view-summary').hidden`, 10*time.Second)

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

// cdpPage is one Chromium tab driven over the DevTools protocol.
type cdpPage struct {
	ws *websocket.Conn
	id int
}

// launchChromium starts headless Chromium with the WAV as its microphone and connects to
// its first tab. The browser is killed when the test ends.
func launchChromium(t *testing.T, ctx context.Context, wav string) *cdpPage {
	t.Helper()
	profile := t.TempDir()
	cmd := exec.CommandContext(ctx, chromiumPath, "--headless", "--no-sandbox", "--disable-gpu",
		"--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
		"--disable-quic", "--user-data-dir="+profile, "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
		"--use-file-for-fake-audio-capture="+wav+"%noloop", "--autoplay-policy=no-user-gesture-required",
		"--window-size=1280,860", "--remote-debugging-port=0", "about:blank")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = syncWriter(&out), syncWriter(&out)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-exited
		if t.Failed() {
			logMu.Lock()
			t.Logf("chromium output:\n%s", out.String())
			logMu.Unlock()
		}
	})
	var port string
	waitFor(t, "chromium's DevTools port", 20*time.Second, func() bool {
		b, err := os.ReadFile(filepath.Join(profile, "DevToolsActivePort"))
		if err != nil {
			return false
		}
		port, _, _ = strings.Cut(string(b), "\n")
		return port != ""
	})
	var targets []struct{ Type, WebSocketDebuggerURL string }
	waitFor(t, "chromium's first tab", 10*time.Second, func() bool {
		resp, err := http.Get("http://127.0.0.1:" + port + "/json/list")
		if err != nil {
			return false
		}
		defer resp.Body.Close()
		if json.NewDecoder(resp.Body).Decode(&targets) != nil {
			return false
		}
		for _, tg := range targets {
			if tg.Type == "page" {
				return true
			}
		}
		return false
	})
	for _, tg := range targets {
		if tg.Type == "page" {
			ws, _, err := websocket.DefaultDialer.DialContext(ctx, tg.WebSocketDebuggerURL, nil)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { ws.Close() })
			return &cdpPage{ws: ws}
		}
	}
	t.Fatal("no page target")
	return nil
}

// call sends one DevTools command and decodes its result into out.
func (p *cdpPage) call(method string, params any, out any) error {
	p.id++
	if err := p.ws.WriteJSON(map[string]any{"id": p.id, "method": method, "params": params}); err != nil {
		return err
	}
	_ = p.ws.SetReadDeadline(time.Now().Add(30 * time.Second))
	for {
		var msg struct {
			ID     int             `json:"id"`
			Result json.RawMessage `json:"result"`
			Error  *struct{ Message string }
		}
		if err := p.ws.ReadJSON(&msg); err != nil {
			return err
		}
		if msg.ID != p.id {
			continue // an event
		}
		if msg.Error != nil {
			return fmt.Errorf("%s: %s", method, msg.Error.Message)
		}
		if out == nil {
			return nil
		}
		return json.Unmarshal(msg.Result, out)
	}
}

func (p *cdpPage) navigate(t *testing.T, url string) {
	t.Helper()
	if err := p.call("Page.navigate", map[string]string{"url": url}, nil); err != nil {
		t.Fatal(err)
	}
}

// eval evaluates a JavaScript expression (awaiting a promise) and returns its value as JSON.
func (p *cdpPage) eval(t *testing.T, expr string) json.RawMessage {
	t.Helper()
	var res struct {
		Result struct {
			Value json.RawMessage `json:"value"`
		} `json:"result"`
		Exception *struct {
			Text      string `json:"text"`
			Exception struct {
				Description string `json:"description"`
			} `json:"exception"`
		} `json:"exceptionDetails"`
	}
	if err := p.call("Runtime.evaluate", map[string]any{"expression": expr, "returnByValue": true, "awaitPromise": true}, &res); err != nil {
		t.Fatal(err)
	}
	if res.Exception != nil {
		t.Fatalf("javascript %q: %s %s", expr, res.Exception.Text, res.Exception.Exception.Description)
	}
	return res.Result.Value
}

func (p *cdpPage) evalString(t *testing.T, expr string) string {
	t.Helper()
	var s string
	raw := p.eval(t, expr)
	if err := json.Unmarshal(raw, &s); err != nil {
		t.Fatalf("javascript %q gave %s, want a string", expr, raw)
	}
	return s
}

func (p *cdpPage) evalJSON(t *testing.T, expr string, out any) {
	t.Helper()
	if err := json.Unmarshal([]byte(p.evalString(t, expr)), out); err != nil {
		t.Fatal(err)
	}
}

// waitJS polls a JavaScript condition until it is true.
func (p *cdpPage) waitJS(t *testing.T, what, cond string, within time.Duration) {
	t.Helper()
	waitFor(t, what, within, func() bool { return string(p.eval(t, "!!("+cond+")")) == "true" })
}

func (p *cdpPage) screenshot(t *testing.T) []byte {
	t.Helper()
	var res struct{ Data string }
	if err := p.call("Page.captureScreenshot", map[string]string{"format": "png"}, &res); err != nil {
		t.Fatal(err)
	}
	b, err := base64.StdEncoding.DecodeString(res.Data)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// pixelVariance is the variance of a PNG's luminance: near zero for a blank page.
func pixelVariance(t *testing.T, b []byte) float64 {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	var sum, sq, n float64
	bounds := img.Bounds()
	for y := bounds.Min.Y; y < bounds.Max.Y; y += 2 {
		for x := bounds.Min.X; x < bounds.Max.X; x += 2 {
			r, g, bl, _ := img.At(x, y).RGBA()
			l := (0.299*float64(r) + 0.587*float64(g) + 0.114*float64(bl)) / 257
			sum, sq, n = sum+l, sq+l*l, n+1
		}
	}
	mean := sum / n
	return sq/n - mean*mean
}
