package sphinx

import (
	_ "embed"
	"fmt"
	"hash/fnv"
	"slices"
	"strings"
)

// commonWords is the free-speech vocabulary of grammar mode: a few hundred words of support
// and sales conversations. Words missing from the dictionary are skipped.
//
//go:embed words.txt
var commonWords string

// grammar is one call's search built from the scenario's phrases. In grammar mode it is a JSGF
// search: the phrases, each as a whole, or any run of phrases and single words, so free speech
// still comes out roughly while the expected phrases win whenever they were said. In adapt mode
// (adapt set) it is the general n-gram LM interpolated with a trigram model of the phrases.
type grammar struct {
	key     string   // search name: a hash of the phrase list and the kind
	phrases []string // normalized phrases, as given (out-of-dictionary words removed at build)
	adapt   bool     // an adapted LM, not a JSGF grammar
}

// newGrammar returns the call's search for mode, or nil for the plain LM: in ModeLM, or when
// no phrase has a word.
func newGrammar(mode string, phrases []string) *grammar {
	if mode != ModeGrammar && mode != ModeAdapt {
		return nil
	}
	g := &grammar{adapt: mode == ModeAdapt}
	h := fnv.New64a()
	for _, p := range phrases {
		if n := normalize(p); n != "" {
			g.phrases = append(g.phrases, n)
			h.Write([]byte(n))
			h.Write([]byte{0})
		}
	}
	if len(g.phrases) == 0 {
		return nil
	}
	g.key = fmt.Sprintf("g%016x", h.Sum64())
	if g.adapt {
		g.key = "a" + g.key[1:]
	}
	return g
}

// sentences are the phrases as sentences of the domain model, each with its negations (see
// negations), cut where a word is not in the dictionary (dropping it would make up word
// pairs never said).
func (g *grammar) sentences(inDict func(string) bool) [][]string {
	var out [][]string
	for _, p := range g.phrases {
		for _, s := range append([][]string{strings.Fields(p)}, negations(strings.Fields(p))...) {
			var cur []string
			for _, w := range s {
				if inDict(w) {
					cur = append(cur, w)
					continue
				}
				if len(cur) > 0 {
					out = append(out, cur)
				}
				cur = nil
			}
			if len(cur) > 0 {
				out = append(out, cur)
			}
		}
	}
	return out
}

// negations are the denials of a phrase: "no" before a phrase of one word ("refund" -> "no
// refund"), none for longer ones. A domain model of the phrases alone heard "no refund will be
// processed" as "know refund will be processed", the promise the rubric looks for. Negating
// longer phrases too (their first auxiliary: "I can give" -> "I can't give", "I cannot give";
// or "not" and "no" before them) was measured and dropped: it put negations into lines that
// had none ("that's on us" -> "that's not ours", "have you" -> "haven't you"), more of them
// than it saved (docs/BENCHMARKS.md).
func negations(words []string) [][]string {
	if len(words) == 1 {
		return [][]string{{"no", words[0]}}
	}
	return nil
}

// jsgf renders the grammar, keeping only words inDict knows.
func (g *grammar) jsgf(inDict func(string) bool) (string, error) {
	var phrases []string
	vocab := map[string]bool{}
	for _, p := range g.phrases {
		var kept []string
		for _, w := range strings.Fields(p) {
			if inDict(w) {
				kept = append(kept, w)
				vocab[w] = true
			}
		}
		if len(kept) > 0 {
			phrases = append(phrases, strings.Join(kept, " "))
		}
	}
	for _, w := range strings.Fields(commonWords) {
		if inDict(w) {
			vocab[w] = true
		}
	}
	if len(phrases) == 0 || len(vocab) == 0 {
		return "", fmt.Errorf("grammar: no phrase word is in the dictionary")
	}
	slices.Sort(phrases)
	phrases = slices.Compact(phrases)
	words := make([]string, 0, len(vocab))
	for w := range vocab {
		words = append(words, w)
	}
	slices.Sort(words)
	var b strings.Builder
	b.WriteString("#JSGF V1.0;\ngrammar spar;\n")
	b.WriteString("public <utt> = ( <phrase> | <word> )+ ;\n")
	b.WriteString("<phrase> = " + strings.Join(phrases, " | ") + " ;\n")
	b.WriteString("<word> = " + strings.Join(words, " | ") + " ;\n")
	return b.String(), nil
}

// normalize lowercases s and keeps letters, digits and inner apostrophes, as words of the
// dictionary and of transcripts are written.
func normalize(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '\'':
			b.WriteRune(r)
		case r == '’':
			b.WriteRune('\'')
		default:
			b.WriteRune(' ')
		}
	}
	f := strings.Fields(b.String())
	for i, w := range f {
		f[i] = strings.Trim(w, "'")
	}
	return strings.Join(strings.Fields(strings.Join(f, " ")), " ")
}
