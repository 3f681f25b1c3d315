package console_test

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sparlab/spar/dialog"
	"github.com/sparlab/spar/scoring"
	"github.com/sparlab/spar/web/webtest"
)

// TestBrowserReplay drives headless Chromium and Firefox through the console: a trainer signs in, opens a
// call, plays it, clicks a transcript line (the audio jumps there and the line lights up),
// adds a comment at that moment; then the learner signs in and sees the comment.
func TestBrowserReplay(t *testing.T) {
	eachBrowser(t, 1360, 1200, func(t *testing.T, p webtest.Page, shoot func(string)) {
		f := newFixture(t)

		openCall := func() {
			p.Eval(`document.querySelector('a.call-link[href="/console/calls/call-alice"]').click()`, nil)
			p.WaitFor("the replay page", `document.getElementById('replay') && document.getElementById('replay').dataset.ready === 'true'`, 10*time.Second)
		}

		signIn(p, f.srv.URL, "tina@example.com")
		// The list and the replay say whose call it is and which scenario, by title.
		var cell string
		p.Eval(`document.querySelector('a.call-link[href="/console/calls/call-alice"]').closest('tr').textContent`, &cell)
		if !strings.Contains(cell, "Charged twice for a renewal") {
			t.Errorf("the calls list row reads %q, want the scenario's title", cell)
		}
		openCall()
		var heading string
		p.Eval(`document.getElementById('title').textContent + ' | ' + document.getElementById('subtitle').textContent`, &heading)
		if !strings.Contains(heading, "Alice Learner") || !strings.Contains(heading, "Charged twice for a renewal") || !regexp.MustCompile(`\d{2}:\d{2} [A-Z+\-0-9]+ ·`).MatchString(heading) {
			t.Errorf("the replay heading reads %q, want the learner, the scenario title and a time with its zone", heading)
		}
		var n int
		p.Eval(`document.querySelectorAll('#transcript li').length`, &n)
		if n != 3 {
			t.Fatalf("transcript shows %d lines, want 3", n)
		}
		p.Eval(`document.getElementById('audio').play().then(() => true)`, nil)
		p.WaitFor("playback to advance", `document.getElementById('audio').currentTime > 0.3`, 10*time.Second)
		p.WaitFor("the first line highlighted while playing", `document.querySelectorAll('#transcript li')[0].classList.contains('current')`, 5*time.Second)

		p.Eval(`(() => { document.getElementById('audio').pause(); document.querySelectorAll('#transcript li')[2].click(); return true })()`, nil)
		p.WaitFor("the seek to finish", `!document.getElementById('audio').seeking`, 5*time.Second)
		var pos float64
		p.Eval(`document.getElementById('audio').currentTime`, &pos)
		if math.Abs(pos-8) > 0.25 {
			t.Fatalf("after clicking the line at 0:08 the audio is at %.2f s", pos)
		}
		p.WaitFor("the clicked line highlighted", `document.querySelectorAll('#transcript li')[2].classList.contains('current')`, 5*time.Second)

		// An evidence quote jumps to its moment too.
		p.Eval(`(() => { document.querySelector('#scorecard .quote').click(); return true })()`, nil)
		p.Eval(`document.getElementById('audio').currentTime`, &pos)
		if math.Abs(pos-8) > 0.25 {
			t.Errorf("evidence quote seeks to %.2f s, want 8", pos)
		}

		p.Eval(`(() => { document.getElementById('comment-text').value = 'Strong apology: keep this line.';
		document.getElementById('comment-add').click(); return true })()`, nil)
		p.WaitFor("the comment in the list", `[...document.querySelectorAll('#comments li .text')].some(e => e.textContent === 'Strong apology: keep this line.')`, 10*time.Second)
		p.WaitFor("the comment inline in the transcript, at its line", `(document.querySelectorAll('#transcript li')[2].querySelector('.inline-comment') || {}).textContent === 'Tina Trainer at 0:08: Strong apology: keep this line.'`, 5*time.Second)
		var at string
		p.Eval(`document.querySelector('#comments li .meta button').textContent`, &at)
		if at != "0:08" {
			t.Errorf("comment pinned at %q, want 0:08", at)
		}

		// A comment is edited in place, not in a browser prompt.
		p.Eval(`(() => { document.querySelector('#comments li .meta .edit').click(); return true })()`, nil)
		p.WaitFor("the edit box", `document.querySelector('#comments li form.comment-edit textarea')`, 5*time.Second)
		p.Eval(`(() => { const f = document.querySelector('#comments li form.comment-edit');
		f.querySelector('textarea').value = 'Strong apology: keep this line, say it sooner.';
		f.querySelector('button[type=submit]').click(); return true })()`, nil)
		p.WaitFor("the edited comment", `[...document.querySelectorAll('#comments li .text')].some(e => e.textContent === 'Strong apology: keep this line, say it sooner.')`, 10*time.Second)

		// The docs' picture of the replay: from the top, as a trainer opens it.
		p.Eval(`(window.scrollTo(0, 0), true)`, nil)
		shoot("console-replay.png")

		// Scrolled down to the comments, a click on evidence keeps the player on screen.
		var inView bool
		p.Eval(`(() => { window.scrollTo(0, document.body.scrollHeight);
		document.querySelector('#scorecard .quote').click();
		const r = document.getElementById('wave').getBoundingClientRect();
		return getComputedStyle(document.querySelector('.player')).position === 'sticky' && r.top >= 0 && r.bottom <= window.innerHeight; })()`, &inView)
		if !inView {
			t.Error("the waveform scrolled out of view")
		}

		// The scorecard and the mood markers speak plainly: no engine names, metric IDs or
		// raw mood arithmetic.
		var words string
		p.Eval(`document.getElementById('scorecard').textContent + ' | ' + document.getElementById('markers').textContent`, &words)
		if m := regexp.MustCompile(`deterministic|detector\(s\)|\b[a-z]+_[a-z_]+\b|-?\d+ -> -?\d+`).FindString(words); m != "" {
			t.Errorf("the replay speaks engine (%q): %s", m, words)
		}

		// An override can be set and taken back from the page (after a confirmation).
		p.Eval(`(() => { const f = document.getElementById('override-form');
		f.score.value = '40'; f.reason.value = 'Never gave a date.'; f.querySelector('button[type=submit]').click(); return true })()`, nil)
		p.WaitFor("the override", `document.querySelector('#scorecard .overall').textContent === '40' && !document.getElementById('override-remove').hidden`, 10*time.Second)
		p.Eval(`(() => { window.confirm = () => true; document.getElementById('override-remove').click(); return true })()`, nil)
		p.WaitFor("the judge's score back", `document.querySelector('#scorecard .overall').textContent !== '40' && document.getElementById('override-remove').hidden`, 10*time.Second)

		// The learner sees the trainer's comment, and may not add one.
		signOut(p)
		signIn(p, f.srv.URL, "alice@example.com")
		openCall()
		p.WaitFor("the trainer's comment", `[...document.querySelectorAll('#comments li .text')].some(e => e.textContent === 'Strong apology: keep this line, say it sooner.')`, 5*time.Second)
		var hidden bool
		p.Eval(`document.getElementById('comment-form').hidden && !document.getElementById('disagree-box').hidden`, &hidden)
		if !hidden {
			t.Error("the learner sees the comment form, or not the disagree form")
		}

		// A flagged card says what its flags mean, in plain words above the criteria, on the
		// replay page and on the learner's summary; a misheard quote says so.
		flagged := sampleCard("call-alice-flagged", "double-charge", 40)
		flagged.Criteria[0].Evidence[0].Misheard = true
		for _, f := range []string{scoring.FlagShortCall, scoring.FlagLowConfidence, scoring.FlagMisheard, "made_<b>up</b>"} {
			flagged.AddFlag(f)
		}
		f.seedCall(t, flagged.CallID, "alice", "double-charge", time.Now().Add(-time.Minute))
		if _, err := f.cards.Add(t.Context(), flagged); err != nil {
			t.Fatal(err)
		}
		for _, page := range []struct{ name, path, ready, notes, quote, shot string }{
			{"the replay page", "/console/calls/" + flagged.CallID, `document.getElementById('replay').dataset.ready === 'true'`,
				`#scorecard ul.notes li`, `#scorecard .quote`, "console-score-notes.png"},
			{"the learner's summary", "/?call=" + flagged.CallID, `!document.getElementById('score-ready').hidden`,
				`#score-notes li`, `#score-criteria .quote`, "learner-score-notes.png"},
		} {
			p.Navigate(f.srv.URL + page.path)
			p.WaitFor(page.name, page.ready, 15*time.Second)
			var got struct {
				Notes       []string
				Quote       string
				Above, Bold bool
			}
			p.Eval(`(() => { const notes = [...document.querySelectorAll('`+page.notes+`')];
			const q = document.querySelector('`+page.quote+`');
			return { notes: notes.map(e => e.textContent), quote: q ? q.textContent : '',
				above: notes.length > 0 && q && notes[0].getBoundingClientRect().bottom <= q.getBoundingClientRect().top,
				bold: !!document.querySelector('`+page.notes+` b') }; })()`, &got)
			if !slices.Equal(got.Notes, flagged.Notes) || !got.Above || got.Bold {
				t.Errorf("%s shows notes %q (above the criteria %v, markup %v); want %q above the criteria, as text", page.name, got.Notes, got.Above, got.Bold, flagged.Notes)
			}
			if !strings.HasSuffix(got.Quote, "(may be misheard)") {
				t.Errorf("%s shows the misheard quote as %q", page.name, got.Quote)
			}
			save(t, p.Screenshot(), page.shot)
		}
	})
}

// signIn signs in on the console at base as email and waits for the calls list. It returns
// the path the sign-in landed on (a learner's is the practice page, /).
func signIn(p webtest.Page, base, email string) (landed string) {
	p.Navigate(base + "/console/login")
	p.WaitFor("the login form", `document.getElementById('signin')`, 10*time.Second)
	p.Eval(`(() => { const f = document.querySelector('form[action="/console/login"]');
		f.email.value = '`+email+`'; f.password.value = '`+pw+`'; f.submit(); return true })()`, nil)
	// Learners land on the practice page; the tests go on from the calls list. A navigation
	// issued while that page still loads can hang in Firefox: wait for its load first.
	p.WaitFor("signed in", `(location.pathname === '/console/calls' || location.pathname === '/') && document.readyState === 'complete'`, 10*time.Second)
	p.Eval(`location.pathname`, &landed)
	if landed == "/" {
		p.Navigate(base + "/console/calls")
	}
	p.WaitFor("the calls list", `location.pathname === '/console/calls' && document.readyState !== 'loading' && document.querySelector('a.call-link')`, 10*time.Second)
	return landed
}

// signOut presses Sign out and waits for the login page.
func signOut(p webtest.Page) {
	p.Eval(`(() => { document.querySelector('form[action="/console/logout"] button').click(); return true })()`, nil)
	p.WaitFor("the login page", `location.pathname === '/console/login' && document.readyState !== 'loading'`, 10*time.Second)
}

// save writes a screenshot to docs/screenshots and checks it is not blank.
func save(t *testing.T, shot []byte, name string) {
	t.Helper()
	path := filepath.Join("..", "..", "docs", "screenshots", name)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, shot, 0o644); err != nil {
		t.Errorf("save screenshot: %v", err)
	}
	if err := webtest.NotBlank(shot); err != nil {
		t.Errorf("%s: %v", name, err)
	}
}

// TestBrowserPhoneLayout opens the calls list at 390x844 as a trainer, in Chromium and
// Firefox: the page does not scroll sideways, Sign out is on screen, the score filter's two
// boxes sit side by side, each with its own accessible name, and each call is a card of its
// own (its values one under another, each after its column's name) instead of a table row
// that scrolls sideways inside its box.
func TestBrowserPhoneLayout(t *testing.T) {
	eachBrowser(t, webtest.Phone.Width, webtest.Phone.Height, func(t *testing.T, p webtest.Page, shoot func(string)) {
		f := newFixture(t)
		signIn(p, f.srv.URL, "tina@example.com")
		var got struct {
			PageWidth, View, Client int
			SignOutRight            float64
			SameLine                bool
			Names                   string
		}
		p.Eval(`(() => {
		const out = document.querySelector('form[action="/console/logout"] button').getBoundingClientRect();
		const min = document.querySelector('input[name=min]'), max = document.querySelector('input[name=max]');
		return { pageWidth: document.documentElement.scrollWidth, view: window.innerWidth,
			client: document.documentElement.clientWidth, signOutRight: out.right,
			sameLine: Math.abs(min.getBoundingClientRect().top - max.getBoundingClientRect().top) < 2,
			names: min.getAttribute('aria-label') + '|' + max.getAttribute('aria-label') }; })()`, &got)
		// A page wider than the phone makes the browser zoom out (innerWidth grows with it).
		if w := webtest.Phone.Width; got.View > w || got.PageWidth > got.Client || got.SignOutRight > float64(got.Client) {
			t.Errorf("on a %d px phone the page is %d px wide (viewport %d, %d inside the scrollbar) and Sign out ends at %.0f px",
				w, got.PageWidth, got.View, got.Client, got.SignOutRight)
		}
		if !got.SameLine || got.Names != "Lowest score|Highest score" {
			t.Errorf("score filter: boxes on one line %v, names %q", got.SameLine, got.Names)
		}
		var card struct {
			Overflow, Right float64
			Stacked         bool
			Label           string
		}
		p.Eval(`(() => { const table = document.querySelector('table.calls');
		const row = document.querySelector('a.call-link[href="/console/calls/call-alice"]').closest('tr');
		const cells = [...row.cells], box = (e) => e.getBoundingClientRect();
		return { overflow: table.scrollWidth - table.clientWidth, right: box(row).right,
			stacked: cells.length === 6 && cells.every((c, i) => i === 0 || box(c).top >= box(cells[i - 1]).bottom - 1),
			// Firefox reports the ::before's content unresolved: the name is read off the
			// attribute, and the value checked to start after it.
			label: getComputedStyle(cells[1], '::before').content !== 'none' && box(cells[1].querySelector('a')).left - box(cells[1]).left > 40 ?
				cells[1].dataset.label : '' }; })()`, &card)
		if card.Overflow > 0 || card.Right > float64(got.Client) || !card.Stacked || card.Label != "Learner" {
			t.Errorf("a call on a %d px phone: %.0f px scroll sideways, its card ends at %.0f px, values one under another %v, learner labelled %q",
				webtest.Phone.Width, card.Overflow, card.Right, card.Stacked, card.Label)
		}
		shoot("console-calls-phone.png")

		// The practice page, signed in (account links and name in the header), fits too.
		p.Navigate(f.srv.URL + "/")
		p.WaitFor("the practice page ready", `!document.getElementById('account-nav').hidden &&
		document.querySelectorAll('#scenarios .card:not(.skeleton)').length > 0`, 10*time.Second)
		var page struct{ Width, View, Client int }
		p.Eval(`({ width: document.documentElement.scrollWidth, view: window.innerWidth, client: document.documentElement.clientWidth })`, &page)
		if w := webtest.Phone.Width; page.View > w || page.Width > page.Client {
			t.Errorf("on a %d px phone the signed-in practice page is %d px wide (viewport %d)", w, page.Width, page.View)
		}
	})
}

// TestBrowserPersonaMeter: the practice page's meter reads a customer's mood, and a sales
// prospect's interest (not "Frustrated 5/10" at hello).
func TestBrowserPersonaMeter(t *testing.T) {
	eachBrowser(t, 0, 0, func(t *testing.T, p webtest.Page, shoot func(string)) {
		f := newFixture(t)
		p.Navigate(f.srv.URL + "/")
		p.WaitFor("the scenario cards", `document.querySelector('#scenarios .card[data-scenario]')`, 10*time.Second)
		for id, want := range map[string]string{"cold-call-vendor": "Interest", "double-charge": "Mood"} {
			// Starting the call sets the meter up before it asks for the microphone (which this
			// browser has not got, so the page goes back to the cards).
			p.Eval(`(document.dispatchEvent(new CustomEvent('spar:practise', { detail: { scenario: '`+id+`' } })), true)`, nil)
			p.WaitFor("the meter of "+id, `document.getElementById('mood-label').textContent === '`+want+`'`, 10*time.Second)
		}
		// Status, mood and score are announced to screen readers as they change.
		var live bool
		p.Eval(`['status', 'mood-word'].every(id => document.getElementById(id).getAttribute('aria-live') === 'polite') &&
		document.getElementById('score-value').closest('[aria-live]') !== null`, &live)
		if !live {
			t.Error("status, mood or score is not a live region")
		}
	})
}

// TestBrowserTalkTrack: the replay shows who talked when and the call's figures, each beside
// the middle half of the same figure over the calls of that scenario the trainer can see.
func TestBrowserTalkTrack(t *testing.T) {
	eachBrowser(t, 1360, 1000, func(t *testing.T, p webtest.Page, shoot func(string)) {
		f := newFixture(t)
		now := time.Now().Add(-30 * time.Minute)
		f.seedScored(t, "rep-2", "alice", "double-charge", now, 50)
		f.seedScored(t, "rep-3", "alice", "double-charge", now.Add(time.Minute), 80)
		signIn(p, f.srv.URL, "tina@example.com")
		p.Navigate(f.srv.URL + "/console/calls/call-alice")
		p.WaitFor("the talk track", `!document.getElementById('talk-track').hidden && document.querySelector('#talk-figures .figure')`, 10*time.Second)
		var got struct {
			Bars           int
			Ratio, Typical string
		}
		p.Eval(`(() => { const r = document.querySelector('#talk-figures [data-metric=talk_ratio]');
		return { bars: document.querySelectorAll('#talk-strip .talk-bar').length,
			ratio: r.querySelector('.value').textContent, typical: r.querySelector('.typical').textContent }; })()`, &got)
		// call-alice was judged 60 (talk ratio 0.6); alice's three double-charge calls: 50, 60, 80.
		if got.Bars != 3 || got.Ratio != "60%" || got.Typical != "typical 55%–70% (3 calls)" {
			t.Errorf("talk track: %+v", got)
		}
		shoot("console-talk-track.png")
	})
}

// TestBrowserReplayTools: a link to a moment (#t=8) opens the call there; the keyboard moves
// between lines; the speed control sets the playback rate.
func TestBrowserReplayTools(t *testing.T) {
	eachBrowser(t, 0, 0, func(t *testing.T, p webtest.Page, shoot func(string)) {
		f := newFixture(t)
		signIn(p, f.srv.URL, "tina@example.com")
		p.Navigate(f.srv.URL + "/console/calls/call-alice#t=8")
		p.WaitFor("the replay page", `document.getElementById('replay').dataset.ready === 'true'`, 10*time.Second)
		p.WaitFor("the moment from the link", `Math.abs(document.getElementById('audio').currentTime - 8) < 0.3`, 5*time.Second)
		// "[" goes back to the line before (the persona's, at 3.5 s); "]" forward again.
		p.Eval(`(() => { document.body.dispatchEvent(new KeyboardEvent('keydown', { key: '[', bubbles: true })); return true })()`, nil)
		p.WaitFor("the previous line", `Math.abs(document.getElementById('audio').currentTime - 3.5) < 0.3`, 5*time.Second)
		p.Eval(`(() => { document.body.dispatchEvent(new KeyboardEvent('keydown', { key: ']', bubbles: true })); return true })()`, nil)
		p.WaitFor("the next line", `Math.abs(document.getElementById('audio').currentTime - 8) < 0.3`, 5*time.Second)
		p.Eval(`(() => { const s = document.getElementById('speed'); s.value = '1.5'; s.dispatchEvent(new Event('change')); return true })()`, nil)
		var rate float64
		p.Eval(`document.getElementById('audio').playbackRate`, &rate)
		if rate != 1.5 {
			t.Errorf("playback rate %v after choosing 1.5x", rate)
		}
		var focusable bool
		p.Eval(`document.querySelector('#transcript li').tabIndex === 0`, &focusable)
		if !focusable {
			t.Error("transcript lines cannot be reached with the keyboard")
		}
	})
}

// TestBrowserQueueAndProgress, in Chromium and Firefox: the console home counts what waits in
// the coaching queue and links to it; the queue lists the failed call with why; the learner's
// "Criteria over reps" draws a criterion she passed in the pass colour, not red.
func TestBrowserQueueAndProgress(t *testing.T) {
	eachBrowser(t, 1280, 900, func(t *testing.T, p webtest.Page, _ func(string)) {
		f := newFixture(t)
		signIn(p, f.srv.URL, "tina@example.com")
		var banner string
		p.Eval(`(document.querySelector('#review-count a') || {}).textContent || ''`, &banner)
		if !regexp.MustCompile(`^\d+ waiting in the coaching queue$`).MatchString(banner) {
			t.Errorf("the console home's queue count reads %q", banner)
		}
		p.Eval(`(document.querySelector('#review-count a').click(), true)`, nil)
		p.WaitFor("the coaching queue", `location.pathname === '/console/review' && document.getElementById('queue-nudges')`, 10*time.Second)
		var q struct{ Why, Nudges string }
		p.Eval(`({ why: (document.querySelector('#queue-calls li[data-call="call-alice"] .why') || {}).textContent || '',
			nudges: document.getElementById('queue-nudges').textContent })`, &q)
		if !strings.Contains(q.Why, "fail") || !strings.Contains(q.Nudges, "Every learner is on track") {
			t.Errorf("queue: alice's call is there because %q; nudges read %q", q.Why, q.Nudges)
		}
		p.Navigate(f.srv.URL + "/console/learners/alice")
		p.WaitFor("her progress", `document.querySelector('.multiples svg.chart .dot')`, 10*time.Second)
		// call-alice's one criterion scored 0.8: passed.
		var dots struct {
			N, Red    int
			Pass, Got string
		}
		p.Eval(`(() => { const dots = [...document.querySelectorAll('.multiples svg.chart .dot')];
			const fail = getComputedStyle(document.documentElement).getPropertyValue('--fail').trim();
			const probe = document.createElement('span'); probe.style.color = fail; document.body.append(probe);
			const red = getComputedStyle(probe).color; probe.remove();
			return { n: dots.length, red: dots.filter((d) => getComputedStyle(d).fill === red).length,
				pass: red, got: dots.length ? getComputedStyle(dots[0]).fill : '' }; })()`, &dots)
		if dots.N == 0 || dots.Red != 0 {
			t.Errorf("criteria over reps: %d of %d passed criterion dots drawn in the fail colour %s (first: %s)", dots.Red, dots.N, dots.Pass, dots.Got)
		}
	})
}

// TestBrowserAdminDeleteConfirms, in Chromium and Firefox: deleting an account takes two
// clicks, the second on a button that only shows once the warning is open.
func TestBrowserAdminDeleteConfirms(t *testing.T) {
	eachBrowser(t, 0, 0, func(t *testing.T, p webtest.Page, _ func(string)) {
		f := newFixture(t)
		signIn(p, f.srv.URL, "admin@example.com")
		p.Navigate(f.srv.URL + "/console/admin/users/ben")
		p.WaitFor("ben's account page", `document.querySelector('form[action$="/ben/delete"]')`, 10*time.Second)
		const btn = `document.querySelector('form[action$="/ben/delete"] button')`
		// (A closed <details> keeps its content's boxes in Chromium: checkVisibility, not
		// the box, says whether it shows.)
		var before, after bool
		p.Eval(btn+`.checkVisibility()`, &before)
		p.Eval(`(`+btn+`.closest('details').querySelector('summary').click(), true)`, nil)
		p.Eval(btn+`.checkVisibility()`, &after)
		if before || !after {
			t.Errorf("delete account: the button shows before the warning is opened %v, after %v", before, after)
		}
	})
}

// TestBrowserSkipSilence plays a call with 7 s of silence between two lines, in Chromium and
// Firefox, from inside the silence: with Skip silences on, playback jumps to just before the
// next line (0.3 s ahead of it); with it off, it plays through the silence. The page's own
// seeks are recorded as they happen (seeking events), so nothing depends on how fast the
// audio plays.
func TestBrowserSkipSilence(t *testing.T) {
	lines := []dialog.Utterance{
		{Speaker: dialog.SpeakerLearner, Text: "Thank you for calling Brightwave billing, this is Sam.", Start: 200 * time.Millisecond, End: 2 * time.Second},
		{Speaker: dialog.SpeakerPersona, Text: "Let me find my invoice.", Start: 2400 * time.Millisecond, End: 4 * time.Second},
		{Speaker: dialog.SpeakerLearner, Text: "Take your time, I am here.", Start: 11 * time.Second, End: 13 * time.Second},
	}
	eachBrowser(t, 1280, 900, func(t *testing.T, p webtest.Page, _ func(string)) {
		f := newFixture(t)
		f.seedLines(t, "call-pause", "alice", "double-charge", time.Now().Add(-time.Minute).Truncate(time.Second), lines, 14*time.Second)
		signIn(p, f.srv.URL, "tina@example.com")
		p.Navigate(f.srv.URL + "/console/calls/call-pause")
		p.WaitFor("the replay page", `document.getElementById('replay').dataset.ready === 'true'`, 10*time.Second)
		p.Eval(seekWatch, nil)

		type jump struct{ From, To float64 }
		// playFrom pauses, sets Skip silences, moves to 5 s (inside the silence) and plays.
		playFrom := func(skip bool) {
			p.Eval(fmt.Sprintf(`(() => { const a = document.getElementById('audio'); a.pause();
				document.getElementById('skip-silence').checked = %t; a.currentTime = 5; return true })()`, skip), nil)
			p.WaitFor("the seek to 5 s", `!document.getElementById('audio').seeking && Math.abs(document.getElementById('audio').currentTime - 5) < 0.05`, 5*time.Second)
			p.Eval(`(window.seeks = [], document.getElementById('audio').play().then(() => true))`, nil)
		}

		playFrom(true)
		p.WaitFor("a jump over the silence", `window.seeks.length > 0`, 10*time.Second)
		var jumps []jump
		p.Eval(`window.seeks`, &jumps)
		if j := jumps[0]; j.From < 4.9 || j.From > 6 || math.Abs(j.To-10.7) > 0.05 {
			t.Errorf("with Skip silences on, playback jumped %+v, want from the silence (5 s) to 10.7 s", jumps)
		}

		playFrom(false)
		p.WaitFor("playback to reach the next line", `document.getElementById('audio').currentTime > 11.2`, 20*time.Second)
		p.Eval(`(document.getElementById('audio').pause(), window.seeks)`, &jumps)
		if len(jumps) > 0 {
			t.Errorf("with Skip silences off, playback jumped %+v", jumps)
		}
	})
}

// seekWatch records in window.seeks each seek the page makes, from the position last played
// to where it went.
const seekWatch = `(() => { const a = document.getElementById('audio'); let last = a.currentTime; window.seeks = [];
	a.addEventListener('timeupdate', () => { if (!a.seeking) last = a.currentTime });
	a.addEventListener('seeking', () => { window.seeks.push({from: last, to: a.currentTime}); last = a.currentTime });
	return true })()`
