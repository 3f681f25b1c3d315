package dialog

import "strings"

// spoken is one persona sentence placed in the turn's audio, in samples from the turn's start.
type spoken struct {
	text       string
	start, end int64
	open       bool // still being synthesized: end is an estimate
}

// heardText returns what a listener heard of sentences when played samples of the turn's
// audio reached the far end, and whether that cut a sentence short. A partly played sentence
// keeps the share of its words that matches the share of its audio that was played.
func heardText(sentences []spoken, played int64) (string, bool) {
	var b strings.Builder
	truncated := false
	for _, s := range sentences {
		if played <= s.start {
			truncated = true
			break
		}
		text := s.text
		if played < s.end {
			words := strings.Fields(s.text)
			n := int(int64(len(words)) * (played - s.start) / (s.end - s.start))
			text = strings.Join(words[:n], " ")
			truncated = true
		}
		if text == "" {
			break
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(text)
		if truncated {
			break
		}
	}
	return b.String(), truncated
}

// isBackchannel reports whether text is only short acknowledgements such as "okay" or
// "right", which never interrupt the persona.
func isBackchannel(text string, backchannels []string) bool {
	t := normalize(text)
	if t == "" {
		return false
	}
	for t != "" {
		matched := false
		for _, bc := range backchannels {
			bc = normalize(bc)
			if bc != "" && (t == bc || strings.HasPrefix(t, bc+" ")) {
				t = strings.TrimSpace(t[len(bc):])
				matched = true
				break
			}
		}
		if !matched {
			return false
		}
	}
	return true
}

// containsPhrase reports whether text contains phrase as whole words.
func containsPhrase(text, phrase string) bool {
	p := normalize(phrase)
	return p != "" && strings.Contains(" "+normalize(text)+" ", " "+p+" ")
}

// normalize lowercases text and keeps letters, digits, apostrophes and single spaces.
func normalize(s string) string {
	var b strings.Builder
	space := true
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '\'':
			b.WriteRune(r)
			space = false
		case !space:
			b.WriteByte(' ')
			space = true
		}
	}
	return strings.TrimSpace(b.String())
}

// endsThought reports how a transcript ends: +1 when it reads as a finished sentence, -1
// when it trails off on a conjunction or filler (the learner is still thinking), 0 otherwise.
func endsThought(text string) int {
	t := strings.TrimSpace(text)
	if t == "" {
		return 0
	}
	if strings.HasSuffix(t, ".") || strings.HasSuffix(t, "?") || strings.HasSuffix(t, "!") {
		return 1
	}
	words := strings.Fields(normalize(t))
	if len(words) == 0 {
		return 0
	}
	switch words[len(words)-1] {
	case "and", "so", "but", "or", "because", "um", "uh", "er", "erm", "like", "then", "if", "the", "a", "to",
		"an", "of", "for", "with", "my", "your", "our", "i", "i'm", "we", "when", "which", "just", "really", "very":
		return -1
	case "thanks", "you", "it", "that", "today", "now", "help", "please", "right", "okay":
		return 1
	}
	return 0
}

// continuesLine reports whether text begins, past any filler ("um, and then"), with a word
// that continues the sentence before it ("and", "but", "so", "or", "because", "then",
// "which", "who", "until", "although"...). "That" does not count: it begins answers ("that's
// fine", "that would be great") as often as it continues a sentence ("... that nobody
// called back").
func continuesLine(text string) bool {
	words := strings.Fields(normalize(text))
	for len(words) > 0 && isFiller(words[0]) {
		words = words[1:]
	}
	if len(words) == 0 {
		return false
	}
	switch words[0] {
	case "and", "but", "so", "or", "nor", "because", "cause", "'cause", "cos", "then", "which", "who",
		"whose", "whom", "until", "unless", "although", "though", "while", "whereas", "plus":
		return true
	}
	return false
}

// isFiller reports whether word is a hesitation sound that says nothing of how a sentence goes.
func isFiller(word string) bool {
	switch word {
	case "um", "uh", "er", "erm", "hmm", "mm":
		return true
	}
	return false
}
