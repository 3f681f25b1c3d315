package webtest_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/sparlab/spar/web/webtest"
)

// TestSetFiles chooses a file on a page's file input in Chromium and in Firefox: the page's
// change handler gets it and reads its bytes from disk.
func TestSetFiles(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprint(w, `<!doctype html><body><input type="file" id="f">
<script>document.getElementById('f').addEventListener('change', async (e) => {
  const f = e.target.files[0]; window.got = {name: f.name, text: await f.text()} })</script>`)
	}))
	defer srv.Close()
	path := filepath.Join(t.TempDir(), "faq.md")
	if err := os.WriteFile(path, []byte("Q: Why?\nA: Because £5.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, br := range browsers {
		t.Run(br.name, func(t *testing.T) {
			b := br.launch(t, webtest.Options{Width: 800, Height: 600})
			b.Navigate(srv.URL)
			b.WaitFor("the page", `document.readyState === 'complete'`, 10*time.Second)
			b.SetFiles("#f", path)
			b.WaitFor("the change event", `window.got`, 10*time.Second)
			var got struct{ Name, Text string }
			b.Eval(`window.got`, &got)
			if got.Name != "faq.md" || got.Text != "Q: Why?\nA: Because £5.\n" {
				t.Errorf("the page read %+v", got)
			}
		})
	}
}
