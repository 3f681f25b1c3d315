package console_test

import (
	"strings"
	"testing"
	"time"

	"github.com/sparlab/spar/web/webtest"
)

// studioSignIn signs in through the login form and waits to land.
func studioSignIn(p webtest.Page, base, email string) {
	p.Navigate(base + "/console/login")
	p.WaitFor("the login form", `document.getElementById('signin') && document.readyState !== 'loading'`, 10*time.Second)
	p.Eval(`(() => { const f = document.querySelector('form[action="/console/login"]');
		f.email.value = '`+email+`'; f.password.value = '`+pw+`'; f.submit(); return true })()`, nil)
	p.WaitFor("signed in", `location.pathname !== '/console/login' && document.readyState !== 'loading'`, 10*time.Second)
}

// typeInto sets a studio form field as typing would, with its input event.
func typeInto(p webtest.Page, field, value string) {
	p.Eval(`(() => { const el = document.querySelector('#studio-form [data-field="`+field+`"]');
		el.focus(); el.value = `+jsString(value)+`; el.dispatchEvent(new Event('input', {bubbles: true})); el.blur(); return true })()`, nil)
}

func jsString(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`, "\n", `\n`).Replace(s) + "'"
}

// TestBrowserStudio drives headless Chromium: a trainer duplicates a built-in scenario in
// the studio, edits it in the form, sees the lint problem at the field she got wrong, fixes
// it, saves and publishes; a learner then finds it on the practice page.
func TestBrowserStudio(t *testing.T) {
	f, _ := newStudioFixture(t)
	p := webtest.Launch(t, webtest.Options{Width: 1280, Height: 1000})

	studioSignIn(p, f.srv.URL, "tina@example.com")
	p.Navigate(f.srv.URL + "/console/calls")
	p.WaitFor("the console", `document.readyState !== 'loading' && document.querySelector('a[href="/console/studio"]')`, 10*time.Second)
	p.Eval(`document.querySelector('a[href="/console/studio"]').click(); true`, nil)
	p.WaitFor("the studio", `location.pathname === '/console/studio' && document.readyState !== 'loading' && document.getElementById('duplicate-form')`, 10*time.Second)
	p.Eval(`(() => { const f = document.getElementById('duplicate-form');
		f.from.value = 'double-charge'; f.id.value = 'refund-red'; f.querySelector('button').click(); return true })()`, nil)
	p.WaitFor("the editor", `location.pathname === '/console/studio/refund-red' && document.getElementById('studio') && document.getElementById('studio').dataset.ready === 'true'`, 10*time.Second)

	typeInto(p, "title", "Double charge, team red")
	typeInto(p, "persona.start_mood", "furious")
	p.WaitFor("the problem at the starting mood", `document.querySelector('#studio-form [data-field="persona.start_mood"].bad + .field-error')`, 10*time.Second)
	var shown struct{ Msg, YAML string }
	p.Eval(`({ msg: document.querySelector('#studio-form .field-error').textContent,
		yaml: document.getElementById('yaml').value })`, &shown)
	if !strings.Contains(shown.YAML, "title: Double charge, team red") || !strings.Contains(shown.YAML, "start_mood: furious") {
		t.Errorf("the YAML view does not follow the form:\n%s", shown.YAML)
	}
	if shown.Msg == "" {
		t.Error("the starting mood's problem has no message")
	}
	save(t, p.Screenshot(), "studio-lint.png")

	typeInto(p, "persona.start_mood", "7")
	p.WaitFor("no problems", `!document.querySelector('#studio-form .bad') && document.querySelector('#problems li.ok')`, 10*time.Second)
	// An edit in the YAML view comes back into the form.
	p.Eval(`(() => { const y = document.getElementById('yaml');
		y.value = y.value.replace('name: Dana Reyes', 'name: Dana Ruiz'); y.dispatchEvent(new Event('input', {bubbles: true})); return true })()`, nil)
	p.WaitFor("the form following the YAML", `document.querySelector('#studio-form [data-field="persona.name"]').value === 'Dana Ruiz'`, 10*time.Second)
	p.Eval(`document.getElementById('save').click(); true`, nil)
	p.WaitFor("version 2 saved", `document.readyState !== 'loading' && document.getElementById('studio-state') && document.getElementById('studio-state').textContent.includes('Version 2') && document.getElementById('studio').dataset.ready === 'true'`, 10*time.Second)
	var hist string
	p.Eval(`document.getElementById('history').textContent.replace(/\s+/g, ' ')`, &hist)
	if !strings.Contains(hist, "Version 2 · Tina Trainer") || !strings.Contains(hist, "Version 1 · Tina Trainer") || !strings.Contains(hist, "duplicated from double-charge") {
		t.Errorf("history reads %q", hist)
	}
	p.Eval(`document.getElementById('publish').click(); true`, nil)
	p.WaitFor("published", `document.readyState !== 'loading' && document.querySelector('#studio-state .pass') && document.getElementById('publish').disabled`, 10*time.Second)
	save(t, p.Screenshot(), "studio-editor.png")

	p.Eval(`document.querySelector('form[action="/console/logout"] button').click(); true`, nil)
	p.WaitFor("the login page", `location.pathname === '/console/login' && document.readyState !== 'loading'`, 10*time.Second)
	studioSignIn(p, f.srv.URL, "alice@example.com")
	p.Navigate(f.srv.URL + "/")
	p.WaitFor("the published scenario on the practice page", `document.querySelector('#scenarios .card[data-scenario="refund-red"]')`, 10*time.Second)
	var card string
	p.Eval(`document.querySelector('#scenarios .card[data-scenario="refund-red"]').textContent`, &card)
	if !strings.Contains(card, "Double charge, team red") {
		t.Errorf("the learner's card reads %q", card)
	}
}
