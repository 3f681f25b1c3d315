package studio_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/sparlab/spar/dialog/studio"
)

func TestDuplicateEditPublish(t *testing.T) {
	ctx := context.Background()
	s, clk, at := newStudio(t)
	v1, err := s.Duplicate(ctx, "double-charge", "refund-team-a", "trainer-1")
	if err != nil {
		t.Fatal(err)
	}
	if v1.N != 1 || len(v1.Problems) != 0 || v1.Author != "trainer-1" || v1.Note != "duplicated from double-charge" {
		t.Fatalf("first version = n %d, problems %v, author %q, note %q", v1.N, v1.Problems, v1.Author, v1.Note)
	}
	f, _ := studio.Fields([]byte(v1.YAML), []byte(v1.Rubric))
	if f["id"] != "refund-team-a" || f["scenario"] != "refund-team-a" || f["title"] != "Charged twice for a renewal (copy)" {
		t.Fatalf("duplicate fields = id %q, rubric scenario %q, title %q", f["id"], f["scenario"], f["title"])
	}

	// Another node, sharing only Redis, serves the catalog.
	other, _ := newStudioOn(t, at)
	catalog := files(t).WithLive(other.Live())
	if _, ok := catalog.Get("refund-team-a"); ok {
		t.Fatal("a draft is in the catalog")
	}
	if err := s.Publish(ctx, "refund-team-a", 1); err != nil {
		t.Fatal(err)
	}
	sc, ok := catalog.Get("refund-team-a")
	if !ok || sc.Version != 1 || sc.Title != "Charged twice for a renewal (copy)" {
		t.Fatalf("published scenario on the other node = %v, %+v", ok, sc)
	}
	if n := len(catalog.List()); n != len(files(t).List())+1 {
		t.Fatalf("catalog lists %d scenarios", n)
	}

	clk.t = clk.t.Add(time.Hour)
	bad, err := studio.SetFields([]byte(v1.YAML), map[string]string{"persona.start_mood": "furious"})
	if err != nil {
		t.Fatal(err)
	}
	v2, err := s.Save(ctx, "refund-team-a", bad, []byte(v1.Rubric), "trainer-2", "")
	if err != nil {
		t.Fatal(err)
	}
	if v2.N != 2 || len(v2.Problems) == 0 || v2.Problems[0].Field != "persona.start_mood" {
		t.Fatalf("bad save = n %d, problems %v", v2.N, v2.Problems)
	}
	if err := s.Publish(ctx, "refund-team-a", 2); !errors.Is(err, studio.ErrProblems) {
		t.Fatalf("publishing a version with problems: %v", err)
	}
	good, _ := studio.SetFields(bad, map[string]string{"persona.start_mood": "8", "title": "Double charge, team A"})
	v3, err := s.Save(ctx, "refund-team-a", good, []byte(v1.Rubric), "trainer-2", "")
	if err != nil || len(v3.Problems) != 0 {
		t.Fatalf("fixed save: %v, problems %v", err, v3.Problems)
	}
	if err := s.Publish(ctx, "refund-team-a", 3); err != nil {
		t.Fatal(err)
	}
	sc, _ = catalog.Get("refund-team-a")
	if sc.Version != 3 || sc.Persona.StartMood != 8 || sc.Title != "Double charge, team A" {
		t.Fatalf("republished = version %d, start mood %d, title %q", sc.Version, sc.Persona.StartMood, sc.Title)
	}
	// The version a call ran against stays readable after later edits.
	old, err := s.Scenario(ctx, "refund-team-a", 1)
	if err != nil || old.Persona.StartMood != 6 || old.Version != 1 {
		t.Fatalf("version 1 after edits: %v, %+v", err, old)
	}

	hist, err := s.History(ctx, "refund-team-a")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, v := range hist {
		got = append(got, v.Author+"@"+v.At.Format("15:04"))
	}
	if want := "trainer-2@10:00 trainer-2@10:00 trainer-1@09:00"; strings.Join(got, " ") != want {
		t.Fatalf("history = %v, want %s", got, want)
	}
	list, err := s.List(ctx)
	if err != nil || len(list) != 1 {
		t.Fatalf("list: %v, %v", err, list)
	}
	if e := list[0]; e.Latest != 3 || e.Published != 3 || e.Origin != "double-charge" || e.Title != "Double charge, team A" {
		t.Fatalf("entry = %+v", e)
	}
}

func TestImportExportRoundTrip(t *testing.T) {
	ctx := context.Background()
	s, _, _ := newStudio(t)
	scen, rub, _ := builtins{}.Source("lost-appointment")
	scen = bytes.Replace(scen, []byte("id: lost-appointment\n"), []byte("id: clinic-lost-booking\n"), 1)
	rub = bytes.Replace(rub, []byte("scenario: lost-appointment\n"), []byte("scenario: clinic-lost-booking\n"), 1)
	v, err := s.Import(ctx, scen, rub, "trainer-1")
	if err != nil {
		t.Fatal(err)
	}
	if len(v.Problems) != 0 {
		t.Fatalf("import problems: %v", v.Problems)
	}
	got, err := s.Get(ctx, "clinic-lost-booking", 0)
	if err != nil {
		t.Fatal(err)
	}
	if got.YAML != string(scen) || got.Rubric != string(rub) {
		t.Fatal("export differs from the imported files")
	}
	// Importing the export again (under a new id) keeps every byte too.
	again := strings.Replace(got.YAML, "id: clinic-lost-booking\n", "id: clinic-again\n", 1)
	rubAgain := strings.Replace(got.Rubric, "scenario: clinic-lost-booking\n", "scenario: clinic-again\n", 1)
	v2, err := s.Import(ctx, []byte(again), []byte(rubAgain), "trainer-1")
	if err != nil || v2.YAML != again || v2.Rubric != rubAgain {
		t.Fatalf("second import: %v", err)
	}
}

func TestRefusals(t *testing.T) {
	ctx := context.Background()
	s, _, _ := newStudio(t)
	scen, rub, _ := builtins{}.Source("double-charge")
	if _, err := s.Save(ctx, "double-charge", scen, rub, "t", ""); !errors.Is(err, studio.ErrReadOnly) {
		t.Errorf("saving a built-in: %v", err)
	}
	if _, err := s.Import(ctx, scen, rub, "t"); !errors.Is(err, studio.ErrExists) {
		t.Errorf("importing a built-in's id: %v", err)
	}
	if _, err := s.Duplicate(ctx, "double-charge", "Bad Id!", "t"); !errors.Is(err, studio.ErrInvalidID) {
		t.Errorf("invalid id: %v", err)
	}
	if _, err := s.Duplicate(ctx, "double-charge", "copy-1", "t"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Duplicate(ctx, "cold-call-vendor", "copy-1", "t"); !errors.Is(err, studio.ErrExists) {
		t.Errorf("duplicate onto a taken id: %v", err)
	}
	if _, err := s.Save(ctx, "nobody", scen, rub, "t", ""); !errors.Is(err, studio.ErrNotFound) {
		t.Errorf("saving an unknown id: %v", err)
	}
	if _, err := s.Save(ctx, "copy-1", bytes.Repeat([]byte("#"), studio.MaxYAML+1), rub, "t", ""); !errors.Is(err, studio.ErrTooLarge) {
		t.Errorf("oversized: %v", err)
	}
}
