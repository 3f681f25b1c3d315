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

// grammar is one call's JSGF search: the scenario's phrases, each as a whole, or any run of
// phrases and single words, so free speech still comes out roughly while the expected phrases
// win whenever they were said.
type grammar struct {
	key     string   // search name: a hash of the phrase list
	phrases []string // normalized phrases, as given (out-of-dictionary words removed at build)
}

func newGrammar(phrases []string) *grammar {
	g := &grammar{}
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
	return g
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
