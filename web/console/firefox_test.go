package console_test

import (
	"strings"
	"testing"
	"time"

	"github.com/sparlab/spar/web/webtest"
)

// TestFirefoxConsole walks the console in headless Firefox as Chromium's tests do: the
// calls list names scenarios by title, the replay says whose call it is, shows the talk
// track, keeps the player on screen, answers the keyboard, and edits a comment in place;
// the coaching queue lists the failed call; the practice page links back as one product.
func TestFirefoxConsole(t *testing.T) {
	f := newFixture(t)
	p := webtest.LaunchFirefox(t, webtest.Options{})
	signIn(p, f.srv.URL, "tina@example.com")

	var cell string
	p.Eval(`document.querySelector('a.call-link[href="/console/calls/call-alice"]').closest('tr').textContent`, &cell)
	if !strings.Contains(cell, "Charged twice for a renewal") {
		t.Errorf("calls row %q lacks the scenario title", cell)
	}
	p.Navigate(f.srv.URL + "/console/calls/call-alice#t=8")
	p.WaitFor("the replay page", `document.getElementById('replay').dataset.ready === 'true'`, 15*time.Second)
	var got struct {
		Heading string
		Figures int
		Sticky  bool
		At      float64
	}
	p.Eval(`({ heading: document.getElementById('title').textContent,
		figures: document.querySelectorAll('#talk-figures .figure').length,
		sticky: getComputedStyle(document.querySelector('.player')).position === 'sticky',
		at: document.getElementById('audio').currentTime })`, &got)
	if !strings.Contains(got.Heading, "Alice Learner") || got.Figures == 0 || !got.Sticky || got.At < 7.7 || got.At > 8.3 {
		t.Errorf("replay in Firefox: %+v", got)
	}
	p.Eval(`document.body.dispatchEvent(new KeyboardEvent('keydown', { key: '[', bubbles: true }))`, nil)
	p.WaitFor("the previous line", `Math.abs(document.getElementById('audio').currentTime - 3.5) < 0.3`, 5*time.Second)

	p.Eval(`(() => { document.getElementById('comment-text').value = 'Say sorry sooner.'; document.getElementById('comment-add').click(); return true })()`, nil)
	p.WaitFor("the comment", `document.querySelector('#comments li .meta .edit')`, 10*time.Second)
	p.Eval(`(() => { document.querySelector('#comments li .meta .edit').click(); return true })()`, nil)
	p.WaitFor("the edit box", `document.querySelector('#comments form.comment-edit textarea')`, 5*time.Second)

	p.Navigate(f.srv.URL + "/console/review")
	p.WaitFor("the coaching queue", `document.getElementById('queue-calls')`, 10*time.Second)
	var nudges string
	p.Eval(`document.getElementById('queue-nudges').textContent`, &nudges)
	if !strings.Contains(nudges, "Every learner is on track") {
		t.Errorf("queue nudges read %q with no assignment set", nudges)
	}
	p.Navigate(f.srv.URL + "/")
	p.WaitFor("the practice page's account links", `!document.getElementById('account-nav').hidden`, 10*time.Second)
}

// TestFirefoxPhoneLayout: in a 390 px wide Firefox the console's calls list does not scroll
// sideways and Sign out is on screen; the practice page fits too.
func TestFirefoxPhoneLayout(t *testing.T) {
	f := newFixture(t)
	p := webtest.LaunchFirefox(t, webtest.Options{Width: 390, Height: 844})
	signIn(p, f.srv.URL, "tina@example.com")
	for _, path := range []string{"/console/calls", "/"} {
		p.Navigate(f.srv.URL + path)
		if path == "/" { // measured as the user sees it: signed in, the scenarios listed
			p.WaitFor("the practice page ready", `!document.getElementById('account-nav').hidden &&
				document.querySelectorAll('#scenarios .card:not(.skeleton)').length > 0`, 10*time.Second)
		}
		var got struct {
			Page, View int
			Out        float64
		}
		p.Eval(`({ page: document.documentElement.scrollWidth, view: document.documentElement.clientWidth,
			out: (document.querySelector('form[action="/console/logout"] button') || document.body).getBoundingClientRect().right })`, &got)
		if got.View > 400 || got.Page > got.View || got.Out > float64(got.View) {
			t.Errorf("%s at 390 px in Firefox: %+v", path, got)
		}
	}
}
