package webtest_test

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/sparlab/spar/web/webtest"
)

// TestBrowser drives a real Chromium through a page that changes after load: navigate, wait
// for the change, read values of several types back, and check the screenshot and window size.
func TestBrowser(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprint(w, `<!doctype html><body style="margin:0;font:40px sans-serif">
<h1 id="h">loading</h1><p>Spar browser test page</p>
<script>setTimeout(() => { document.getElementById('h').textContent = 'ready' }, 100)</script>`)
	}))
	defer srv.Close()

	b := webtest.Launch(t, webtest.Options{Width: 800, Height: 600})
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
	if err := webtest.NotBlank(b.Screenshot()); err != nil {
		t.Error(err)
	}

	b.Navigate("about:blank")
	b.WaitFor("the blank page", `location.href === 'about:blank'`, 10*time.Second)
	if err := webtest.NotBlank(b.Screenshot()); !errors.Is(err, webtest.ErrBlank) {
		t.Errorf("NotBlank(about:blank) = %v, want ErrBlank", err)
	}
}
