package console_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/sparlab/spar/web/webtest"
)

// TestKeyboardOnly walks a trainer's review with the keyboard alone, in Chromium and
// Firefox: sign in, open a call from the list, move along the waveform, play a transcript
// line, and leave a comment. Every element the Tab key reaches on the way shows a focus
// indicator.
func TestKeyboardOnly(t *testing.T) {
	f := newFixture(t)
	t.Run("chromium", func(t *testing.T) { keyboardPass(t, webtest.Launch(t, webtest.Options{}), f.srv.URL) })
	t.Run("firefox", func(t *testing.T) { keyboardPass(t, webtest.LaunchFirefox(t, webtest.Options{}), f.srv.URL) })
}

func keyboardPass(t *testing.T, p webtest.Page, base string) {
	p.Navigate(base + "/console/login")
	p.WaitFor("the login form", `document.getElementById('signin')`, 10*time.Second)
	p.Eval(`(document.activeElement.blur(), true)`, nil) // start from the top, not the autofocus
	webtest.TabTo(t, p, "the email field", `document.activeElement.name === 'email'`, 20)
	p.Type("tina@example.com")
	p.Press("Tab")
	p.Type(pw)
	p.Press("Enter")
	p.WaitFor("the calls list", `location.pathname === '/console/calls' && document.readyState !== 'loading' && document.querySelector('a.call-link')`, 10*time.Second)

	webtest.TabTo(t, p, "Alice's call", `document.activeElement.matches('a.call-link') && document.activeElement.href.endsWith('/call-alice')`, 80)
	p.Press("Enter")
	p.WaitFor("the replay page", `document.getElementById('replay') && document.getElementById('replay').dataset.ready === 'true'`, 10*time.Second)

	const now = `document.getElementById('audio').currentTime`
	webtest.TabTo(t, p, "the waveform", `document.activeElement.id === 'wave'`, 40)
	p.Press("End")
	p.WaitFor("the end of the call", now+` > 10`, 5*time.Second)
	p.Press("Home")
	p.WaitFor("the start of the call", now+` < 0.3`, 5*time.Second)
	p.Press("ArrowRight")
	p.WaitFor("5 s in", `Math.abs(`+now+` - 5) < 0.3`, 5*time.Second)
	p.WaitFor("the waveform slider to read 0:05", `document.getElementById('wave').getAttribute('aria-valuetext').startsWith('0:05 of ')`, 5*time.Second)

	webtest.TabTo(t, p, "the second transcript line", `document.activeElement.matches('#transcript li') && document.activeElement.dataset.index === '1'`, 60)
	var start float64
	p.Eval(`Number(document.activeElement.dataset.start) / 1000`, &start)
	p.Press("Enter")
	p.WaitFor("the line's moment", fmt.Sprintf(`Math.abs(%s - %g) < 0.3`, now, start), 5*time.Second)

	webtest.TabTo(t, p, "the comment box", `document.activeElement.id === 'comment-text'`, 80)
	p.Type("Good pause here")
	p.Press("Tab")
	var onAdd bool
	p.Eval(`document.activeElement.id === 'comment-add'`, &onAdd)
	if !onAdd {
		t.Fatal("Tab from the comment box does not reach Add comment")
	}
	p.Press("Enter")
	p.WaitFor("the comment listed", `[...document.querySelectorAll('#comments li')].some(li => li.textContent.includes('Good pause here'))`, 10*time.Second)
}

// TestKeyboardPracticePage: on the practice page the Tab key reaches a scenario's Start call
// button, in Chromium and Firefox, every stop on the way shows a focus ring of 3:1 against
// the page, and Enter on it starts the call. (cmd/spar's TestEndToEndSilentMicHint goes on to start and hang up a
// call by keyboard, in both browsers.)
func TestKeyboardPracticePage(t *testing.T) {
	eachBrowser(t, 0, 0, func(t *testing.T, p webtest.Page, _ func(string)) {
		f := newFixture(t)
		p.Navigate(f.srv.URL + "/")
		p.WaitFor("the scenario cards", `document.querySelector('#scenarios .card[data-scenario] .btn')`, 10*time.Second)
		p.Eval(`(document.activeElement.blur(), true)`, nil)
		webtest.TabTo(t, p, "a Start call button", `document.activeElement.matches('#scenarios .card .btn')`, 30)
		// Enter starts the call: the page asks for the microphone (here there is none, so it
		// goes on to say so). Headless Firefox's first tab left it at "Getting ready".
		p.Press("Enter")
		p.WaitFor("the call to start", `document.getElementById('status').textContent !== 'Getting ready'`, 10*time.Second)
	})
}

// TestBrowserContrast reads the text of each page a trainer and a learner use (and
// /status), in Chromium and Firefox, against the background under it: none is below WCAG AA (4.5:1; 3:1 when large).
func TestBrowserContrast(t *testing.T) {
	eachBrowser(t, 1280, 900, func(t *testing.T, p webtest.Page, _ func(string)) {
		f := newFixture(t)
		check := func(path, ready string) {
			p.Navigate(f.srv.URL + path)
			p.WaitFor(path, ready, 15*time.Second)
			if low := webtest.LowContrast(p); len(low) > 0 {
				t.Errorf("%s: text below AA contrast:\n%s", path, strings.Join(low, "\n"))
			}
		}
		check("/console/login", `document.getElementById('signin')`)
		signIn(p, f.srv.URL, "tina@example.com")
		for path, ready := range map[string]string{
			"/console/calls":            `document.querySelector('a.call-link')`,
			"/console/calls/call-alice": `document.getElementById('replay').dataset.ready === 'true' && !document.getElementById('talk-track').hidden`,
			"/console/review":           `document.getElementById('queue-calls')`,
			"/console/learners/alice":   `document.readyState === 'complete'`,
			"/console/teams/red":        `document.readyState === 'complete'`,
			"/console/assignments":      `document.getElementById('assign-form')`,
			"/status":                   `document.querySelector('main h1')`,
			"/":                         `document.querySelector('#scenarios .card[data-scenario]') && !document.getElementById('account-nav').hidden`,
			"/?call=call-alice":         `!document.getElementById('score-ready').hidden`,
		} {
			check(path, ready)
		}
	})
}

// TestBrowserOneLook: the practice page, the console and /status are one product, in
// Chromium and Firefox: their page, header, buttons, fields, tags, cards, tables and notices
// (the practice page's score notes, the console's flag notes) come out of the browser in the
// same colours, type and shape.
func TestBrowserOneLook(t *testing.T) {
	eachBrowser(t, 1280, 900, func(t *testing.T, p webtest.Page, _ func(string)) {
		f := newFixture(t)
		signIn(p, f.srv.URL, "tina@example.com")
		pages := []struct{ path, ready, notice string }{
			{"/", `document.querySelector('#scenarios .card[data-scenario]') && !document.getElementById('account-nav').hidden`, "score-notes"},
			{"/console/calls", `document.querySelector('a.call-link')`, "notes"},
			{"/status", `document.querySelector('main h1')`, "notes"},
		}
		var first map[string]string
		for _, pg := range pages {
			p.Navigate(f.srv.URL + pg.path)
			p.WaitFor(pg.path, pg.ready, 15*time.Second)
			var look map[string]string
			p.Eval(fmt.Sprintf(lookProbe, pg.notice), &look)
			if first == nil {
				first = look
				continue
			}
			for k, want := range first {
				if got := look[k]; got != want {
					t.Errorf("%s: %s is %q, on the practice page %q", pg.path, k, got, want)
				}
			}
		}
	})
}

// lookProbe reads the computed colours, type and shape of the page's body and header and of
// a button, link button, field, tag, card, table heading and notice (class %s) made for
// the purpose.
const lookProbe = `(() => {
	const props = ['color', 'background-color', 'border-top-color', 'border-top-left-radius', 'font-family', 'font-size', 'font-weight'];
	const out = {};
	const read = (name, e) => { const s = getComputedStyle(e); for (const p of props) out[name + ' ' + p] = s.getPropertyValue(p) };
	read('page', document.body);
	const h = document.querySelector('header.top'); out['header background-color'] = getComputedStyle(h).backgroundColor;
	out['header border-bottom'] = getComputedStyle(h).borderBottomColor + ' ' + getComputedStyle(h).borderBottomWidth;
	const box = document.createElement('div'); document.body.append(box);
	const made = { 'button': '<button>Go</button>', 'link button': '<a class="btn" href="#">Go</a>',
		'field': '<input>', 'tag': '<span class="tag">easy</span>', 'card': '<div class="card">x</div>',
		'table heading': '<table class="calls"><tr><th>x</th></tr></table>', 'notice': '<ul class="%s"><li>x</li></ul>' };
	for (const [name, html] of Object.entries(made)) {
		box.innerHTML = html;
		read(name, name === 'table heading' ? box.querySelector('th') : box.firstElementChild);
	}
	box.remove();
	for (const k of Object.keys(out)) if (k.startsWith('notice ') && !/background-color|border-top-color/.test(k)) delete out[k];
	return out })()`
