package studio_test

import (
	"errors"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/sparlab/spar/dialog/studio"
)

func TestSetListsUnchangedKeepsBytes(t *testing.T) {
	for _, id := range []string{"double-charge", "double-charge-hard", "cold-call-vendor", "lost-appointment"} {
		scen, rub, ok := builtins{}.Source(id)
		if !ok {
			t.Fatalf("no built-in %s", id)
		}
		rows := studio.ListRows(scen, rub)
		if len(rows["stages"]) == 0 || len(rows["behaviours"]) == 0 || len(rows["criteria"]) == 0 {
			t.Errorf("%s: lists read empty: %d stages, %d behaviours, %d criteria", id, len(rows["stages"]), len(rows["behaviours"]), len(rows["criteria"]))
		}
		for _, doc := range []struct {
			name string
			data []byte
		}{{studio.DocScenario, scen}, {studio.DocRubric, rub}} {
			out, err := studio.SetLists(doc.data, doc.name, rows)
			if err != nil {
				t.Fatal(err)
			}
			if string(out) != string(doc.data) {
				t.Errorf("%s %s: setting the lists to their own rows changed the file", id, doc.name)
			}
		}
	}
}

func TestSetListsAddRemoveEdit(t *testing.T) {
	scen, rub, _ := builtins{}.Source("double-charge")
	lint := studio.Linter{Rubric: checkRubric}
	rows := studio.ListRows(scen, rub)

	obj := append(rows["objections"], studio.Row{Origin: -1, Values: map[string]string{"id": "manager", "stage": "resolution",
		"says": "I want to speak to your manager.\nGet me a manager.", "handled_by.any": "own, resolve"}})
	beh := rows["behaviours"]
	beh[0].Values["phrases"] = "hello there\ngood morning"
	beh[0].Values["mood"] = "-1"
	scen2, err := studio.SetLists(scen, studio.DocScenario, map[string][]studio.Row{"objections": obj, "behaviours": beh})
	if err != nil {
		t.Fatal(err)
	}
	// Drop the first criterion and move its weight onto a new required one.
	crit := rows["criteria"][1:]
	crit = append(crit, studio.Row{Origin: -1, Values: map[string]string{"id": "manager", "name": "Kept it off the manager",
		"weight": rows["criteria"][0].Values["weight"], "required": "true", "description": "Handles the request for a manager.",
		"good": "let me fix this for you now", "better": "I can fix this for you right now.", "behaviours": "resolve"}})
	rub2, err := studio.SetLists(rub, studio.DocRubric, map[string][]studio.Row{"criteria": crit})
	if err != nil {
		t.Fatal(err)
	}
	if ps := lint.Lint("double-charge", scen2, rub2); len(ps) != 0 {
		t.Fatalf("problems after the edit: %v\n%s", ps, rub2)
	}
	got := studio.ListRows(scen2, rub2)
	last := got["objections"][len(got["objections"])-1].Values
	if last["id"] != "manager" || last["says"] != "I want to speak to your manager.\nGet me a manager." || last["handled_by.any"] != "own, resolve" {
		t.Errorf("new objection reads %q", last)
	}
	if g := got["behaviours"][0].Values; g["phrases"] != "hello there\ngood morning" || g["mood"] != "-1" || g["name"] != "greet" {
		t.Errorf("edited behaviour reads %q", g)
	}
	if len(got["criteria"]) != len(rows["criteria"]) || got["criteria"][0].Values["id"] != "apologize_own" {
		t.Errorf("criteria now %v", got["criteria"])
	}
	// The criteria kept their keys the edit did not touch: apologize_own's want, and max, which the form does not show.
	var r struct {
		Criteria []struct {
			ID       string
			Want     int
			Max      int
			Required bool
		}
	}
	if err := yaml.Unmarshal(rub2, &r); err != nil {
		t.Fatal(err)
	}
	if c := r.Criteria[0]; c.ID != "apologize_own" || c.Want != 2 || c.Max != 4 {
		t.Errorf("apologize_own lost its other keys: %+v", c)
	}
	if c := r.Criteria[len(r.Criteria)-1]; !c.Required {
		t.Errorf("the new criterion is not required: %+v", c)
	}
	if !strings.Contains(string(rub2), "# Rubric for double-charge") {
		t.Error("the rubric's comments were lost")
	}
}

func TestListLintPointsAtRowField(t *testing.T) {
	scen, rub, _ := builtins{}.Source("double-charge")
	rows := studio.ListRows(scen, rub)
	rows["objections"][1].Values["stage"] = "nowhere"
	out, err := studio.SetLists(scen, studio.DocScenario, rows)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range (studio.Linter{Rubric: checkRubric}).Lint("double-charge", out, rub) {
		if p.Field == "objections[1].stage" {
			return
		}
	}
	t.Fatal("no problem at objections[1].stage")
}

// TestSetListsNewRowsReadBack: every row written as new reads back as it was typed.
func TestSetListsNewRowsReadBack(t *testing.T) {
	for _, id := range []string{"double-charge", "cold-call-vendor"} {
		scen, rub, _ := builtins{}.Source(id)
		rows := studio.ListRows(scen, rub)
		for name, rs := range rows {
			for i := range rs {
				rs[i].Origin = -1
			}
			rows[name] = rs
		}
		scen2, err := studio.SetLists(scen, studio.DocScenario, rows)
		if err != nil {
			t.Fatal(err)
		}
		rub2, err := studio.SetLists(rub, studio.DocRubric, rows)
		if err != nil {
			t.Fatal(err)
		}
		got := studio.ListRows(scen2, rub2)
		for name, rs := range rows {
			for i, r := range rs {
				for k, v := range r.Values {
					if g := got[name][i].Values[k]; g != v {
						t.Errorf("%s %s[%d].%s reads back %q, want %q", id, name, i, k, g, v)
					}
				}
			}
		}
	}
}

// TestSetListsEveryColumn edits the columns that take more than text (a choice, metric
// lines, numbers) and checks lint passes and the file holds what the scorer and persona read.
func TestSetListsEveryColumn(t *testing.T) {
	scen, rub, _ := builtins{}.Source("double-charge")
	rows := studio.ListRows(scen, rub)
	beh := rows["behaviours"]
	beh[0].Values["needs"], beh[0].Values["repeat"] = "question", "0.5"
	obj := rows["objections"]
	obj[0].Values["again"], obj[0].Values["yields"] = "Still waiting.\nWell?", "Fine. Go on."
	crit := rows["criteria"]
	crit[0].Values["metrics"] = "talk_ratio 0.5 0.8\n  dead_air_longest_s   3 12 "
	crit[0].Values["want"], crit[0].Values["avoid_behaviours"] = "1", "blame"
	scen2, err := studio.SetLists(scen, studio.DocScenario, map[string][]studio.Row{"behaviours": beh, "objections": obj})
	if err != nil {
		t.Fatal(err)
	}
	rub2, err := studio.SetLists(rub, studio.DocRubric, map[string][]studio.Row{"criteria": crit})
	if err != nil {
		t.Fatal(err)
	}
	if ps := (studio.Linter{Rubric: checkRubric}).Lint("double-charge", scen2, rub2); len(ps) != 0 {
		t.Fatalf("problems after the edit: %v", ps)
	}
	var s struct {
		Behaviours map[string]struct {
			Needs  string
			Repeat float64
		}
		Objections []struct{ Again, Yields []string }
	}
	var r struct {
		Criteria []struct {
			Want            int
			AvoidBehaviours []string `yaml:"avoid_behaviours"`
			Metrics         []struct {
				Metric     string
				Full, Zero float64
			}
		}
	}
	if err := yaml.Unmarshal(scen2, &s); err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(rub2, &r); err != nil {
		t.Fatal(err)
	}
	if b := s.Behaviours[beh[0].Values["name"]]; b.Needs != "question" || b.Repeat != 0.5 {
		t.Errorf("behaviour %s: %+v", beh[0].Values["name"], b)
	}
	if o := s.Objections[0]; len(o.Again) != 2 || o.Yields[0] != "Fine. Go on." {
		t.Errorf("objection 0: %+v", o)
	}
	c := r.Criteria[0]
	if c.Want != 1 || len(c.AvoidBehaviours) != 1 || len(c.Metrics) != 2 || c.Metrics[1].Metric != "dead_air_longest_s" || c.Metrics[1].Zero != 12 {
		t.Errorf("criterion 0: %+v", c)
	}
	if got := studio.ListRows(scen2, rub2)["criteria"][0].Values["metrics"]; got != "talk_ratio 0.5 0.8\ndead_air_longest_s 3 12" {
		t.Errorf("metrics read back %q", got)
	}
}

func TestSetListsRefusesValuesTheFileCannotHold(t *testing.T) {
	scen, rub, _ := builtins{}.Source("double-charge")
	for _, tc := range []struct{ list, key, value, field string }{
		{"criteria", "metrics", "talk_ratio 0.5", "criteria[0].metrics"},
		{"criteria", "metrics", "talk_ratio half none", "criteria[0].metrics"},
		{"criteria", "weight", "twenty", "criteria[0].weight"},
		{"behaviours", "needs", "shouting", "behaviours.%s.needs"},
	} {
		rows := studio.ListRows(scen, rub)
		rows[tc.list][0].Values[tc.key] = tc.value
		field := tc.field
		if strings.Contains(field, "%s") {
			field = strings.Replace(field, "%s", rows[tc.list][0].Values["name"], 1)
		}
		data, doc := scen, studio.DocScenario
		if tc.list == "criteria" {
			data, doc = rub, studio.DocRubric
		}
		_, err := studio.SetLists(data, doc, rows)
		var le *studio.ListError
		if !errors.As(err, &le) || le.Field != field {
			t.Errorf("%s = %q: error %v, want one at %s", tc.key, tc.value, err, field)
		}
	}
}
