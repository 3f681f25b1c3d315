package sphinx

import (
	"fmt"
	"math"
	"slices"
	"strings"
)

// arpaOrder is the order of the domain model adapt mode builds from a call's phrases.
const arpaOrder = 3

// arpa renders a Witten-Bell smoothed backoff trigram model of sentences in ARPA format. Each
// sentence is a sequence of words; <s> and </s> are added around it. The vocabulary is closed:
// the words of the sentences and </s> (words outside it get no probability from this model;
// the general model covers them when the two are interpolated). For every context the
// probabilities of the words after it sum to 1.
func arpa(sentences [][]string) string {
	// counts[n-1] maps an n-gram (words joined by spaces) to its count.
	counts := make([]map[string]int, arpaOrder)
	for i := range counts {
		counts[i] = map[string]int{}
	}
	for _, s := range sentences {
		if len(s) == 0 {
			continue
		}
		w := append(append([]string{"<s>"}, s...), "</s>")
		for i := 1; i < len(w); i++ { // <s> is never predicted
			for n := 1; n <= arpaOrder && i-n+1 >= 0; n++ {
				counts[n-1][strings.Join(w[i-n+1:i+1], " ")]++
			}
		}
	}
	if len(counts[0]) == 0 {
		return ""
	}
	m := newBackoff(counts)
	var b strings.Builder
	b.WriteString("\\data\\\n")
	grams := make([][]string, arpaOrder)
	for n := range arpaOrder {
		for g := range counts[n] {
			grams[n] = append(grams[n], g)
		}
		if n == 0 {
			grams[0] = append(grams[0], "<s>")
		}
		slices.Sort(grams[n])
		fmt.Fprintf(&b, "ngram %d=%d\n", n+1, len(grams[n]))
	}
	for n := range arpaOrder {
		fmt.Fprintf(&b, "\n\\%d-grams:\n", n+1)
		for _, g := range grams[n] {
			logp := -99.0
			if g != "<s>" {
				logp = math.Log10(m.prob[g])
			}
			fmt.Fprintf(&b, "%.6f\t%s", logp, g)
			if bow, ok := m.bow[g]; ok && n < arpaOrder-1 {
				fmt.Fprintf(&b, "\t%.6f", math.Log10(bow))
			}
			b.WriteString("\n")
		}
	}
	b.WriteString("\n\\end\\\n")
	return b.String()
}

// backoff holds the probability of every seen n-gram and the backoff weight of every context.
type backoff struct {
	prob map[string]float64 // p(w | h) of each seen n-gram "h w"
	bow  map[string]float64 // backoff weight of each context h that has successors
}

func newBackoff(counts []map[string]int) *backoff {
	m := &backoff{prob: map[string]float64{}, bow: map[string]float64{}}
	var vocab []string
	total := 0
	for w, c := range counts[0] {
		vocab = append(vocab, w)
		total += c
	}
	for w, c := range counts[0] {
		m.prob[w] = float64(c) / float64(total)
	}
	for n := 2; n <= len(counts); n++ {
		// Successor counts and distinct successors of each context of length n-1.
		ctxCount, ctxTypes := map[string]int{}, map[string]int{}
		for g, c := range counts[n-1] {
			h, _ := split(g)
			ctxCount[h] += c
			ctxTypes[h]++
		}
		seen := map[string][]string{}
		for g := range counts[n-1] {
			h, w := split(g)
			seen[h] = append(seen[h], w)
		}
		for h, words := range seen {
			c, t := float64(ctxCount[h]), float64(ctxTypes[h])
			var kept, lower float64
			for _, w := range words {
				kept += float64(counts[n-1][h+" "+w]) / (c + t)
				lower += m.p(shorten(h), w)
			}
			if 1-lower < 1e-9 {
				// Every word of the vocabulary follows h: nothing to back off to, so the
				// seen successors share all the mass.
				for _, w := range words {
					m.prob[h+" "+w] = float64(counts[n-1][h+" "+w]) / c
				}
				m.bow[h] = 1
				continue
			}
			for _, w := range words {
				m.prob[h+" "+w] = float64(counts[n-1][h+" "+w]) / (c + t)
			}
			m.bow[h] = (1 - kept) / (1 - lower)
		}
	}
	return m
}

// p is the backoff probability of w after the context h ("" for none).
func (m *backoff) p(h, w string) float64 {
	if h == "" {
		return m.prob[w]
	}
	if p, ok := m.prob[h+" "+w]; ok {
		return p
	}
	bow, ok := m.bow[h]
	if !ok {
		bow = 1
	}
	return bow * m.p(shorten(h), w)
}

// split cuts an n-gram into its context and its last word.
func split(g string) (h, w string) {
	i := strings.LastIndexByte(g, ' ')
	return g[:i], g[i+1:]
}

// shorten drops the oldest word of a context.
func shorten(h string) string {
	if i := strings.IndexByte(h, ' '); i >= 0 {
		return h[i+1:]
	}
	return ""
}
