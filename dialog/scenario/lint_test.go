package scenario_test

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/sparlab/spar/configs"
	"github.com/sparlab/spar/dialog/scenario"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

// TestLintGolden lints each broken file in testdata and compares the problems, with their
// line and column, to testdata/<name>.golden.
func TestLintGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no testdata: %v", err)
	}
	for _, f := range files {
		name := filepath.Base(f)
		t.Run(name, func(t *testing.T) {
			probs := scenario.Lint(os.DirFS("testdata"), name)
			if len(probs) == 0 {
				t.Fatal("a broken file linted clean")
			}
			var b strings.Builder
			for _, p := range probs {
				b.WriteString(p.String() + "\n")
			}
			golden := strings.TrimSuffix(f, ".yaml") + ".golden"
			if *update {
				if err := os.WriteFile(golden, []byte(b.String()), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update)", err)
			}
			if b.String() != string(want) {
				t.Errorf("problems differ from %s\ngot:\n%s\nwant:\n%s", golden, b.String(), want)
			}
		})
	}
}

func TestLintShippedScenariosClean(t *testing.T) {
	probs := scenario.Lint(configs.Scenarios, "scenarios")
	for _, p := range probs {
		t.Error(p)
	}
	entries, _ := configs.Scenarios.ReadDir("scenarios")
	if len(entries) < 4 {
		t.Errorf("shipped %d scenarios, want at least 4", len(entries))
	}
}

func TestLintDuplicateIDAcrossFiles(t *testing.T) {
	data, err := configs.Scenarios.ReadFile("scenarios/double-charge.yaml")
	if err != nil {
		t.Fatal(err)
	}
	fsys := fstest.MapFS{"a.yaml": {Data: data}, "b.yaml": {Data: data}}
	probs := scenario.Lint(fsys, ".")
	if len(probs) != 1 || probs[0].File != "b.yaml" || !strings.Contains(probs[0].Msg, `already used by a.yaml`) {
		t.Fatalf("problems = %v, want one duplicate id in b.yaml", probs)
	}
	if probs[0].Line != 3 {
		t.Errorf("duplicate id reported at line %d, want the id line 3", probs[0].Line)
	}
	if _, err := scenario.Load(fsys, "."); err == nil || !strings.Contains(err.Error(), "duplicate id") {
		t.Errorf("Load with duplicate ids: err = %v", err)
	}
}

func TestLintMissingFile(t *testing.T) {
	probs := scenario.Lint(fstest.MapFS{}, "nope.yaml")
	if len(probs) != 1 || probs[0].File != "nope.yaml" {
		t.Fatalf("problems = %v", probs)
	}
}
