package web

import (
	"io"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"
)

func TestLearnerPage(t *testing.T) {
	srv := newTestServer(t, &fakeCalls{})
	for _, tc := range []struct {
		path, ctype string
		status      int
		want        string
	}{
		{"/", "text/html", 200, `<script src="/assets/learner.js" defer></script>`},
		{"/assets/learner.js", "text/javascript", 200, "/webrtc/offer"},
		{"/assets/learner.css", "text/css", 200, ".transcript"},
		{"/assets/base.css", "text/css", 200, "--focus:"},
		{"/assets/index.html", "", 404, ""},
		{"/assets/..%2fweb.go", "", 404, ""},
		{"/status", "text/html", 200, "Charged twice for a renewal"},
	} {
		t.Run(tc.path, func(t *testing.T) {
			resp, err := http.Get(srv.URL + tc.path)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			raw, _ := io.ReadAll(resp.Body)
			body := string(raw)
			if resp.StatusCode != tc.status || !strings.HasPrefix(resp.Header.Get("Content-Type"), tc.ctype) || !strings.Contains(body, tc.want) {
				t.Fatalf("%s: %d %q, body lacks %q", tc.path, resp.StatusCode, resp.Header.Get("Content-Type"), tc.want)
			}
			if tc.status == 200 && tc.path != "/status" && !strings.Contains(resp.Header.Get("Content-Security-Policy"), "script-src 'self'") {
				t.Errorf("no strict CSP on %s", tc.path)
			}
		})
	}
}

// The CSP forbids inline script and style: the page must not need them.
func TestLearnerPageHasNoInlineCode(t *testing.T) {
	b, err := assets.ReadFile("assets/learner.html")
	if err != nil {
		t.Fatal(err)
	}
	html := string(b)
	for _, tag := range regexp.MustCompile(`<script[^>]*>`).FindAllString(html, -1) {
		if !strings.Contains(tag, ` src="/assets/`) {
			t.Errorf("inline or external script: %q", tag)
		}
	}
	for _, re := range []string{`\sstyle=`, `\son[a-z]+=`, `<style`, `https?://`} {
		if m := regexp.MustCompile(re).FindString(html); m != "" {
			t.Errorf("learner.html has inline code or an external URL: %q", m)
		}
	}
	js, _ := assets.ReadFile("assets/learner.js")
	if m := regexp.MustCompile(`https?://|innerHTML|eval\(`).FindString(string(js)); m != "" {
		t.Errorf("learner.js uses %q", m)
	}
}

// TestOneVisualSystem: the practice page, the console and /status share one stylesheet of
// design tokens and base styles (assets/base.css), linked before their own; their own
// stylesheets define no tokens (custom properties) of their own, and neither they nor the
// pages' scripts (the replay's waveform is drawn in a canvas) name a colour: every colour
// is one of base.css's tokens.
func TestOneVisualSystem(t *testing.T) {
	firstSheet := regexp.MustCompile(`<link rel="stylesheet" href="([^"]+)">`)
	for _, page := range []string{"assets/learner.html", "assets/index.html", "console/assets/layout.html"} {
		b, err := os.ReadFile(page)
		if err != nil {
			t.Fatal(err)
		}
		if m := firstSheet.FindStringSubmatch(string(b)); m == nil || m[1] != "/assets/base.css" {
			t.Errorf("%s: first stylesheet %q, want /assets/base.css", page, m)
		}
	}
	token := regexp.MustCompile(`:root|--[a-z0-9-]+\s*:`)
	for _, sheet := range []string{"assets/learner.css", "console/assets/console.css", "console/assets/studio.css"} {
		b, err := os.ReadFile(sheet)
		if err != nil {
			t.Fatal(err)
		}
		if m := token.FindString(string(b)); m != "" {
			t.Errorf("%s defines a token of its own (%q): put it in assets/base.css", sheet, m)
		}
	}
	colour := regexp.MustCompile(`#[0-9a-fA-F]{3,8}\b|\b(rgba?|hsla?)\(`)
	for _, file := range []string{"assets/learner.css", "assets/learner.js", "assets/home.js",
		"console/assets/console.css", "console/assets/studio.css", "console/assets/replay.js", "console/assets/studio.js"} {
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if m := colour.FindString(string(b)); m != "" {
			t.Errorf("%s names a colour of its own (%q): use a token of assets/base.css", file, m)
		}
	}
}
