package console_test

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
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

const chromiumPath = "/usr/bin/chromium"

// page is one headless Chromium tab driven over the DevTools protocol.
type page struct {
	t  *testing.T
	ws *websocket.Conn
	id int
}

// launch starts headless Chromium (killed when the test ends) and connects to its tab.
func launch(t *testing.T, ctx context.Context) *page {
	t.Helper()
	profile := t.TempDir()
	cmd := exec.CommandContext(ctx, chromiumPath, "--headless", "--no-sandbox", "--disable-gpu",
		"--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
		"--disable-quic", "--user-data-dir="+profile, "--autoplay-policy=no-user-gesture-required",
		"--hide-scrollbars", "--window-size=1360,1200", "--remote-debugging-port=0", "about:blank")
	var out lockedBuffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-exited
		if t.Failed() {
			t.Logf("chromium output:\n%s", out.String())
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
	var wsURL string
	waitFor(t, "chromium's tab", 10*time.Second, func() bool {
		resp, err := http.Get("http://127.0.0.1:" + port + "/json/list")
		if err != nil {
			return false
		}
		defer resp.Body.Close()
		var targets []struct{ Type, WebSocketDebuggerURL string }
		if json.NewDecoder(resp.Body).Decode(&targets) != nil {
			return false
		}
		for _, tg := range targets {
			if tg.Type == "page" {
				wsURL = tg.WebSocketDebuggerURL
				return true
			}
		}
		return false
	})
	ws, _, err := websocket.DefaultDialer.DialContext(ctx, wsURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ws.Close() })
	return &page{t: t, ws: ws}
}

// call sends one DevTools command and decodes its result into out.
func (p *page) call(method string, params, out any) error {
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

func (p *page) navigate(url string) {
	p.t.Helper()
	if err := p.call("Page.navigate", map[string]string{"url": url}, nil); err != nil {
		p.t.Fatal(err)
	}
}

// eval evaluates a JavaScript expression (awaiting a promise) and decodes its value into out.
func (p *page) eval(expr string, out any) {
	p.t.Helper()
	var res struct {
		Result struct {
			Value json.RawMessage `json:"value"`
		} `json:"result"`
		Exception *struct {
			Text      string                       `json:"text"`
			Exception struct{ Description string } `json:"exception"`
		} `json:"exceptionDetails"`
	}
	if err := p.call("Runtime.evaluate", map[string]any{"expression": expr, "returnByValue": true, "awaitPromise": true}, &res); err != nil {
		p.t.Fatal(err)
	}
	if res.Exception != nil {
		p.t.Fatalf("javascript %q: %s %s", expr, res.Exception.Text, res.Exception.Exception.Description)
	}
	if out != nil && len(res.Result.Value) > 0 {
		if err := json.Unmarshal(res.Result.Value, out); err != nil {
			p.t.Fatalf("javascript %q gave %s: %v", expr, res.Result.Value, err)
		}
	}
}

// wait polls a JavaScript condition until it is true.
func (p *page) wait(what, cond string, within time.Duration) {
	p.t.Helper()
	waitFor(p.t, what, within, func() bool {
		var ok bool
		p.eval("!!("+cond+")", &ok)
		return ok
	})
}

func (p *page) screenshot() []byte {
	p.t.Helper()
	var res struct{ Data string }
	if err := p.call("Page.captureScreenshot", map[string]string{"format": "png"}, &res); err != nil {
		p.t.Fatal(err)
	}
	b, err := base64.StdEncoding.DecodeString(res.Data)
	if err != nil {
		p.t.Fatal(err)
	}
	return b
}

// waitFor polls cond every 50 ms until it holds or within passes.
func waitFor(t *testing.T, what string, within time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.NewTimer(within)
	defer deadline.Stop()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		select {
		case <-deadline.C:
			t.Fatalf("timed out after %v waiting for %s", within, what)
		case <-tick.C:
		}
	}
}

// luminanceVariance is near zero for a blank screenshot.
func luminanceVariance(t *testing.T, b []byte) float64 {
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

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
