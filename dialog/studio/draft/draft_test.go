package draft_test

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sparlab/spar/dialog/scenario"
	"github.com/sparlab/spar/dialog/studio"
	"github.com/sparlab/spar/dialog/studio/draft"
	studiomaterial "github.com/sparlab/spar/dialog/studio/material"
	"github.com/sparlab/spar/scoring"
)

var update = flag.Bool("update", false, "rewrite the golden drafts in testdata")

func checkRubric(sc *scenario.Scenario, data []byte) error {
	r, err := scoring.ParseRubric(sc.ID+".yaml", data)
	if err != nil {
		return err
	}
	return r.CheckScenario(sc)
}

// TestDraftFromMaterial drafts the committed sample material, each file read as the upload
// reads it (material.Reader: HTML as its visible text, PDF through pdftotext): each draft passes the studio's
// lint (the same as spar scenario lint, plus the rubric rules), takes its questions, answers
// and facts from the material, and matches its golden file.
func TestDraftFromMaterial(t *testing.T) {
	tests := []struct {
		file  string // from the package's directory
		kind  draft.Kind
		pairs []draft.Pair // the first ones
		fact  string       // one fact that must be found
		word  string       // one name that must be found
	}{
		{file: "testdata/refund-policy.md", kind: draft.Support,
			pairs: []draft.Pair{{Says: "I want my money back today", Answer: "I can start the refund now; it reaches your card within five business days of the parcel arriving."}},
			fact:  "Refunds go back to the original card within 5 business days of the parcel reaching our warehouse.", word: "Northwind"},
		{file: "testdata/product-faq.txt", kind: draft.Support,
			pairs: []draft.Pair{{Says: "Why does my internet drop every evening?", Answer: "The X2 switches channels when the network is busy. Turn on Stable Channel in the Brightline app under Settings."}},
			fact:  "The warranty lasts 2 years from the date of purchase.", word: "Brightline"},
		{file: "testdata/cold-call-transcript.txt", kind: draft.Sales,
			pairs: []draft.Pair{{Says: "I've got two minutes. What is this about?", Answer: "We help regional couriers cut failed deliveries. Most teams we talk to lose about 6 percent of drops to missed time windows."},
				{Says: "We already use Parcelpoint for routing. Why would we switch?", Answer: "Parcelpoint is solid on routing. What would you change about how it handles the customer's time window?"}},
			word: "Parcelpoint"},
		{file: "testdata/help-page.html", kind: draft.Support,
			pairs: []draft.Pair{{Says: "Why does my internet drop every evening?", Answer: "The X2 switches channels when the network is busy. Turn on Stable Channel in the Brightline app under Settings."}},
			fact:  "Replacements ship within 3 business days; a courier collects the old unit.", word: "Brightline"},
		{file: "testdata/support-call.txt", kind: draft.Support,
			pairs: []draft.Pair{{Says: "You've charged me twice for my renewal. That's $89 gone twice and this is the third time I've called!",
				Answer: "I'm sorry, that's a frustrating one. Let me pull up your account so we can fix it on this call."}},
			fact: "That's $89 gone twice and this is the third time I've called!", word: "Dana"},
		{file: "testdata/recorded-call.txt", kind: draft.Support,
			pairs: []draft.Pair{{Says: "i was charged twice for my order", Answer: "i am sorry about that let me check your account"},
				{Says: "why was i charged twice", Answer: "the second charge is a hold and it drops off in three days"}},
			fact: "i was charged twice for my order"},
		{file: "../material/testdata/returns-policy.pdf", kind: draft.Support,
			pairs: []draft.Pair{{Says: "Can I return a sofa after 30 days?", Answer: "No. Sofas must come back within 30 days of delivery, in their original packaging."},
				{Says: "Why should I pay for the return label?", Answer: "If the item was faulty the label is free, and we refund the full amount."}},
			fact: "Refunds go back to the original card within 5 business days of the parcel reaching our warehouse.", word: "Home"},
	}
	lint := studio.Linter{Rubric: checkRubric}
	for _, tt := range tests {
		t.Run(filepath.Base(tt.file), func(t *testing.T) {
			raw, err := os.ReadFile(tt.file)
			if err != nil {
				t.Fatal(err)
			}
			id := strings.TrimSuffix(filepath.Base(tt.file), filepath.Ext(tt.file))
			material, err := studiomaterial.Reader{}.Text(t.Context(), tt.file, raw)
			if err != nil {
				t.Fatal(err)
			}
			d, err := draft.Make(draft.Input{ID: id, Kind: tt.kind, Material: material})
			if err != nil {
				t.Fatal(err)
			}
			if ps := lint.Lint(id, d.Scenario, d.Rubric); len(ps) != 0 {
				t.Fatalf("the draft has lint problems: %v", ps)
			}
			for i, want := range tt.pairs {
				if i >= len(d.Pairs) || d.Pairs[i] != want {
					t.Errorf("pair %d = %+v, want %+v", i, d.Pairs, want)
				}
			}
			sc, err := scenario.Parse(id+".yaml", d.Scenario)
			if err != nil {
				t.Fatal(err)
			}
			// Says is spelled for the voice ("$89" -> "eighty-nine dollars"): the start is as written.
			if len(sc.Objections) != len(d.Pairs) || !strings.HasPrefix(sc.Objections[0].Says[0], d.Pairs[0].Says[:min(20, len(d.Pairs[0].Says))]) {
				t.Errorf("objections %+v do not come from the material's questions", sc.Objections)
			}
			if tt.fact != "" {
				found := false
				for _, f := range d.Facts {
					found = found || f.Text == tt.fact && strings.Contains(material, f.Source)
				}
				if !found || !strings.Contains(sc.Persona.Backstory, tt.fact) {
					t.Errorf("fact %q not in the facts %+v or the backstory", tt.fact, d.Facts)
				}
			}
			if tt.word != "" && !strings.Contains(strings.Join(sc.Words, " "), tt.word) {
				t.Errorf("words %v lack %q", sc.Words, tt.word)
			}
			golden(t, filepath.Join("testdata", id+".scenario.golden"), d.Scenario)
			golden(t, filepath.Join("testdata", id+".rubric.golden"), d.Rubric)
		})
	}
}

func TestDraftRefusesBadInput(t *testing.T) {
	for name, in := range map[string]draft.Input{
		"no material":    {ID: "x", Kind: draft.Support, Material: "  \n"},
		"unknown kind":   {ID: "x", Kind: "poetry", Material: "text"},
		"bad difficulty": {ID: "x", Kind: draft.Sales, Difficulty: "brutal", Material: "text"},
	} {
		if _, err := draft.Make(in); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to write it)", err)
	}
	if string(want) != string(got) {
		t.Errorf("%s differs from the draft (run with -update after checking the change)", path)
	}
}
