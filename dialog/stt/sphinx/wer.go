package sphinx

import "strings"

// WER is the word error rate of hyp against ref: word-level edit distance (substitutions,
// insertions, deletions) over the number of reference words, after lowercasing and dropping
// punctuation. An empty reference gives 0 for an empty hypothesis and 1 otherwise.
func WER(ref, hyp string) float64 {
	r, h := strings.Fields(normalize(ref)), strings.Fields(normalize(hyp))
	if len(r) == 0 {
		if len(h) == 0 {
			return 0
		}
		return 1
	}
	prev := make([]int, len(h)+1)
	cur := make([]int, len(h)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(r); i++ {
		cur[0] = i
		for j := 1; j <= len(h); j++ {
			sub := prev[j-1]
			if r[i-1] != h[j-1] {
				sub++
			}
			cur[j] = min(sub, prev[j]+1, cur[j-1]+1)
		}
		prev, cur = cur, prev
	}
	return float64(prev[len(h)]) / float64(len(r))
}
