package scenario_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/sparlab/spar/dialog/scenario"
)

func TestTokenize(t *testing.T) {
	tests := []struct{ in, want string }{
		{"I'm so sorry!", "i am so sorry"},
		{"im sorry", "i am sorry"},
		{"That’s OUR mistake.", "that is our mistake"},
		{"back in 5 business-days", "back in five business days"},
		{"at 2pm", "at two pm"},
		{"$49.99", "forty nine ninety nine"},
		{"it'll be 1234", "it will be 1234"},
		{"how's that going", "how is that going"},
		{"I'm not gonna knock them", "i am not going to knock them"},
		{"It's nobody's fault, someone's on it", "it is nobody fault someone on it"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := scenario.Tokenize(tt.in); !slices.Equal(got, strings.Fields(tt.want)) {
				t.Errorf("Tokenize(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// TestPhraseMatch covers what recognizers do to speech: dropped apostrophes, clipped words,
// split words, inserted fillers, one lost word, and negations that must not match.
func TestPhraseMatch(t *testing.T) {
	tests := []struct {
		phrase, text string
		want         bool
	}{
		{"sorry about that", "im so sorry bout that", true},
		{"i'm [so|really] sorry", "I'm really sorry", true},
		{"i'm [so|really] sorry", "i am sorry", true},
		{"refund", "we'll re fund the charge", true},
		{"refund", "I've refunded it", true},
		{"business days", "within five business-days", true},
		{"within * days", "within 5 days", true},
		{"(i have|there is) a slot", "there's a slot on monday", true},
		{"that is our mistake", "that's uh our mistake", true},
		{"that is our mistake", "that's our mistakes", true},
		{"that is our mistake", "that is hour mistake", true},                   // one inner word misheard
		{"that is our mistake", "that is our policy", false},                    // the last word must be heard
		{"our fault", "it's not our fault", false},                              // negated
		{"that is our fault", "that is not our fault", false},                   // negation among stray words
		{"not our fault", "that's not our fault", true},                         // the phrase asks for it
		{"we will (call|ring) [you] back", "we said we'd ring you back", false}, // a hedge is never the lost word's stand-in
		{"we will (call|ring) [you] back", "we ring you back", true},            // the lost word, no hedge in its place
		{"calm down", "come down", false},
		{"frustrating", "i understand your frustration", false}, // one edit only
		{"charged twice", "i was charge twice", true},
		{"charged twice", "charged me twice", true},
		{"charged twice", "charged you for it twice", false},
		{"(monday|tuesday)", "how about tuesday", true},
		{"at (two|three) !(minutes|calls)", "thursday at three", true},
		{"at (two|three) !(minutes|calls)", "thursday at three works", true},
		{"at (two|three) !(minutes|calls)", "forty calls at three minutes each", false},
		{"at (two|three) !(minutes|calls)", "at three minutes or at two", true}, // the second one is free
		{"you (might|may) have (got|booked)", "you might have got the day wrong", true},
		{"you (might|may) have (got|booked)", "so you have got it on paper", false}, // a hedge is never the lost word
		{"(the|those) calls (do not|never) (come|happen)", "those calls never come in", true},
		{"(the|those) calls (do not|never) (come|happen)", "when one of those calls comes in", false}, // nor a negation
		{"do not you want", "i don't want to pitch you", false},                                       // a person is never dropped...
		{"can i take your name", "can like take your name please", true},                              // ...but may be misheard
	}
	for _, tt := range tests {
		t.Run(tt.phrase+"/"+tt.text, func(t *testing.T) {
			p, err := scenario.CompilePhrase(tt.phrase)
			if err != nil {
				t.Fatal(err)
			}
			if got := p.Match(scenario.Tokenize(tt.text)); got != tt.want {
				t.Errorf("%q in %q = %v, want %v", tt.phrase, tt.text, got, tt.want)
			}
		})
	}
}

func TestCompilePhraseErrors(t *testing.T) {
	for _, bad := range []string{"", "[optional]", "*", "(a|b", "a]", "((nested))", "( | )",
		"!(a|b)", "!(a) b", "a !(b) c", "a !(b|[c])"} {
		if _, err := scenario.CompilePhrase(bad); err == nil {
			t.Errorf("CompilePhrase(%q) accepted", bad)
		}
	}
}
