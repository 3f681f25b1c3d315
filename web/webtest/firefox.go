package webtest

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// FirefoxPath is where Debian's firefox-esr package installs the browser.
const FirefoxPath = "/usr/bin/firefox-esr"

// Firefox is one headless Firefox and its first tab, driven over WebDriver BiDi. Its methods
// fail the test on error.
type Firefox struct {
	pageBase
	c   *bidi
	tab string // the browsing context id
}

// LaunchFirefox starts headless Firefox with a fresh profile and connects to its first tab;
// the browser is killed when the test ends, and its output logged if the test failed. A
// missing firefox-esr fails the test.
//
// Firefox has no flag to play a file as its microphone, so with opts.FakeMic set every page
// gets the WAV file instead: see fakeMicScript.
func LaunchFirefox(t testing.TB, opts Options) *Firefox {
	t.Helper()
	if _, err := os.Stat(FirefoxPath); err != nil {
		t.Fatal("Debian's firefox-esr is not installed: run `make test` (it installs it) or apt-get install -y --no-install-recommends firefox-esr")
	}
	dir := t.TempDir()
	profile := filepath.Join(dir, "profile")
	if err := os.MkdirAll(profile, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(profile, "user.js"), []byte(firefoxPrefs(opts.FakeMic != "")), 0o600); err != nil {
		t.Fatal(err)
	}
	w, h := opts.size()
	cmd := exec.Command(FirefoxPath, "--headless", "--no-remote", "--profile", profile,
		"--remote-debugging-port=0", "--window-size="+strconv.Itoa(w)+","+strconv.Itoa(h), "about:blank")
	// A HOME of its own keeps Firefox out of the user's ~/.mozilla and caches.
	cmd.Env = append(os.Environ(), "HOME="+dir, "MOZ_CRASHREPORTER_DISABLE=1")
	var console pageLog
	startBrowser(t, "firefox", cmd, func() string { return "page console and errors:\n" + console.String() })

	// Firefox writes its BiDi address to the profile once the remote agent listens.
	var addr struct {
		Host string `json:"ws_host"`
		Port int    `json:"ws_port"`
	}
	Poll(t, "firefox's WebDriver BiDi port", 30*time.Second, func() bool {
		b, err := os.ReadFile(filepath.Join(profile, "WebDriverBiDiServer.json"))
		return err == nil && json.Unmarshal(b, &addr) == nil && addr.Port != 0
	})
	url := "ws://" + addr.Host + ":" + strconv.Itoa(addr.Port) + "/session"
	ws, _, err := websocket.DefaultDialer.DialContext(t.Context(), url, nil)
	if err != nil {
		t.Fatalf("connect to firefox: %v", err)
	}
	t.Cleanup(func() { ws.Close() })
	f := &Firefox{c: &bidi{ws: ws, onEvent: console.add}}
	f.pageBase = pageBase{t: t, evaluate: f.eval, capture: f.capture, press: f.press}
	if err := f.c.call("session.new", map[string]any{"capabilities": map[string]any{}}, nil); err != nil {
		t.Fatal(err)
	}
	if err := f.c.call("session.subscribe", map[string]any{"events": []string{"log.entryAdded"}}, nil); err != nil {
		t.Fatal(err)
	}
	f.tab = foregroundTab(t, f.c)
	viewport := map[string]any{"context": f.tab, "viewport": map[string]int{"width": w, "height": h}}
	if err := f.c.call("browsingContext.setViewport", viewport, nil); err != nil {
		t.Fatal(err)
	}
	if opts.FakeMic != "" {
		script := fakeMicScript(t, opts.FakeMic)
		if err := f.c.call("script.addPreloadScript", map[string]any{"functionDeclaration": script}, nil); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

// foregroundTab opens a tab in the foreground, closes the one Firefox started with and
// returns the new tab's browsing context id.
//
// The tab a headless Firefox starts with never holds the system focus: in it
// document.hasFocus() is false, :focus-visible matches nothing, and Enter or Space on a
// focused button does not click it (Firefox activates a button from the keyboard only when
// it is the focus manager's focused element; links and implicit form submission still
// work). A tab opened in the foreground over BiDi holds the focus as a user's window does.
func foregroundTab(t testing.TB, c *bidi) string {
	t.Helper()
	var tree struct {
		Contexts []struct{ Context string } `json:"contexts"`
	}
	if err := c.call("browsingContext.getTree", map[string]any{"maxDepth": 0}, &tree); err != nil {
		t.Fatal(err)
	}
	var tab struct {
		Context string `json:"context"`
	}
	if err := c.call("browsingContext.create", map[string]any{"type": "tab", "background": false}, &tab); err != nil {
		t.Fatal(err)
	}
	for _, old := range tree.Contexts {
		if err := c.call("browsingContext.close", map[string]any{"context": old.Context}, nil); err != nil {
			t.Fatal(err)
		}
	}
	return tab.Context
}

// firefoxPrefs is the profile's user.js. Firefox's remote agent already applies its
// recommended automation prefs (no updates, no first-run pages); these add what the tests need.
func firefoxPrefs(fakeMedia bool) string {
	prefs := [][2]string{
		{"remote.active-protocols", "1"}, // WebDriver BiDi only
		{"media.autoplay.default", "0"},  // let the persona's <audio> play without a click
		{"media.autoplay.block-webaudio", "false"},
		// A test machine has no sound server: without an audio device Firefox's AudioContext
		// never starts and getUserMedia never answers. The mock device runs on the clock.
		{"media.cubeb.force_mock_context", "true"},
		// The learner page and spar meet on 127.0.0.1: gather loopback candidates, as IPs.
		{"media.peerconnection.ice.loopback", "true"},
		{"media.peerconnection.ice.obfuscate_host_addresses", "false"},
		{"browser.shell.checkDefaultBrowser", "false"},
		{"datareporting.policy.dataSubmissionEnabled", "false"},
		{"toolkit.telemetry.enabled", "false"},
		{"app.normandy.enabled", "false"},
		{"messaging-system.rsexperimentloader.enabled", "false"},
		{"browser.newtabpage.enabled", "false"},
	}
	if fakeMedia {
		prefs = append(prefs, [2]string{"media.navigator.streams.fake", "true"},
			[2]string{"media.navigator.permission.disabled", "true"})
	}
	var b strings.Builder
	for _, p := range prefs {
		fmt.Fprintf(&b, "user_pref(%q, %s);\n", p[0], p[1])
	}
	return b.String()
}

// Navigate loads url in the tab and waits for its load event. Scripts may still be at work:
// follow with WaitFor.
//
// A navigation started while the tab's document is still loading (a click or a form that
// has just navigated) can leave Firefox's navigate unanswered, so Navigate first waits, up to
// 10 s, for the current document to finish loading.
func (f *Firefox) Navigate(url string) {
	f.t.Helper()
	poll(10*time.Second, func() bool {
		var done bool
		return f.eval(`document.readyState === 'complete'`, &done) == nil && done
	})
	params := map[string]string{"context": f.tab, "url": url, "wait": "complete"}
	if err := f.c.call("browsingContext.navigate", params, nil); err != nil {
		f.t.Fatalf("navigate to %s: %v", url, err)
	}
}

// eval evaluates expr for Eval. The evaluation counts as a user gesture, like a click.
func (f *Firefox) eval(expr string, out any) error {
	wrapped := "(async () => { const v = await (" + expr + "\n); return v === undefined ? undefined : JSON.stringify(v) })()"
	params := map[string]any{"expression": wrapped, "target": map[string]string{"context": f.tab},
		"awaitPromise": true, "resultOwnership": "none", "userActivation": true}
	var res struct {
		Type   string `json:"type"`
		Result struct {
			Type  string          `json:"type"`
			Value json.RawMessage `json:"value"`
		} `json:"result"`
		Exception *struct {
			Text string `json:"text"`
		} `json:"exceptionDetails"`
	}
	if err := f.c.call("script.evaluate", params, &res); err != nil {
		return err
	}
	if res.Exception != nil {
		return fmt.Errorf("javascript %q: %s", expr, res.Exception.Text)
	}
	if out == nil || res.Result.Type != "string" {
		return nil
	}
	var text string
	if err := json.Unmarshal(res.Result.Value, &text); err != nil {
		return fmt.Errorf("javascript %q: %w", expr, err)
	}
	if err := json.Unmarshal([]byte(text), out); err != nil {
		return fmt.Errorf("javascript %q gave %s: %w", expr, text, err)
	}
	return nil
}

func (f *Firefox) capture() (string, error) {
	var res struct{ Data string }
	err := f.c.call("browsingContext.captureScreenshot", map[string]string{"context": f.tab}, &res)
	return res.Data, err
}
