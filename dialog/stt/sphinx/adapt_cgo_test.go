//go:build pocketsphinx

package sphinx

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/sparlab/spar/dialog"
)

// TestRecognizeAdapt: adapt mode decodes phone audio with the call's phrases: the line is
// transcribed, the scenario's phrases in it come out (measured on a fresh decoder: "charged
// twice" does, which LM mode hears as "charged one"; "let me fix that" comes out as "let me
// fix at", which LM mode gets right), and the final has a confidence (an n-gram search has
// posteriors, unlike a grammar).
func TestRecognizeAdapt(t *testing.T) {
	r, err := New(Config{Mode: ModeAdapt, PoolSize: 1}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	_, final := recognizeFinal(t, r, dialog.STTOptions{Phrases: scenarioPhrases, Narrowband: true}, phone(t, speak(t, "awb", learnerLines[0])))
	t.Logf("%q -> %q (confidence %.2f)", learnerLines[0], final.Text, final.Confidence)
	if !strings.Contains(final.Text, "charged twice") && !strings.Contains(final.Text, "let me fix that") {
		t.Errorf("final %q has neither scenario phrase of the line", final.Text)
	}
	if w := WER(learnerLines[0], final.Text); w > 0.4 {
		t.Errorf("WER %.0f %%, want <= 40 %%", 100*w)
	}
	if final.Confidence <= 0 || final.Confidence > 1 {
		t.Errorf("confidence %v, want within (0, 1]", final.Confidence)
	}
}

// TestAdaptSwitchesCalls runs calls with different phrase sets one after another on a
// recognizer with a single phone decoder: each call's utterance is decoded with its own
// phrases, the decoder keeps each call's search built, at most maxAdapted of them, and a
// call without phrases goes back to the plain LM.
func TestAdaptSwitchesCalls(t *testing.T) {
	r, err := New(Config{Mode: ModeAdapt, PoolSize: 1}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	support := []string{"I'm so sorry", "let me fix that", "refund", "charged twice"}
	sales := []string{"how many of those calls", "Fleetcore", "save you money", "do you have a minute"}
	calls := []struct {
		phrases []string
		line    string
		want    string
	}{
		{support, "I'm so sorry, let me fix that for you", "let me fix that"},
		{sales, "How many of those calls do you get every week?", "many of those calls"},
		{support, "I will refund the second payment right away", "refund"},
		{nil, "Thank you for your patience", "thank you"},
	}
	for _, c := range calls {
		_, final := recognize(t, r, dialog.STTOptions{Phrases: c.phrases, Narrowband: true}, phone(t, speak(t, "awb", c.line)))
		t.Logf("%q -> %q", c.line, final)
		if !strings.Contains(final, c.want) {
			t.Errorf("%q heard as %q, want %q in it", c.line, final, c.want)
		}
	}
	d := checkout(t, r)
	if len(d.grammars) != 2 || d.current != "" {
		t.Errorf("decoder holds searches %q, current %q: want the two calls' and the LM in use", d.grammars, d.current)
	}
	// More phrase sets than a decoder keeps: the oldest go, the newest is in use.
	for i := range maxAdapted + 2 {
		if err := d.use(newGrammar(ModeAdapt, []string{fmt.Sprintf("refund number %d", i+1)})); err != nil {
			t.Fatal(err)
		}
	}
	last := newGrammar(ModeAdapt, []string{fmt.Sprintf("refund number %d", maxAdapted+2)})
	if len(d.grammars) != maxAdapted || d.current != last.key || d.grammars[maxAdapted-1] != last.key {
		t.Errorf("after %d phrase sets: %d searches, current %q: want %d, the last %q", maxAdapted+2, len(d.grammars), d.current, maxAdapted, last.key)
	}
	r.pool.put(narrowband, d)
	_, final := recognize(t, r, dialog.STTOptions{Phrases: support, Narrowband: true}, phone(t, speak(t, "awb", "let me fix that for you")))
	if !strings.Contains(final, "let me fix that") {
		t.Errorf("after evictions: heard %q", final)
	}
}

// checkout takes the recognizer's only phone decoder out of its pool.
func checkout(t *testing.T, r *Recognizer) *psDecoder {
	t.Helper()
	d, err := r.pool.get(context.Background(), narrowband)
	if err != nil {
		t.Fatal(err)
	}
	return d.(*psDecoder)
}

// negatedLines deny what the rubric's phrases (negationPhrases) promise.
var negatedLines = []struct{ line, negation string }{
	{"There is no refund for this charge", "no"},
	{"You will not get your money back", "not"},
	{"I can't give you a discount today", "can't"},
	{"We don't offer a new plan", "don't"},
	{"I'm not able to fix that for you", "not"},
	{"We won't refund the second payment", "won't"},
	{"That is not a double charge", "not"},
	{"I never said you would save money", "never"},
}

// affirmedLines say a rubric phrase with no negation in it.
var affirmedLines = []string{
	"I'm so sorry, that's on us",
	"Can I have your account number please?",
	"Have you got a minute to talk?",
}

var negationPhrases = []string{
	"refund", "you will get your money back", "I can give you a discount", "we offer a new plan",
	"let me fix that", "refund the second payment", "double charge", "save you money",
	"that's on us", "can I have your account number", "have you got a minute",
}

// negationWords are the words whose appearance or loss flips what a line means.
var negationWords = []string{"no", "not", "never", "can't", "cannot", "don't", "won't", "isn't", "haven't", "that's not"}

// TestNegationKept: biasing recognition toward the rubric's phrases must neither erase a
// denial nor make one up. Each line goes through the phone path with those phrases as the
// call's phrases; every negation word LM mode hears in a negated line, adapt mode must hear
// too (LM mode loses some to the phone audio itself: docs/BENCHMARKS.md has the counts), and
// adapt mode must hear no negation in an affirmed line where LM mode hears none.
func TestNegationKept(t *testing.T) {
	kept := map[string][]bool{}
	negated := map[string][]bool{}
	for _, mode := range []string{ModeLM, ModeAdapt} {
		// Its own recognizer: the shared ones' decoders would carry these lines' cepstral
		// mean into the other tests.
		r, err := New(Config{Mode: mode, PoolSize: 1}, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		hear := func(line string) string {
			_, final := recognize(t, r, dialog.STTOptions{Phrases: negationPhrases, Narrowband: true}, phone(t, speak(t, "awb", line)))
			return final
		}
		n := 0
		for _, l := range negatedLines {
			final := hear(l.line)
			ok := strings.Contains(" "+final+" ", " "+l.negation+" ")
			t.Logf("%s: %q -> %q (negation kept: %v)", mode, l.line, final, ok)
			kept[mode] = append(kept[mode], ok)
			if ok {
				n++
			}
		}
		t.Logf("%s: %d of %d negations kept", mode, n, len(negatedLines))
		for _, line := range affirmedLines {
			final := hear(line)
			neg := slices.ContainsFunc(negationWords, func(w string) bool { return strings.Contains(" "+final+" ", " "+w+" ") })
			t.Logf("%s: %q -> %q (negation heard: %v)", mode, line, final, neg)
			negated[mode] = append(negated[mode], neg)
		}
	}
	for i, l := range negatedLines {
		if kept[ModeLM][i] && !kept[ModeAdapt][i] {
			t.Errorf("%q: LM mode hears %q, adapt mode loses it", l.line, l.negation)
		}
	}
	for i, line := range affirmedLines {
		if negated[ModeAdapt][i] && !negated[ModeLM][i] {
			t.Errorf("%q: adapt mode hears a negation LM mode does not", line)
		}
	}
}
