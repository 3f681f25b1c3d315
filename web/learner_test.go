package web

import (
	"io"
	"net/http"
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
