package llm

import (
	"strings"
	"unicode"
)

// abbreviations end in a period without ending a sentence.
var abbreviations = []string{"Mr.", "Mrs.", "Ms.", "Dr.", "St.", "vs.", "e.g.", "i.e."}

// splitter turns streamed text into sentences as soon as each one is complete: a '.', '!'
// or '?' (or a run of them) followed by whitespace, or a line break. "3.50" does not split.
type splitter struct {
	buf  strings.Builder
	emit func(string) error
}

// write adds text and emits every sentence it completes.
func (s *splitter) write(text string) error {
	s.buf.WriteString(text)
	for {
		cur := s.buf.String()
		end := boundary(cur)
		if end < 0 {
			return nil
		}
		sentence, rest := cur[:end], cur[end:]
		s.buf.Reset()
		s.buf.WriteString(strings.TrimLeftFunc(rest, unicode.IsSpace))
		if err := s.say(sentence); err != nil {
			return err
		}
	}
}

// flush emits what is left.
func (s *splitter) flush() error {
	rest := s.buf.String()
	s.buf.Reset()
	return s.say(rest)
}

func (s *splitter) say(sentence string) error {
	if sentence = clean(sentence); sentence == "" {
		return nil
	}
	return s.emit(sentence)
}

// boundary returns the end of the first complete sentence in t, or -1.
func boundary(t string) int {
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
		if j >= len(t) || (t[j] != ' ' && t[j] != '\n' && t[j] != '\t') {
			i = j - 1
			continue
		}
		if isAbbrev(t[:j]) {
			i = j - 1
			continue
		}
		return j
	}
	return -1
}

func isAbbrev(s string) bool {
	for _, a := range abbreviations {
		if strings.HasSuffix(s, " "+a) || s == a {
			return true
		}
	}
	return false
}

// clean removes what a voice must not read aloud: stage directions in asterisks or
// brackets, and markdown emphasis.
func clean(s string) string {
	var b strings.Builder
	depth := 0
	star := false
	for _, r := range s {
		switch {
		case r == '[':
			depth++
		case r == ']' && depth > 0:
			depth--
		case r == '*':
			star = !star
		case depth == 0 && !star:
			b.WriteRune(r)
		}
	}
	return strings.Join(strings.Fields(b.String()), " ")
}
