package console_test

import (
	"fmt"
	"strconv"
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

// setRow sets a key of row i (-1: the last) of a studio form list as typing would.
func setRow(p webtest.Page, list string, i int, key, value string) {
	p.Eval(`(() => { const rows = document.querySelectorAll('#studio-form [data-list="`+list+`"] .studio-rows > fieldset');
		const el = rows[`+strconv.Itoa(i)+` < 0 ? rows.length - 1 : `+strconv.Itoa(i)+`].querySelector('[data-key="`+key+`"]');
		el.focus(); el.value = `+jsString(value)+`; el.dispatchEvent(new Event('input', {bubbles: true})); el.blur(); return true })()`, nil)
}

// TestBrowserStudioLists drives Chromium and Firefox at phone width: a trainer adds an
// objection and a criterion through the form's lists (a choice and metric lines among them), sees the lint problem at the row's
// field she got wrong, fixes it and saves; the saved version's files have both.
func TestBrowserStudioLists(t *testing.T) {
	eachBrowser(t, webtest.Phone.Width, webtest.Phone.Height, func(t *testing.T, p webtest.Page, shoot func(string)) {
		f, st := newStudioFixture(t)
		studioSignIn(p, f.srv.URL, "tina@example.com")
		p.Navigate(f.srv.URL + "/console/studio")
		p.WaitFor("the studio", `document.readyState !== 'loading' && document.getElementById('duplicate-form')`, 10*time.Second)
		p.Eval(`(() => { const f = document.getElementById('duplicate-form');
			f.from.value = 'double-charge'; f.id.value = 'refund-lists'; f.querySelector('button').click(); return true })()`, nil)
		p.WaitFor("the editor", `location.pathname === '/console/studio/refund-lists' && document.getElementById('studio') && document.getElementById('studio').dataset.ready === 'true'`, 10*time.Second)
		const rows = `document.querySelectorAll('#studio-form [data-list="%s"] .studio-rows > fieldset').length`
		var before struct{ Objections, Criteria int }
		p.Eval(`({ objections: `+fmt.Sprintf(rows, "objections")+`, criteria: `+fmt.Sprintf(rows, "criteria")+` })`, &before)
		if before.Objections == 0 || before.Criteria == 0 {
			t.Fatalf("the form's lists are empty: %+v", before)
		}
		var stageOffered bool
		p.Eval(`!!document.querySelector('#studio-stage-names option[value="resolution"]') &&
			document.querySelector('#studio-form [data-list="objections"] [data-key="stage"]').getAttribute('list') === 'studio-stage-names'`, &stageOffered)
		if !stageOffered {
			t.Error("an objection's stage is not offered the stages' names")
		}

		// A new row takes the focus, so a keyboard user types straight into it.
		p.Eval(`(document.querySelector('#studio-form [data-list="objections"] .add').click(), true)`, nil)
		var focused string
		p.Eval(`document.activeElement.dataset.at || ''`, &focused)
		if want := fmt.Sprintf("objections[%d].id", before.Objections); focused != want {
			t.Errorf("after Add objection the focus is on %q, want %q", focused, want)
		}
		setRow(p, "objections", -1, "id", "manager")
		setRow(p, "objections", -1, "stage", "nowhere")
		setRow(p, "objections", -1, "says", "Put me through to your manager.\nI want a manager.")
		setRow(p, "objections", -1, "handled_by.any", "own, resolve")
		p.WaitFor("the problem at the new objection's stage", `(() => {
			const el = document.querySelector('#studio-form [data-at="objections[`+strconv.Itoa(before.Objections)+`].stage"]');
			return el && el.classList.contains('bad') && el.getAttribute('aria-invalid') === 'true' &&
				el.nextElementSibling && el.nextElementSibling.classList.contains('field-error') &&
				document.getElementById('yaml').value.includes('id: manager') })()`, 10*time.Second)
		var msg string
		p.Eval(`document.querySelector('#studio-form .field-error').textContent`, &msg)
		if !strings.Contains(msg, "nowhere") {
			t.Errorf("the stage's problem reads %q", msg)
		}
		shoot("studio-lists-lint.png")
		p.Eval(`(document.querySelector('#problems li[data-field="objections[`+strconv.Itoa(before.Objections)+`].stage"] button').click(), true)`, nil)
		p.Eval(`document.activeElement.dataset.at || ''`, &focused)
		if want := fmt.Sprintf("objections[%d].stage", before.Objections); focused != want {
			t.Errorf("the problem in the list took the focus to %q, want %q", focused, want)
		}
		setRow(p, "objections", -1, "stage", "resolution")

		p.Eval(`(document.querySelector('#studio-form [data-list="criteria"] .add').click(), true)`, nil)
		setRow(p, "criteria", -1, "id", "manager")
		setRow(p, "criteria", -1, "name", "Kept it off the manager")
		setRow(p, "criteria", -1, "weight", "10")
		setRow(p, "criteria", -1, "description", "Handles the request for a manager herself.")
		setRow(p, "criteria", -1, "good", "i can fix this for you right now")
		setRow(p, "criteria", -1, "better", "I can fix this for you right now.\nLet me sort it out myself.")
		setRow(p, "criteria", -1, "behaviours", "resolve")
		setRow(p, "criteria", -1, "metrics", "talk_ratio 0.5 0.8")
		setRow(p, "objections", -1, "again", "I said I want a manager.")
		p.Eval(`(() => { const row = Array.from(document.querySelectorAll('#studio-form [data-list="behaviours"] .studio-rows > fieldset'))
			.find((fs) => fs.querySelector('[data-key="name"]').value === 'verify');
			const el = row.querySelector('select[data-key="needs"]');
			el.value = 'question'; el.dispatchEvent(new Event('input', {bubbles: true})); return true })()`, nil)
		p.Eval(`(() => { const rows = document.querySelectorAll('#studio-form [data-list="criteria"] .studio-rows > fieldset');
			rows[rows.length - 1].querySelector('[data-key="required"]').click(); return true })()`, nil)
		p.WaitFor("no problems, the rubric following the form", `!document.querySelector('#studio-form .bad') && document.querySelector('#problems li.ok') &&
			document.getElementById('rubric').value.includes('Kept it off the manager') && document.getElementById('studio').dataset.linting === 'false'`, 10*time.Second)
		// A YAML edit comes back into the row; Remove drops a row from the rubric.
		p.Eval(`(() => { const y = document.getElementById('yaml');
			y.value = y.value.replace('id: manager', 'id: boss'); y.dispatchEvent(new Event('input', {bubbles: true})); return true })()`, nil)
		p.WaitFor("the objection's row following the YAML", `(() => { const rows = document.querySelectorAll('#studio-form [data-list="objections"] .studio-rows > fieldset');
			return rows[rows.length - 1].querySelector('[data-key="id"]').value === 'boss' && document.getElementById('studio').dataset.linting === 'false' })()`, 10*time.Second)
		p.Eval(`(() => { const row = Array.from(document.querySelectorAll('#studio-form [data-list="criteria"] .studio-rows > fieldset'))
			.find((fs) => fs.querySelector('[data-key="id"]').value === 'tone');
			row.querySelector('.remove').click(); return true })()`, nil)
		p.Eval(`document.activeElement.dataset.at || ''`, &focused)
		if want := "criteria[2].id"; focused != want {
			t.Errorf("after removing criterion 3 the focus is on %q, want %q", focused, want)
		}
		p.WaitFor("the rubric without the removed criterion", `!document.getElementById('rubric').value.includes('id: tone') &&
			document.getElementById('rubric').value.includes('Kept it off the manager') && document.getElementById('studio').dataset.linting === 'false'`, 10*time.Second)
		var wide bool
		p.Eval(`document.documentElement.scrollWidth > window.innerWidth`, &wide)
		if wide {
			t.Error("the editor is wider than the phone's screen")
		}

		p.Eval(`(document.getElementById('save').click(), true)`, nil)
		p.WaitFor("version 2 saved", `document.readyState !== 'loading' && document.getElementById('studio-state') && document.getElementById('studio-state').textContent.includes('Version 2') && document.getElementById('studio').dataset.ready === 'true'`, 10*time.Second)
		var after struct{ Objections, Criteria int }
		p.Eval(`({ objections: `+fmt.Sprintf(rows, "objections")+`, criteria: `+fmt.Sprintf(rows, "criteria")+` })`, &after)
		if after.Objections != before.Objections+1 || after.Criteria != before.Criteria {
			t.Errorf("after saving the form has %+v rows, want one more objection than %+v and as many criteria", after, before)
		}
		v, err := st.Get(t.Context(), "refund-lists", 2)
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"id: boss", "stage: resolution", "- Put me through to your manager.", "- I want a manager.", "handled_by:", "- I said I want a manager.", "needs: question"} {
			if !strings.Contains(v.YAML, want) {
				t.Errorf("the saved scenario lacks %q:\n%s", want, v.YAML)
			}
		}
		for _, want := range []string{"name: Kept it off the manager", "weight: 10", "required: true", "- Let me sort it out myself.", "behaviours: [resolve]", "{metric: talk_ratio, full: 0.5, zero: 0.8}"} {
			if !strings.Contains(v.Rubric, want) {
				t.Errorf("the saved rubric lacks %q:\n%s", want, v.Rubric)
			}
		}
		if strings.Contains(v.Rubric, "id: tone") {
			t.Error("the saved rubric still has the removed criterion")
		}
		if len(v.Problems) != 0 {
			t.Errorf("the saved version has problems: %v", v.Problems)
		}
	})
}

// TestBrowserStudioUpload drives Chromium and Firefox: a trainer chooses a PDF in the draft
// form's file input. A scanned one (no text) is refused with what to do; the refund policy's
// text fills the material box, and drafting it opens the editor with the PDF's title, its
// questions as the persona's objections and its sentences as her facts.
func TestBrowserStudioUpload(t *testing.T) {
	eachBrowser(t, 1280, 1000, func(t *testing.T, b webtest.Page, _ func(string)) {
		f, _ := newStudioFixture(t)
		studioSignIn(b, f.srv.URL, "tina@example.com")
		b.Navigate(f.srv.URL + "/console/studio")
		b.WaitFor("the studio", `document.readyState !== 'loading' && document.getElementById('material-file')`, 10*time.Second)
		const samples = "../../dialog/studio/material/testdata/"
		const msg = `document.getElementById('material-msg').textContent`

		b.SetFiles("#material-file", samples+"scanned.pdf")
		b.WaitFor("the scanned PDF refused", msg+`.includes('looks like a scanned PDF')`, 10*time.Second)
		var box string
		b.Eval(`document.querySelector('#draft-form textarea[name="material"]').value`, &box)
		if box != "" {
			t.Errorf("a refused file filled the material box with %q", box)
		}

		b.SetFiles("#material-file", samples+"returns-policy.pdf")
		b.WaitFor("the PDF's text in the material box", `document.querySelector('#draft-form textarea[name="material"]').value.includes('in their original packaging.')`, 10*time.Second)
		var said string
		b.Eval(msg, &said)
		if said != "Read returns-policy.pdf. Check the text, then Draft." {
			t.Errorf("after the upload the form says %q", said)
		}
		b.Eval(`(() => { const f = document.getElementById('draft-form');
			f.id.value = 'returns-pdf'; f.querySelector('button[type="submit"]').click(); return true })()`, nil)
		b.WaitFor("the draft in the editor", `location.pathname === '/console/studio/returns-pdf' && document.getElementById('studio') && document.getElementById('studio').dataset.ready === 'true'`, 10*time.Second)
		var draft struct {
			Title, Facts string
			Says         []string
		}
		b.Eval(`({ title: document.querySelector('#studio-form [data-field="title"]').value,
			says: Array.from(document.querySelectorAll('#studio-form [data-list="objections"] [data-key="says"]')).map((el) => el.value),
			facts: document.getElementById('facts').textContent })`, &draft)
		if draft.Title != "Northwind Home: refunds and returns" {
			t.Errorf("the draft's title is %q", draft.Title)
		}
		if len(draft.Says) != 2 || draft.Says[0] != "Can I return a sofa after thirty days?" || draft.Says[1] != "Why should I pay for the return label?" {
			t.Errorf("the draft's objections say %q", draft.Says)
		}
		if !strings.Contains(draft.Facts, "A return label costs £4.95 and is taken off the refund, unless the item was faulty.") {
			t.Errorf("the draft's facts read %q", draft.Facts)
		}
	})
}
