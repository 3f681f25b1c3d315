package scoring

// fillers are the filler words counted by FillersPer100 (one token each), and fillerPairs
// the two-word ones. "like", "so" and "well" are left out: too often real words.
var (
	fillers     = map[string]bool{"um": true, "umm": true, "uh": true, "uhm": true, "er": true, "erm": true, "ah": true, "hmm": true, "mm": true, "basically": true, "literally": true}
	fillerPairs = map[[2]string]bool{{"you", "know"}: true, {"i", "mean"}: true, {"kind", "of"}: true, {"sort", "of"}: true}
)

func countFillers(toks []string) int {
	n := 0
	for i, t := range toks {
		if fillers[t] {
			n++
		}
		if i > 0 && fillerPairs[[2]string{toks[i-1], t}] {
			n++
		}
	}
	return n
}
