package sphinx

import (
	"flag"
	"os"
	"runtime"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files")

func TestNormalize(t *testing.T) {
	cases := map[string]string{
		"I'm so sorry!":           "i'm so sorry",
		"  Charged TWICE,  again": "charged twice again",
		"It’s $20.":               "it's 20",
		"'quoted'":                "quoted",
		"":                        "",
	}
	for in, want := range cases {
		t.Run(in, func(t *testing.T) {
			if got := normalize(in); got != want {
				t.Errorf("normalize(%q) = %q, want %q", in, got, want)
			}
		})
	}
}

func TestWER(t *testing.T) {
	cases := []struct {
		name, ref, hyp string
		want           float64
	}{
		{"exact", "Let me fix that.", "let me fix that", 0},
		{"substitution", "let me fix that", "let me fix this", 0.25},
		{"deletion", "let me fix that", "let fix that", 0.25},
		{"insertion", "let me fix that", "let me fix that now", 0.25},
		{"empty hyp", "let me fix that", "", 1},
		{"empty both", "", "", 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := WER(tc.ref, tc.hyp); got != tc.want {
				t.Errorf("WER = %v, want %v", got, tc.want)
			}
		})
	}
}

// TestGrammarJSGF compares the grammar for two phrases with testdata/grammar.jsgf; words
// starting with "zz" play the out-of-dictionary words.
func TestGrammarJSGF(t *testing.T) {
	g := newGrammar(ModeGrammar, []string{"I'm so sorry!", "charged twice", "zzquux refund", "", "zzonly"})
	got, err := g.jsgf((&fakeDecoder{}).inDict)
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		os.WriteFile("testdata/grammar.jsgf", []byte(got), 0o644)
	}
	want, err := os.ReadFile("testdata/grammar.jsgf")
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("grammar differs from testdata/grammar.jsgf (go test -update to rewrite):\n%s", got)
	}
	if strings.Contains(got, "zz") {
		t.Error("out-of-dictionary word in the grammar")
	}
	if g2 := newGrammar(ModeGrammar, []string{"charged twice", "I'm so sorry"}); g2.key == g.key {
		t.Error("different phrase lists share a search name")
	}
	if newGrammar(ModeGrammar, []string{" ", "!"}) != nil {
		t.Error("a grammar without phrases, want nil (the LM)")
	}
}

func TestConfigValidate(t *testing.T) {
	cases := []struct {
		name string
		cfg  Config
		ok   bool
	}{
		{"defaults", Config{}, true},
		{"grammar", Config{Mode: ModeGrammar, PoolSize: 4}, true},
		{"bad mode", Config{Mode: "whisper"}, false},
		{"negative pool", Config{PoolSize: -1}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.cfg.Validate(); (err == nil) != tc.ok {
				t.Errorf("Validate() = %v, want ok=%v", err, tc.ok)
			}
		})
	}
	if d := (Config{}).withDefaults(); d.LM != "/usr/share/pocketsphinx/model/en-us/en-us.lm.bin" {
		t.Errorf("default LM %q", d.LM)
	}
	// Decoders per band: more than the CPUs (an utterance holds one while it is spoken), at
	// least two, within what Validate allows.
	if d, cpus := (Config{}).withDefaults().PoolSize, runtime.GOMAXPROCS(0); d != DefaultPoolSize() || d < 2 || d <= min(cpus, 32) || d > 64 {
		t.Errorf("default pool size %d with GOMAXPROCS %d", d, cpus)
	}
	if d := (Config{PoolSize: 3}).withDefaults().PoolSize; d != 3 {
		t.Errorf("pool size 3 became %d", d)
	}
}

func TestErrNotBuiltSaysHow(t *testing.T) {
	for _, want := range []string{"libpocketsphinx-dev", "pocketsphinx-en-us", "-tags pocketsphinx"} {
		if !strings.Contains(ErrNotBuilt.Error(), want) {
			t.Errorf("ErrNotBuilt does not mention %q", want)
		}
	}
}

// TestNegations: adapt mode's domain model gets "no" before every one-word phrase, and no
// other denials.
func TestNegations(t *testing.T) {
	cases := map[string][]string{
		"refund":                       {"no refund"},
		"i can give you a discount":    nil,
		"you will get your money back": nil,
		"that's on us":                 nil,
	}
	for phrase, want := range cases {
		var got []string
		for _, s := range negations(strings.Fields(phrase)) {
			got = append(got, strings.Join(s, " "))
		}
		if strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("negations(%q) = %q, want %q", phrase, got, want)
		}
	}
}
