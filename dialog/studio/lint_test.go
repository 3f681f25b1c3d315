package studio_test

import (
	"testing"

	"github.com/sparlab/spar/dialog/studio"
)

func TestLintPointsAtField(t *testing.T) {
	base, rub, _ := builtins{}.Source("double-charge")
	lint := studio.Linter{Rubric: checkRubric}
	tests := []struct {
		name       string
		scen, rub  map[string]string
		doc, field string
	}{
		{name: "start mood not a number", scen: map[string]string{"persona.start_mood": "high"}, doc: "scenario", field: "persona.start_mood"},
		{name: "unknown voice", scen: map[string]string{"persona.voice": "robot"}, doc: "scenario", field: "persona.voice"},
		{name: "empty title", scen: map[string]string{"title": ""}, doc: "scenario", field: "title"},
		{name: "id changed", scen: map[string]string{"id": "other"}, doc: "scenario", field: "id"},
		{name: "criterion weight zero", rub: map[string]string{"criteria[1].weight": "0"}, doc: "rubric", field: "criteria[1].weight"},
		{name: "pass mark over 100", rub: map[string]string{"pass_mark": "120"}, doc: "rubric", field: "pass_mark"},
		{name: "rubric names another scenario", rub: map[string]string{"scenario": "cold-call-vendor"}, doc: "rubric", field: "scenario"},
	}
	if ps := lint.Lint("double-charge", base, rub); len(ps) != 0 {
		t.Fatalf("the built-in has problems: %v", ps)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			scen, err := studio.SetFields(base, tt.scen)
			if err != nil {
				t.Fatal(err)
			}
			r, err := studio.SetFields(rub, tt.rub)
			if err != nil {
				t.Fatal(err)
			}
			ps := lint.Lint("double-charge", scen, r)
			for _, p := range ps {
				if p.Doc == tt.doc && p.Field == tt.field && p.Line > 0 {
					return
				}
			}
			t.Fatalf("no %s problem at %s in %v", tt.doc, tt.field, ps)
		})
	}
}

func TestSetFieldsKeepsUntouchedBytes(t *testing.T) {
	scen, _, _ := builtins{}.Source("cold-call-vendor")
	f, _ := studio.Fields(scen, nil)
	out, err := studio.SetFields(scen, map[string]string{"title": f["title"], "persona.name": f["persona.name"]})
	if err != nil {
		t.Fatal(err)
	}
	if string(out) != string(scen) {
		t.Fatal("setting fields to their own values changed the file")
	}
	out, err = studio.SetFields(scen, map[string]string{"situation": "Line one.\nLine two.\n", "persona.start_mood": "4"})
	if err != nil {
		t.Fatal(err)
	}
	g, _ := studio.Fields(out, nil)
	if g["situation"] != "Line one.\nLine two.\n" || g["persona.start_mood"] != "4" || g["title"] != f["title"] {
		t.Fatalf("after a change: %q", g)
	}
	if _, err := studio.SetFields([]byte("id: [unclosed"), map[string]string{"title": "x"}); err == nil {
		t.Fatal("broken YAML took a form change")
	}
}
