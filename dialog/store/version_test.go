package store

import (
	"context"
	"testing"
	"time"

	"github.com/sparlab/spar/dialog"
	"github.com/sparlab/spar/dialog/store/storetest"
)

// TestScenarioVersionKept: the studio version a call ran against, and whether it was a
// trainer's trial, are in its record, whether its server sealed it or Recover did after the
// server died.
func TestScenarioVersionKept(t *testing.T) {
	ctx := context.Background()
	rdb := storetest.Redis(t)
	s := newTestStore(t, rdb, storetest.Prefix(t), "node-a")

	info := testInfo("v-sealed", "alice", "refund-copy", time.Now())
	info.Params[ParamScenarioVersion] = "3"
	info.Params[ParamTrial] = "tina"
	l, err := s.Begin(ctx, info, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.Seal(ctx, dialog.Result{EndReason: "learner hung up"}); err != nil {
		t.Fatal(err)
	}
	got, err := s.Get(ctx, "v-sealed")
	if err != nil || got.ScenarioVersion != 3 || got.Trial != "tina" {
		t.Fatalf("sealed record: %+v, %v; want version 3, a trial by tina", got, err)
	}

	info = testInfo("v-died", "alice", "refund-copy", time.Now())
	info.Params[ParamScenarioVersion] = "4"
	info.Params[ParamTrial] = "tina"
	l, err = s.Begin(ctx, info, "")
	if err != nil {
		t.Fatal(err)
	}
	l.stopWriter()
	l.release()
	recs, err := s.Recover(ctx)
	if err != nil || len(recs) != 1 || recs[0].ScenarioVersion != 4 || recs[0].Trial != "tina" {
		t.Fatalf("recovered: %v, %v; want one trial record at version 4", recs, err)
	}

	plain, err := s.Begin(ctx, testInfo("v-file", "bob", "billing", time.Now()), "")
	if err != nil {
		t.Fatal(err)
	}
	rec, err := plain.Seal(ctx, dialog.Result{})
	if err != nil || rec.ScenarioVersion != 0 || rec.Trial != "" {
		t.Fatalf("a file scenario's call: version %d, trial %q, %v; want 0, no trial", rec.ScenarioVersion, rec.Trial, err)
	}
}
