package webtest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// ChromiumPath is where Debian's chromium package installs the browser.
const ChromiumPath = "/usr/bin/chromium"

// callTimeout bounds one DevTools command.
const callTimeout = 30 * time.Second

// Options tune one browser, Chromium or Firefox.
type Options struct {
	// FakeMic is the absolute path of a WAV file the browser plays once as its microphone,
	// starting at getUserMedia. Empty means no fake media devices.
	FakeMic string
	// Width and Height are the window size in pixels; zero means 1280x860.
	Width, Height int
}

// Browser is one headless Chromium and its first tab. Its methods fail the test on error.
type Browser struct {
	pageBase
	ws *websocket.Conn
	id int
}

// Launch starts headless Chromium and connects to its first tab; the browser is killed when
// the test ends, and its output logged if the test failed. A missing chromium fails the test.
func Launch(t testing.TB, opts Options) *Browser {
	t.Helper()
	if _, err := os.Stat(ChromiumPath); err != nil {
		t.Fatal("Debian's chromium is not installed: run `make test` (it installs it) or apt-get install -y chromium")
	}
	profile := t.TempDir()
	// Chromium leaves its singleton socket's directory in TMPDIR when it is killed, so it gets
	// a TMPDIR of its own, removed after it (a short path: socket paths are limited to 108).
	tmp, err := os.MkdirTemp("", "spar-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(tmp) })
	cmd := exec.Command(ChromiumPath, args(profile, opts)...)
	cmd.Env = append(os.Environ(), "TMPDIR="+tmp)
	startBrowser(t, "chromium", cmd, nil)
	var port string
	Poll(t, "chromium's DevTools port", 20*time.Second, func() bool {
		b, err := os.ReadFile(filepath.Join(profile, "DevToolsActivePort"))
		if err != nil {
			return false
		}
		port, _, _ = strings.Cut(string(b), "\n")
		return port != ""
	})
	var wsURL string
	Poll(t, "chromium's first tab", 10*time.Second, func() bool {
		wsURL = pageTarget("http://127.0.0.1:" + port + "/json/list")
		return wsURL != ""
	})
	ws, _, err := websocket.DefaultDialer.DialContext(t.Context(), wsURL, nil)
	if err != nil {
		t.Fatalf("connect to chromium's tab: %v", err)
	}
	t.Cleanup(func() { ws.Close() })
	b := &Browser{ws: ws}
	b.pageBase = pageBase{t: t, evaluate: b.eval, capture: b.capture, press: b.press}
	if err := b.call("Page.enable", nil, nil); err != nil {
		t.Fatal(err)
	}
	return b
}

// args are Chromium's command-line flags for a headless, sandbox-free test run.
func args(profile string, opts Options) []string {
	w, h := opts.size()
	a := []string{"--headless", "--no-sandbox", "--disable-gpu",
		"--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
		"--disable-quic", "--user-data-dir=" + profile, "--autoplay-policy=no-user-gesture-required",
		"--hide-scrollbars", "--window-size=" + strconv.Itoa(w) + "," + strconv.Itoa(h)}
	if opts.FakeMic != "" {
		a = append(a, "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
			"--use-file-for-fake-audio-capture="+opts.FakeMic+"%noloop")
	}
	return append(a, "--remote-debugging-port=0", "about:blank")
}

// pageTarget returns the DevTools WebSocket URL of the first page listed at url, or "".
func pageTarget(url string) string {
	resp, err := http.Get(url)
	if err != nil {
		return ""
	}
	defer resp.Body.Close()
	var targets []struct{ Type, WebSocketDebuggerURL string }
	if json.NewDecoder(resp.Body).Decode(&targets) != nil {
		return ""
	}
	for _, tg := range targets {
		if tg.Type == "page" {
			return tg.WebSocketDebuggerURL
		}
	}
	return ""
}

// message is one DevTools response or event.
type message struct {
	ID     int             `json:"id"`
	Method string          `json:"method"`
	Result json.RawMessage `json:"result"`
	Error  *struct{ Message string }
}

// call sends one DevTools command and decodes its result into out. Events that arrive
// meanwhile go to onEvent when it is not nil.
func (b *Browser) call(method string, params, out any) error {
	return b.callWatching(method, params, out, nil)
}

func (b *Browser) callWatching(method string, params, out any, onEvent func(string)) error {
	b.id++
	if err := b.ws.WriteJSON(map[string]any{"id": b.id, "method": method, "params": params}); err != nil {
		return fmt.Errorf("%s: %w", method, err)
	}
	_ = b.ws.SetReadDeadline(time.Now().Add(callTimeout))
	for {
		var msg message
		if err := b.ws.ReadJSON(&msg); err != nil {
			return fmt.Errorf("%s: %w", method, err)
		}
		if msg.ID != b.id {
			if msg.ID == 0 && onEvent != nil {
				onEvent(msg.Method)
			}
			continue
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

// waitEvent reads messages until the event named method arrives.
func (b *Browser) waitEvent(method string) error {
	_ = b.ws.SetReadDeadline(time.Now().Add(callTimeout))
	for {
		var msg message
		if err := b.ws.ReadJSON(&msg); err != nil {
			return fmt.Errorf("wait for %s: %w", method, err)
		}
		if msg.ID == 0 && msg.Method == method {
			return nil
		}
	}
}

// Navigate loads url in the tab and waits for its load event. Scripts may still be at work:
// follow with WaitFor.
func (b *Browser) Navigate(url string) {
	b.t.Helper()
	var res struct {
		ErrorText string `json:"errorText"`
	}
	if err := b.call("Page.navigate", map[string]string{"url": url}, &res); err != nil {
		b.t.Fatal(err)
	}
	if res.ErrorText != "" {
		b.t.Fatalf("navigate to %s: %s", url, res.ErrorText)
	}
	if err := b.waitEvent("Page.loadEventFired"); err != nil {
		b.t.Fatal(err)
	}
}

func (b *Browser) eval(expr string, out any) error {
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
	params := map[string]any{"expression": expr, "returnByValue": true, "awaitPromise": true}
	if err := b.call("Runtime.evaluate", params, &res); err != nil {
		return err
	}
	if res.Exception != nil {
		return fmt.Errorf("javascript %q: %s %s", expr, res.Exception.Text, res.Exception.Exception.Description)
	}
	if out != nil && len(res.Result.Value) > 0 {
		if err := json.Unmarshal(res.Result.Value, out); err != nil {
			return fmt.Errorf("javascript %q gave %s: %w", expr, res.Result.Value, err)
		}
	}
	return nil
}

func (b *Browser) capture() (string, error) {
	var res struct{ Data string }
	err := b.call("Page.captureScreenshot", map[string]string{"format": "png"}, &res)
	return res.Data, err
}
