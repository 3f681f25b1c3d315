package studio_test

import (
	"testing"

	"github.com/sparlab/spar/dialog/studio"
)

// FuzzLint feeds uploaded or typed YAML (untrusted) to everything the editor runs on it.
func FuzzLint(f *testing.F) {
	scen, rub, _ := builtins{}.Source("double-charge")
	f.Add(scen, rub)
	f.Add([]byte("id: x\npersona: [1, 2]\n"), []byte("criteria: {a: 1}\n"))
	f.Add([]byte("- a\n- b\n"), []byte(""))
	f.Add([]byte("persona:\n  start_mood: &a [*a]\n"), []byte("pass_mark: [\n"))
	lint := studio.Linter{Rubric: checkRubric}
	f.Fuzz(func(t *testing.T, scen, rub []byte) {
		for _, p := range lint.Lint("x", scen, rub) {
			if p.Msg == "" || (p.Doc != studio.DocScenario && p.Doc != studio.DocRubric) {
				t.Fatalf("problem without a message or document: %+v", p)
			}
		}
		fields, _ := studio.Fields(scen, rub)
		if out, err := studio.SetFields(scen, map[string]string{"title": "T", "persona.start_mood": "3", "criteria[0].weight": "2"}); err == nil {
			if g, _ := studio.Fields(out, nil); g["title"] != "T" {
				t.Fatalf("title after SetFields = %q (fields before %q)", g["title"], fields)
			}
		}
		rows := studio.ListRows(scen, rub)
		for _, l := range studio.Lists {
			rows[l.Name] = append(rows[l.Name], studio.Row{Origin: -1, Values: map[string]string{"name": "new", "id": "new", "says": "a\nb", "weight": "1"}})
		}
		if out, err := studio.SetLists(scen, studio.DocScenario, rows); err == nil {
			if got := studio.ListRows(out, nil); len(got["objections"]) != len(rows["objections"]) {
				t.Fatalf("%d objections after SetLists, want %d", len(got["objections"]), len(rows["objections"]))
			}
		}
		_, _ = studio.SetLists(rub, studio.DocRubric, rows)
	})
}
