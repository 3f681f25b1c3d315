package main

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"golang.org/x/crypto/bcrypt"

	"github.com/sparlab/spar/configs"
	"github.com/sparlab/spar/dialog/store"
	"github.com/sparlab/spar/dialog/store/storetest"
	"github.com/sparlab/spar/dialog/studio"
	"github.com/sparlab/spar/telephony/twilio/sim"
	"github.com/sparlab/spar/web/account"
	"github.com/sparlab/spar/web/webtest"
)

// TestEndToEndStudioScenario: a scenario made in the studio while the server runs is
// callable without a restart, at the version published last; its call's record keeps that
// version after a newer one is published.
func TestEndToEndStudioScenario(t *testing.T) {
	e := newEnv(t)
	srv := e.start(t)
	st := openStore(t, e)
	ctx := t.Context()
	sdo, v1 := studioWithV2(t, storetest.Client(t, e.redisURL), st, "refund-red", func(y string) string {
		return strings.Replace(y, "start_mood: 6", "start_mood: 7", 1)
	})
	if err := sdo.Publish(ctx, "refund-red", 2); err != nil {
		t.Fatal(err)
	}

	script, synth := angryCaller(t)
	var out bytes.Buffer
	cctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()
	res, err := sim.Run(cctx, sim.Config{BaseURL: srv.base, AuthToken: e2eToken, Script: script, Out: &out, Scenario: "refund-red"},
		synth, slog.New(slog.DiscardHandler))
	t.Logf("caller output:\n%s", out.String())
	if err != nil {
		t.Fatal(err)
	}
	var rec *store.Record
	webtest.Poll(t, "the sealed call record", 30*time.Second, func() bool {
		rec, err = st.Get(ctx, res.CallID)
		return err == nil
	})
	if rec.Scenario != "refund-red" || rec.ScenarioVersion != 2 || len(rec.Transcript) == 0 {
		t.Fatalf("record: scenario %q version %d, %d lines; want refund-red version 2 with a transcript", rec.Scenario, rec.ScenarioVersion, len(rec.Transcript))
	}
	if _, err := sdo.Save(ctx, "refund-red", []byte(v1.YAML), []byte(v1.Rubric), "tina", ""); err != nil {
		t.Fatal(err)
	}
	if err := sdo.Publish(ctx, "refund-red", 3); err != nil {
		t.Fatal(err)
	}
	if rec, err = st.Get(ctx, res.CallID); err != nil || rec.ScenarioVersion != 2 {
		t.Fatalf("after version 3 was published the record says %d (%v), want 2", rec.ScenarioVersion, err)
	}
	if old, err := sdo.Scenario(ctx, "refund-red", rec.ScenarioVersion); err != nil || old.Persona.StartMood != 7 {
		t.Fatalf("the call's version: %v, %v", old, err)
	}

	// The server's worker scores the call against version 2's rubric, even though version 3
	// (the original wording) is published by then.
	var card struct {
		CallID   string `json:"call_id"`
		Criteria []struct {
			ID   string `json:"id"`
			Name string `json:"name"`
		} `json:"criteria"`
	}
	pollScorecard(t, srv, res.CallID, &card)
	names := map[string]string{}
	for _, c := range card.Criteria {
		names[c.ID] = c.Name
	}
	if names["verify"] != "Checked who she is" {
		t.Errorf("scorecard criteria %v: want version 2's verify criterion", names)
	}
}

// TestEndToEndStudioTryIt: in Chromium and Firefox, a trainer presses "Try it" in the
// studio editor on a draft that was never published, talks to it from the practice page
// (the fake microphone), and hangs up. The call runs the draft's version, is recorded as
// her trial, and the server's worker scores it against that version's rubric; learners
// still do not see the draft.
func TestEndToEndStudioTryIt(t *testing.T) {
	e, srv := learnerServer(t)
	st := openStore(t, e)
	ctx := t.Context()
	rdb := storetest.Client(t, e.redisURL)
	accts, err := account.New(rdb, st.AccountKeys(), account.Config{BcryptCost: bcrypt.MinCost}, nil)
	if err != nil {
		t.Fatal(err)
	}
	const pw = "correct horse battery"
	if _, err := accts.Create(ctx, account.NewUser{ID: "tina", Name: "Tina Trainer", Email: "tina@example.com",
		Role: account.RoleTrainer, Password: pw}); err != nil {
		t.Fatal(err)
	}
	sdo, _ := studioWithV2(t, rdb, st, "refund-try", nil)

	for _, b := range []struct {
		name   string
		launch func(testing.TB, webtest.Options) webtest.Page
	}{
		{"chromium", func(t testing.TB, o webtest.Options) webtest.Page { return webtest.Launch(t, o) }},
		{"firefox", func(t testing.TB, o webtest.Options) webtest.Page { return webtest.LaunchFirefox(t, o) }},
	} {
		t.Run(b.name, func(t *testing.T) {
			page := b.launch(t, webtest.Options{FakeMic: learnerWAV(t)})
			page.Navigate(srv.base + "/console/login")
			page.WaitFor("the login form", `document.querySelector('form[action="/console/login"]') && document.readyState !== 'loading'`, 15*time.Second)
			page.Eval(`(() => { const f = document.querySelector('form[action="/console/login"]');
				f.email.value = 'tina@example.com'; f.password.value = '`+pw+`'; f.submit(); return true })()`, nil)
			page.WaitFor("signed in", `location.pathname !== '/console/login' && document.readyState !== 'loading'`, 15*time.Second)
			page.Navigate(srv.base + "/console/studio/refund-try")
			page.WaitFor("the editor", `document.getElementById('studio') && document.getElementById('studio').dataset.ready === 'true'`, 15*time.Second)
			// Hear it: the greeting in the chosen voice, through the server's flite.
			page.Eval(`(() => { document.getElementById('hear').click(); return true })()`, nil)
			page.WaitFor("the voice preview loaded", `(() => { const a = document.getElementById('voice-audio'); return a.readyState >= 1 && a.duration > 0.5 })()`, 20*time.Second)
			page.Eval(`(() => { document.getElementById('try').click(); return true })()`, nil)
			page.WaitFor("the practice page with the trial", `location.pathname === '/' && location.search.startsWith('?trial=')`, 15*time.Second)
			var loc string
			page.Eval(`location.href`, &loc)
			page.Navigate(loc + "&mic=raw") // the test audio is clean
			page.WaitFor("the draft's card", `document.querySelector('#scenarios [data-scenario="refund-try"] button') && document.getElementById('trial-note')`, 15*time.Second)
			var note string
			page.Eval(`document.getElementById('trial-note').textContent`, &note)
			if !strings.Contains(note, "Trying version 2") || !strings.Contains(note, "counts in nobody's progress") {
				t.Errorf("the trial note reads %q", note)
			}
			if b.name == "chromium" {
				saveScreenshot(t, page, "studio-try.png")
			}
			page.Eval(`(() => { const n = document.getElementById('learner-name'); n.value = 'Tina tries';
				n.dispatchEvent(new Event('input')); document.querySelector('[data-scenario="refund-try"] button').click(); return true })()`, nil)
			page.WaitFor("the call to go live", `!!window.spar.callId && document.getElementById('status').textContent === 'Live'`, 20*time.Second)
			var callID string
			page.Eval(`window.spar.callId`, &callID)
			logTimelineOnFailure(t, e, callID)
			page.WaitFor("two learner lines on the page", learnerLines+` >= 2`, 60*time.Second)
			hangUp(page)

			var rec *store.Record
			webtest.Poll(t, "the sealed call record", 30*time.Second, func() bool {
				rec, err = st.Get(ctx, callID)
				return err == nil
			})
			if rec.Scenario != "refund-try" || rec.ScenarioVersion != 2 || rec.Trial != "tina" || len(rec.Transcript) == 0 {
				t.Errorf("record: scenario %q version %d trial %q, %d lines; want refund-try version 2, tina's trial, a transcript",
					rec.Scenario, rec.ScenarioVersion, rec.Trial, len(rec.Transcript))
			}
			var card struct {
				Criteria []struct{ ID, Name string } `json:"criteria"`
			}
			pollScorecard(t, srv, callID, &card)
			names := map[string]string{}
			for _, c := range card.Criteria {
				names[c.ID] = c.Name
			}
			if names["verify"] != "Checked who she is" {
				t.Errorf("scorecard criteria %v: want the draft version's verify criterion", names)
			}
		})
	}
	if _, body := httpGet(t, srv.base+"/api/scenarios"); strings.Contains(body, "refund-try") {
		t.Error("the practice page's scenarios list the draft")
	}
	if e, err := sdo.Entry(ctx, "refund-try"); err != nil || e.Published != 0 {
		t.Errorf("trying published the draft: %+v %v", e, err)
	}
}

// studioWithV2 duplicates the built-in double-charge as scenario id (version 1, by tina) and
// saves version 2 with its verify criterion renamed "Checked who she is" and, if edit is
// given, the scenario YAML edited. It returns the studio and version 1.
func studioWithV2(t *testing.T, rdb redis.UniversalClient, st *store.Store, id string, edit func(string) string) (*studio.Studio, *studio.Version) {
	t.Helper()
	files, err := loadScenarios("")
	if err != nil {
		t.Fatal(err)
	}
	src := fileSource{catalog: files, scenarios: configs.Scenarios, rubrics: configs.Rubrics, rubricDir: "rubrics"}
	sdo := studio.New(rdb, st.StudioKeys(), src, studio.Linter{Rubric: checkRubric}, nil, slog.New(slog.DiscardHandler))
	ctx := t.Context()
	v1, err := sdo.Duplicate(ctx, "double-charge", id, "tina")
	if err != nil {
		t.Fatal(err)
	}
	rubric2 := strings.Replace(v1.Rubric, "name: Verified the account efficiently", "name: Checked who she is", 1)
	if rubric2 == v1.Rubric {
		t.Fatal("the duplicated rubric has no verify criterion to rename")
	}
	yaml := v1.YAML
	if edit != nil {
		yaml = edit(yaml)
	}
	v2, err := sdo.Save(ctx, id, []byte(yaml), []byte(rubric2), "tina", "")
	if err != nil || len(v2.Problems) != 0 {
		t.Fatalf("save: %v %v", err, v2)
	}
	return sdo, v1
}
