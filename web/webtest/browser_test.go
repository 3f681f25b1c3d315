package webtest_test

import (
	"bytes"
	"errors"
	"fmt"
	"image/png"
	"math"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/sparlab/spar/media"
	"github.com/sparlab/spar/web/webtest"
)

// browsers are the engines every webtest test runs on.
var browsers = []struct {
	name   string
	launch func(testing.TB, webtest.Options) webtest.Page
}{
	{"chromium", func(t testing.TB, o webtest.Options) webtest.Page { return webtest.Launch(t, o) }},
	{"firefox", func(t testing.TB, o webtest.Options) webtest.Page { return webtest.LaunchFirefox(t, o) }},
}

// TestBrowser drives each real browser through a page that changes after load: navigate, wait
// for the change, read values of several types back, and check the screenshot and window size.
func TestBrowser(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprint(w, `<!doctype html><body style="margin:0;font:40px sans-serif">
<h1 id="h">loading</h1><p>Spar browser test page</p>
<script>setTimeout(() => { document.getElementById('h').textContent = 'ready' }, 100)</script>`)
	}))
	defer srv.Close()

	for _, br := range browsers {
		t.Run(br.name, func(t *testing.T) {
			b := br.launch(t, webtest.Options{Width: 800, Height: 600})
			b.Navigate(srv.URL)
			b.WaitFor("the heading to change", `document.getElementById('h').textContent === 'ready'`, 10*time.Second)

			var width int
			b.Eval(`window.innerWidth`, &width)
			if width != 800 {
				t.Errorf("window.innerWidth = %d, want 800", width)
			}
			var got struct {
				N    int    `json:"n"`
				Text string `json:"text"`
			}
			b.Eval(`Promise.resolve({n: 6 * 7, text: document.querySelector('p').textContent})`, &got)
			if got.N != 42 || got.Text != "Spar browser test page" {
				t.Errorf("eval gave %+v", got)
			}
			b.Eval(`document.title = 'no value'`, nil)
			if err := webtest.NotBlank(b.Screenshot()); err != nil {
				t.Error(err)
			}

			b.Navigate("about:blank")
			b.WaitFor("the blank page", `location.href === 'about:blank'`, 10*time.Second)
			if err := webtest.NotBlank(b.Screenshot()); !errors.Is(err, webtest.ErrBlank) {
				t.Errorf("NotBlank(about:blank) = %v, want ErrBlank", err)
			}
		})
	}
}

// TestKeyboardActivates checks that in each browser the keyboard works as a user's does:
// the tab holds the focus (so :focus-visible rings show), and Enter and Space on a focused
// button click it. Headless Firefox's first tab did neither.
func TestKeyboardActivates(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprint(w, `<!doctype html><body><input id="name"><button type="button" id="go">Go</button>
<script>window.clicks = 0; document.getElementById('go').addEventListener('click', () => window.clicks++)</script>`)
	}))
	defer srv.Close()
	for _, br := range browsers {
		t.Run(br.name, func(t *testing.T) {
			b := br.launch(t, webtest.Options{Width: 800, Height: 600})
			b.Navigate(srv.URL)
			b.Eval(`(document.getElementById('name').focus(), true)`, nil)
			webtest.TabTo(t, b, "the button", `document.activeElement.id === 'go'`, 3)
			var focus struct {
				Has     bool `json:"has"`
				Visible bool `json:"visible"`
			}
			b.Eval(`({has: document.hasFocus(), visible: document.activeElement.matches(':focus-visible')})`, &focus)
			if !focus.Has || !focus.Visible {
				t.Errorf("after Tab: document.hasFocus() %v, the button matches :focus-visible %v; want both", focus.Has, focus.Visible)
			}
			b.Press("Enter")
			b.WaitFor("Enter to click the button", `window.clicks === 1`, 5*time.Second)
			b.Press(" ")
			b.WaitFor("Space to click the button", `window.clicks === 2`, 5*time.Second)
		})
	}
}

// TestFakeMic checks that each browser's microphone plays the WAV file given: the page hears
// its 440 Hz tone (not, say, Firefox's built-in 1 kHz fake tone).
func TestFakeMic(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprint(w, `<!doctype html><body><p>microphone test</p>`)
	}))
	defer srv.Close()
	wav := toneWAV(t, 440)
	const listen = `(async () => {
		const s = await navigator.mediaDevices.getUserMedia({audio: {echoCancellation: false, noiseSuppression: false, autoGainControl: false}});
		const ctx = new AudioContext(); await ctx.resume();
		const an = ctx.createAnalyser(); an.fftSize = 4096;
		ctx.createMediaStreamSource(s).connect(an);
		const f = new Float32Array(an.frequencyBinCount);
		window.heard = {peak: -200, hz: 0};
		setInterval(() => { an.getFloatFrequencyData(f); let i = 0;
			for (let j = 1; j < f.length; j++) if (f[j] > f[i]) i = j;
			if (f[i] > window.heard.peak) window.heard = {peak: f[i], hz: i * ctx.sampleRate / an.fftSize} }, 20);
		return true })()`
	for _, br := range browsers {
		t.Run(br.name, func(t *testing.T) {
			b := br.launch(t, webtest.Options{FakeMic: wav})
			b.Navigate(srv.URL)
			b.Eval(listen, nil)
			b.WaitFor("a loud tone from the microphone", `window.heard.peak > -30`, 10*time.Second)
			var heard struct {
				Peak float64 `json:"peak"`
				Hz   float64 `json:"hz"`
			}
			b.Eval(`window.heard`, &heard)
			if math.Abs(heard.Hz-440) > 30 {
				t.Errorf("the microphone's loudest tone is %.0f Hz (%.0f dB), want the WAV's 440 Hz", heard.Hz, heard.Peak)
			}
		})
	}
}

// toneWAV writes 3 s of a sine at freq Hz, then 1 s of silence, as a 16 kHz WAV file.
func toneWAV(t *testing.T, freq float64) string {
	t.Helper()
	pcm := make([]int16, 4*media.Rate16k)
	for i := range 3 * media.Rate16k {
		pcm[i] = int16(12000 * math.Sin(2*math.Pi*freq*float64(i)/media.Rate16k))
	}
	return webtest.MicWAV(t, pcm)
}

// TestEmulatePhone checks Chromium's phone emulation: the viewport meta tag is honoured at
// 390 CSS pixels, touch is reported, and the screenshot has the device's pixels.
func TestEmulatePhone(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprint(w, `<!doctype html><meta name="viewport" content="width=device-width, initial-scale=1">
<body style="margin:0;font:30px sans-serif"><h1>phone</h1><p>Spar on a small screen</p>`)
	}))
	defer srv.Close()
	b := webtest.Launch(t, webtest.Options{})
	b.Emulate(webtest.Phone)
	b.Navigate(srv.URL)
	var got struct {
		W      int  `json:"w"`
		H      int  `json:"h"`
		Touch  int  `json:"touch"`
		Coarse bool `json:"coarse"`
	}
	b.Eval(`({w: innerWidth, h: innerHeight, touch: navigator.maxTouchPoints, coarse: matchMedia('(pointer: coarse)').matches})`, &got)
	// learner.css sizes buttons for thumbs on (pointer: coarse): the emulation must match it.
	if got.W != 390 || got.H != 844 || got.Touch == 0 || !got.Coarse {
		t.Errorf("phone page sees %+v, want 390x844 with a coarse touch pointer", got)
	}
	img, err := png.Decode(bytes.NewReader(b.Screenshot()))
	if err != nil {
		t.Fatal(err)
	}
	if s := img.Bounds().Size(); s.X != 780 || s.Y != 1688 {
		t.Errorf("screenshot is %v, want 780x1688", s)
	}
}
