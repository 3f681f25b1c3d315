package console_test

import (
	"strings"
	"testing"
	"time"

	"github.com/sparlab/spar/web/webtest"
)

// TestBrowserAssignment drives headless Chromium and Firefox: a trainer creates an assignment for her
// team in the console; the learner practises once, signs in, opens the learner page at / and
// sees the assignment with its progress above the scenario cards, recounted when a rep is
// done; Practise starts that scenario's call.
func TestBrowserAssignment(t *testing.T) {
	eachBrowser(t, 1280, 900, func(t *testing.T, p webtest.Page, shoot func(string)) {
		f := newFixture(t)

		// A trainer lands on the console, which links to the practice page.
		if landed := signIn(p, f.srv.URL, "tina@example.com"); landed != "/console/calls" {
			t.Errorf("a trainer's sign-in landed on %s, want /console/calls", landed)
		}
		var practice bool
		p.Eval(`!!document.querySelector('header.top nav a[href="/"]')`, &practice)
		if !practice {
			t.Error("the console's header does not link to the practice page")
		}
		p.Eval(`(() => { document.querySelector('a[href="/console/assignments"]').click(); return true })()`, nil)
		// Parsed to the end: mid-load the form can exist before its fields do.
		p.WaitFor("the assignments page", `location.pathname === '/console/assignments' && document.readyState !== 'loading' && document.getElementById('assign-form')`, 10*time.Second)
		due := time.Now().AddDate(0, 0, 9).Format(time.DateOnly)
		p.Eval(`(() => { const f = document.getElementById('assign-form');
		f.scenario.value = 'double-charge'; f.team.value = 'red'; f.due.value = '`+due+`';
		f.reps.value = '3'; f.pass_mark.value = '70'; f.note.value = 'Three reps before Friday: own the mistake early.';
		f.querySelector('button[type=submit]').click(); return true })()`, nil)
		p.WaitFor("the new assignment", `document.querySelector('section.assignment') && location.search.includes('created=')`, 10*time.Second)
		var row string
		p.Eval(`document.querySelector('section.assignment tbody tr').textContent.replace(/\s+/g, ' ')`, &row)
		if !strings.Contains(row, "Alice Learner") || !strings.Contains(row, "0/3") || !strings.Contains(row, "not started") {
			t.Errorf("the trainer's progress row reads %q", row)
		}
		shoot("console-assignments.png")

		// Delete asks first: its button is inside a closed disclosure until the trainer opens it.
		var confirmFirst bool
		p.Eval(`(() => { const d = document.querySelector('section.assignment details.confirm');
		const btn = d && d.querySelector('form[action$="/delete"] button');
		if (!btn || d.open) return false;
		d.querySelector('summary').click(); // opening the disclosure shows the warning and the button
		return d.open && btn.getBoundingClientRect().height > 0; })()`, &confirmFirst)
		if !confirmFirst {
			t.Error("an assignment's delete button is one click away, with no confirmation")
		}

		// Alice practises once after the assignment was set (scored 85 by the judge).
		f.seedScored(t, "rep-1", "alice", "double-charge", time.Now(), 85)

		signOut(p)
		// A learner lands on the practice page, not on the console's calls table.
		if landed := signIn(p, f.srv.URL, "alice@example.com"); landed != "/" {
			t.Errorf("a learner's sign-in landed on %s, want the practice page", landed)
		}
		p.Navigate(f.srv.URL + "/")
		p.WaitFor("the assignments", `document.getElementById('assignments').dataset.ready === 'true' && document.querySelector('#assignments .assignment')`, 10*time.Second)
		var got struct {
			Title, Due, Reps, Passes, Width string
			Above                           bool
		}
		p.Eval(`(() => { const a = document.querySelector('#assignments .assignment');
		const cards = document.getElementById('scenarios');
		return { title: a.querySelector('h3').textContent, due: a.querySelector('.a-due').textContent,
			reps: a.querySelector('.a-reps').textContent, passes: a.querySelector('.a-passes').textContent,
			width: a.querySelector('.a-bar span').style.width,
			above: a.getBoundingClientRect().bottom <= cards.getBoundingClientRect().top }; })()`, &got)
		// Nine days and some hours remain (eight when a DST change falls in between near midnight).
		want := struct{ Title, Due, Reps, Passes, Width string }{"Charged twice for a renewal", "due in 9 days", "1 of 3 reps", "1 passed · pass mark 70", "33%"}
		if got.Due == "due in 8 days" {
			got.Due = want.Due
		}
		if got.Title != want.Title || got.Due != want.Due || got.Reps != want.Reps || got.Passes != want.Passes || got.Width != want.Width || !got.Above {
			t.Errorf("the learner's assignment shows %+v, want %+v above the cards", got, want)
		}
		p.WaitFor("the scenario cards", `document.querySelector('#scenarios .card[data-scenario]')`, 10*time.Second)
		// Signed in, she practises as herself: her name, not the guest's name box.
		p.WaitFor("her name in the header", `(document.getElementById('learner-signed-in') || {}).textContent === 'Alice Learner'`, 10*time.Second)
		var guestBox bool
		p.Eval(`document.getElementById('learner-name').getClientRects().length > 0`, &guestBox)
		if guestBox {
			t.Error("a signed-in learner is shown the guest's name box")
		}
		var statusShown bool
		p.Eval(`!document.getElementById('status-link').hidden`, &statusShown)
		if !statusShown {
			t.Error("a signed-in learner is not offered the server status link")
		}
		// The practice page links to the learner's progress, and signs out.
		var nav string
		p.Eval(`(() => { const n = document.getElementById('account-nav');
		return n.hidden ? '' : n.textContent + ' ' + n.querySelector('a').getAttribute('href'); })()`, &nav)
		if !strings.Contains(nav, "Alice Learner") || !strings.Contains(nav, "My progress") || !strings.HasSuffix(nav, " /console/learners/alice") || !strings.Contains(nav, "Sign out") {
			t.Errorf("the practice page's account links read %q", nav)
		}

		// A second rep is scored while the page is open: learner.js's 'spar:rep' (sent when a
		// call ends and when its score arrives) recounts the card without a reload.
		f.seedScored(t, "rep-2", "alice", "double-charge", time.Now(), 60)
		p.Eval(`(() => { document.dispatchEvent(new CustomEvent('spar:rep')); return true })()`, nil)
		p.WaitFor("the recounted card", `document.querySelector('#assignments .a-reps').textContent === '2 of 3 reps'`, 10*time.Second)

		shoot("learner-assignments.png")

		// Practise hands the scenario to learner.js, which starts that call.
		p.Eval(`(() => { document.querySelector('#assignments .assignment .btn').click(); return true })()`, nil)
		p.WaitFor("the call of the assigned scenario", `window.spar.scenario && window.spar.scenario.id === 'double-charge'`, 5*time.Second)

		// Her call's summary offers its replay, with the trainer's comments, in the console.
		p.Navigate(f.srv.URL + "/?call=call-alice")
		p.WaitFor("the replay link", `!document.getElementById('view-summary').hidden && !document.getElementById('replay-link').hidden`, 10*time.Second)
		var href string
		p.Eval(`document.getElementById('replay-link').getAttribute('href')`, &href)
		if href != "/console/calls/call-alice" {
			t.Errorf("replay link %q", href)
		}
		p.Eval(`(() => { document.getElementById('replay-link').click(); return true })()`, nil)
		p.WaitFor("her replay", `location.pathname === '/console/calls/call-alice' && document.getElementById('replay').dataset.ready === 'true'`, 10*time.Second)

		// Signed out (from the practice page itself), the page is as it was: no assignments section.
		p.Navigate(f.srv.URL + "/")
		p.WaitFor("the account links", `!document.getElementById('account-nav').hidden`, 10*time.Second)
		p.Eval(`(() => { document.querySelector('#account-nav button').click(); return true })()`, nil)
		p.WaitFor("the login page", `location.pathname === '/console/login' && document.readyState !== 'loading'`, 10*time.Second)
		p.Navigate(f.srv.URL + "/")
		p.WaitFor("the anonymous page", `document.getElementById('assignments').dataset.ready === 'true' && document.querySelector('#scenarios .card[data-scenario]')`, 10*time.Second)
		var hidden bool
		p.Eval(`document.getElementById('assignments').hidden && !document.querySelector('#assignments .assignment')`, &hidden)
		if !hidden {
			t.Error("an anonymous visitor sees an assignments section")
		}
		// /status needs a signed-in user: a guest is not offered a link that answers with JSON.
		p.Eval(`document.getElementById('status-link').hidden`, &hidden)
		if !hidden {
			t.Error("an anonymous visitor is offered the server status link")
		}
	})
}
