package scenario

import (
	"os"
	"testing"
)

func TestZZDebugPhrase(t *testing.T) {
	text := os.Getenv("DBG_TEXT")
	if text == "" {
		t.Skip()
	}
	data, err := os.ReadFile("../../configs/scenarios/" + os.Getenv("DBG_SCEN") + ".yaml")
	if err != nil {
		t.Fatal(err)
	}
	sc, err := Parse("x.yaml", data)
	if err != nil {
		t.Fatal(err)
	}
	tu := sc.Detector().Understand(text)
	t.Logf("found %v heard %v", tu.Found, tu.Heard)
	toks := Tokenize(text)
	for _, b := range sc.Behaviours {
		for _, p := range b.Phrases {
			ph, _ := CompilePhrase(p)
			if ph.Match(toks) {
				t.Logf("%s: %q", b.Name, p)
			}
		}
	}
}
