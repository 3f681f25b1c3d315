package studio_test

import (
	"io/fs"
	"log/slog"
	"testing"
	"time"

	"github.com/sparlab/spar/configs"
	"github.com/sparlab/spar/dialog/scenario"
	"github.com/sparlab/spar/dialog/store"
	"github.com/sparlab/spar/dialog/store/storetest"
	"github.com/sparlab/spar/dialog/studio"
	"github.com/sparlab/spar/scoring"
)

// builtins are the shipped scenarios and rubrics, read-only to the studio.
type builtins struct{}

func (builtins) Source(id string) ([]byte, []byte, bool) {
	scen, err := fs.ReadFile(configs.Scenarios, "scenarios/"+id+".yaml")
	if err != nil {
		return nil, nil, false
	}
	rub, _ := fs.ReadFile(configs.Rubrics, "rubrics/"+id+".yaml")
	return scen, rub, true
}

// checkRubric is the rubric check cmd/spar wires: scoring's own rules.
func checkRubric(sc *scenario.Scenario, data []byte) error {
	r, err := scoring.ParseRubric(sc.ID+".yaml", data)
	if err != nil {
		return err
	}
	return r.CheckScenario(sc)
}

// clock is a settable time for the studio.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

// node is where a test's studios keep their data: one Redis and one key prefix.
type node struct{ url, prefix string }

// newStudio returns a studio on a fresh key prefix of the test Redis, its clock, and where
// its data lives. Calling newStudioOn with that gives a second node on the same data (the
// same Redis, even when the test starts a private redis-server).
func newStudio(t *testing.T) (*studio.Studio, *clock, node) {
	at := node{url: storetest.URL(t), prefix: storetest.Prefix(t)}
	s, c := newStudioOn(t, at)
	return s, c, at
}

func newStudioOn(t *testing.T, at node) (*studio.Studio, *clock) {
	t.Helper()
	c := &clock{t: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)}
	lint := studio.Linter{Rubric: checkRubric}
	rdb := storetest.Client(t, at.url)
	return studio.New(rdb, store.StudioKeys{Prefix: at.prefix}, builtins{}, lint, c.now, slog.New(slog.DiscardHandler)), c
}

func files(t *testing.T) *scenario.Catalog {
	t.Helper()
	c, err := scenario.Load(configs.Scenarios, "scenarios")
	if err != nil {
		t.Fatal(err)
	}
	return c
}
