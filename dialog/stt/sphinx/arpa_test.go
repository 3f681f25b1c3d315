package sphinx

import (
	"math"
	"os"
	"strconv"
	"strings"
	"testing"
)

// TestArpaGolden compares the domain model of three phrases with testdata/adapt.arpa: words
// starting with "zz" play the out-of-dictionary words, which cut a phrase in two, and the
// one-word phrase brings its denial.
func TestArpaGolden(t *testing.T) {
	g := newGrammar(ModeAdapt, []string{"let me fix that", "fix that zzquux refund", "refund"})
	got := arpa(g.sentences((&fakeDecoder{}).inDict))
	if *update {
		os.WriteFile("testdata/adapt.arpa", []byte(got), 0o644)
	}
	want, err := os.ReadFile("testdata/adapt.arpa")
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("model differs from testdata/adapt.arpa (go test -update to rewrite):\n%s", got)
	}
	if strings.Contains(got, "zz") || strings.Contains(got, "that refund") {
		t.Error("an out-of-dictionary word, or a pair across it, in the model")
	}
	if !strings.Contains(got, "<s> no refund") {
		t.Error("the denial \"no refund\" is missing")
	}
}

// TestArpaNormalized reads the written model back and checks that for every context it has
// (and the empty one) the backoff probabilities of the vocabulary sum to 1.
func TestArpaNormalized(t *testing.T) {
	for name, phrases := range map[string][]string{
		"scenario": scenarioLikePhrases,
		"repeats":  {"no no no", "no", "yes no", "no yes"},
		"one word": {"refund"},
		// every word follows "a": the context has nothing to back off to
		"saturated": {"a a", "a b", "b"},
	} {
		t.Run(name, func(t *testing.T) {
			g := newGrammar(ModeAdapt, phrases)
			m := readArpa(t, arpa(g.sentences(func(string) bool { return true })))
			var vocab []string
			for w := range m.logp[0] {
				if w != "<s>" {
					vocab = append(vocab, w)
				}
			}
			contexts := []string{""}
			for n := 0; n < arpaOrder-1; n++ {
				for h := range m.bow[n] {
					contexts = append(contexts, h)
				}
			}
			for _, h := range contexts {
				sum := 0.0
				for _, w := range vocab {
					sum += math.Pow(10, m.score(strings.Fields(h), w))
				}
				if math.Abs(sum-1) > 1e-4 {
					t.Errorf("context %q: probabilities sum to %.6f", h, sum)
				}
			}
			if len(contexts) < 3 {
				t.Errorf("only %d contexts", len(contexts))
			}
		})
	}
}

var scenarioLikePhrases = []string{
	"I'm so sorry", "charged twice", "let me fix that", "refund", "account number",
	"I understand", "double charge", "anything else", "new plan", "save you money",
	"send you an email", "I apologize", "put you on hold", "discount", "thank you for calling",
	"how many of those calls", "fleetcore", "I'm sorry, let me fix that for you",
}

// arpaModel is an ARPA file read back: log10 probabilities and backoff weights by n-gram.
type arpaModel struct {
	logp, bow []map[string]float64 // index n-1
}

func readArpa(t *testing.T, text string) *arpaModel {
	t.Helper()
	m := &arpaModel{}
	for range arpaOrder {
		m.logp = append(m.logp, map[string]float64{})
		m.bow = append(m.bow, map[string]float64{})
	}
	n := 0
	for _, line := range strings.Split(text, "\n") {
		switch {
		case strings.HasPrefix(line, `\`) && strings.HasSuffix(line, "-grams:"):
			n, _ = strconv.Atoi(line[1:2])
			continue
		case line == "" || strings.HasPrefix(line, `\`) || n == 0:
			continue
		}
		f := strings.Split(line, "\t")
		p, err := strconv.ParseFloat(f[0], 64)
		if err != nil || len(f) < 2 || len(strings.Fields(f[1])) != n {
			t.Fatalf("bad %d-gram line %q", n, line)
		}
		m.logp[n-1][f[1]] = p
		if len(f) == 3 {
			if m.bow[n-1][f[1]], err = strconv.ParseFloat(f[2], 64); err != nil {
				t.Fatalf("bad backoff in %q", line)
			}
		}
	}
	return m
}

// score is log10 p(w | h) by the ARPA backoff rule.
func (m *arpaModel) score(h []string, w string) float64 {
	if len(h) == 0 {
		p, ok := m.logp[0][w]
		if !ok {
			return -99
		}
		return p
	}
	if p, ok := m.logp[len(h)][strings.Join(append(h[:len(h):len(h)], w), " ")]; ok {
		return p
	}
	return m.bow[len(h)-1][strings.Join(h, " ")] + m.score(h[1:], w)
}
