package main

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/sparlab/spar/configs"
	"github.com/sparlab/spar/dialog/store"
	"github.com/sparlab/spar/dialog/store/storetest"
	"github.com/sparlab/spar/dialog/studio"
	"github.com/sparlab/spar/telephony/twilio/sim"
	"github.com/sparlab/spar/web/webtest"
)

// TestEndToEndStudioScenario: a scenario made in the studio while the server runs is
// callable without a restart, at the version published last; its call's record keeps that
// version after a newer one is published.
func TestEndToEndStudioScenario(t *testing.T) {
	e := newEnv(t)
	srv := e.start(t)
	st := openStore(t, e)
	files, err := loadScenarios("")
	if err != nil {
		t.Fatal(err)
	}
	src := fileSource{catalog: files, scenarios: configs.Scenarios, rubrics: configs.Rubrics, rubricDir: "rubrics"}
	sdo := studio.New(storetest.Client(t, e.redisURL), st.StudioKeys(), src, studio.Linter{Rubric: checkRubric}, nil, slog.New(slog.DiscardHandler))
	ctx := t.Context()
	v1, err := sdo.Duplicate(ctx, "double-charge", "refund-red", "tina")
	if err != nil {
		t.Fatal(err)
	}
	rubric2 := strings.Replace(v1.Rubric, "name: Verified the account efficiently", "name: Checked who she is", 1)
	if rubric2 == v1.Rubric {
		t.Fatal("the duplicated rubric has no verify criterion to rename")
	}
	v2, err := sdo.Save(ctx, "refund-red", []byte(strings.Replace(v1.YAML, "start_mood: 6", "start_mood: 7", 1)), []byte(rubric2), "tina", "")
	if err != nil || len(v2.Problems) != 0 {
		t.Fatalf("save: %v %v", err, v2)
	}
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
