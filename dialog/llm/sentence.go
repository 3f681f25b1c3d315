package llm

import (
	"strings"
	"unicode"

	"github.com/sparlab/spar/dialog/sentence"
)

// splitter turns streamed text into sentences as soon as each one is complete (sentence.End).
type splitter struct {
	buf  strings.Builder
	emit func(string) error
}

// write adds text and emits every sentence it completes.
func (s *splitter) write(text string) error {
	s.buf.WriteString(text)
	for {
		cur := s.buf.String()
		end := sentence.End(cur)
		if end < 0 {
			return nil
		}
		done, rest := cur[:end], cur[end:]
		s.buf.Reset()
		s.buf.WriteString(strings.TrimLeftFunc(rest, unicode.IsSpace))
		if err := s.say(done); err != nil {
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

func (s *splitter) say(text string) error {
	if text = clean(text); text == "" {
		return nil
	}
	return s.emit(text)
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
