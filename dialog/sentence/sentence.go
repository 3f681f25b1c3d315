// Package sentence cuts text into sentences, so speech can start on the first one while the
// rest is still being written (a streaming LLM) or synthesized (flite renders whole texts).
package sentence

import "strings"

// abbreviations end in a period without ending a sentence.
var abbreviations = []string{"Mr.", "Mrs.", "Ms.", "Dr.", "St.", "vs.", "e.g.", "i.e."}

// End returns the end of the first complete sentence in t, or -1 when there is none yet.
// A sentence ends at '.', '!' or '?' (or a run of them, with closing quotes or brackets)
// followed by whitespace, or at a line break after some text. "3.50" and "Mr. Lee" do not
// end one.
func End(t string) int {
	for i := 0; i < len(t); i++ {
		c := t[i]
		if c == '\n' {
			if strings.TrimSpace(t[:i]) != "" {
				return i
			}
			continue
		}
		if c != '.' && c != '!' && c != '?' {
			continue
		}
		j := i + 1
		for j < len(t) && strings.IndexByte(".!?\"')", t[j]) >= 0 {
			j++
		}
		if j >= len(t) || (t[j] != ' ' && t[j] != '\n' && t[j] != '\t') || isAbbrev(t[:j]) {
			i = j - 1
			continue
		}
		return j
	}
	return -1
}

// Split cuts text into trimmed, non-empty sentences; the last one may be unfinished.
func Split(text string) []string {
	var out []string
	for {
		end := End(text)
		if end < 0 {
			break
		}
		if s := strings.TrimSpace(text[:end]); s != "" {
			out = append(out, s)
		}
		text = text[end:]
	}
	if s := strings.TrimSpace(text); s != "" {
		out = append(out, s)
	}
	return out
}

func isAbbrev(s string) bool {
	for _, a := range abbreviations {
		if strings.HasSuffix(s, " "+a) || s == a {
			return true
		}
	}
	return false
}
