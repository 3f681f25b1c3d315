package persona_test

import (
	"testing"

	"github.com/sparlab/spar/dialog/scenario"
)

func TestZZDetect(t *testing.T) {
	sc := shipped(t, "cold-call-vendor", "")
	b, _ := sc.Behaviour("pushy")
	for _, ph := range b.Phrases {
		c, _ := scenario.CompilePhrase(ph)
		t.Log(ph, c.Match(scenario.Tokenize("happy to what would you need to see in it to make twenty minutes worth while")))
	}
}
