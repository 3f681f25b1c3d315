package scenario

import "slices"

// A demand is an objection that one behaviour answers (Requirement.Only): "Who pays that?"
// is answered by covering the fee, "I want it in writing" by saying what he will receive.
// The persona's lines are never misheard (they are the text it spoke), so a demand it raised
// and then went on from tells the scorer what the learner's answer did even when the
// recognizer garbled the answer itself. Objections that need several behaviours together
// ("acknowledge, then ask") are not demands: going on from one says nothing about which of
// them was done.

// demandShare is the share of an objection line's words a persona line must carry to raise
// it: writers and language-model personas reword a line ("I want all that in writing
// today" for "I want all of that in writing. Today.").
const demandShare = 0.75

// Raises returns the objection a persona line raises: the one whose says or again line
// the text carries most of (at least demandShare of its words, in any order), and whether
// the line was one of its again lines.
func (s *Scenario) Raises(text string) (o Objection, again, ok bool) {
	words := map[string]bool{}
	for _, t := range Tokenize(text) {
		words[t] = true
	}
	best := 0.0
	for _, ob := range s.Objections {
		for k, lines := range [][]string{ob.Says, ob.Again} {
			for _, l := range lines {
				if sh := share(Tokenize(l), words); sh >= demandShare && sh > best {
					o, again, best = ob, k == 1, sh
				}
			}
		}
	}
	return o, again, best > 0
}

// Answers reports whether behaviour b is one the requirement counts.
func (r Requirement) Answers(b string) bool {
	return slices.Contains(r.All, b) || slices.Contains(r.Any, b)
}

// Only returns the requirement's behaviour when it names exactly one.
func (r Requirement) Only() (string, bool) {
	names := append(append([]string(nil), r.All...), r.Any...)
	if len(names) != 1 {
		return "", false
	}
	return names[0], true
}

// share returns the fraction of toks found in words.
func share(toks []string, words map[string]bool) float64 {
	if len(toks) == 0 {
		return 0
	}
	n := 0
	for _, t := range toks {
		if words[t] {
			n++
		}
	}
	return float64(n) / float64(len(toks))
}

// States reports whether text holds a statement: a clause of three or more words that does
// not ask. "Which fee is that?" answers nothing; "we do, it's going back on your card" does.
func States(text string) bool {
	for _, s := range readSentences(text) {
		for c := range s.asked {
			if from, to := s.span(c); to-from >= 3 && !s.asked[c] {
				return true
			}
		}
	}
	return false
}

// Asks reports whether text asks anything: a clause read as a question, with or without its
// question mark ("Thursday at two?", "is thursday at two any good").
func Asks(text string) bool {
	for _, s := range readSentences(text) {
		if slices.Contains(s.asked, true) {
			return true
		}
	}
	return false
}
