package llm

import (
	"bufio"
	"bytes"
	"io"
)

// sseReader reads server-sent events (https://html.spec.whatwg.org/multipage/server-sent-events.html)
// from a body that may split an event, or a line, across reads. It keeps only the data field:
// chat streams use nothing else. Comment lines (":" keep-alives) are skipped.
type sseReader struct {
	r    *bufio.Reader
	data bytes.Buffer
}

func newSSEReader(r io.Reader) *sseReader { return &sseReader{r: bufio.NewReaderSize(r, 4096)} }

// next returns the data of the next event (data lines joined by "\n"). At the end of the body
// it returns io.EOF, or io.ErrUnexpectedEOF when an event was left unfinished.
func (s *sseReader) next() ([]byte, error) {
	s.data.Reset()
	have := false
	for {
		line, err := s.r.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			// A very long line: gather it whole.
			long := append([]byte(nil), line...)
			for err == bufio.ErrBufferFull {
				line, err = s.r.ReadSlice('\n')
				long = append(long, line...)
			}
			line = long
		}
		if err != nil && err != io.EOF {
			return nil, err
		}
		if err == io.EOF && len(line) == 0 {
			if have {
				return nil, io.ErrUnexpectedEOF
			}
			return nil, io.EOF
		}
		line = bytes.TrimRight(line, "\r\n")
		switch {
		case len(line) == 0:
			if have {
				return s.data.Bytes(), nil
			}
		case line[0] == ':':
			// Comment: keep-alive or a server's note.
		default:
			field, value, _ := bytes.Cut(line, []byte(":"))
			value = bytes.TrimPrefix(value, []byte(" "))
			if string(field) == "data" {
				if have {
					s.data.WriteByte('\n')
				}
				s.data.Write(value)
				have = true
			}
		}
		if err == io.EOF {
			if have {
				// A last event without its blank line: deliver it; the caller decides
				// whether the stream was complete.
				return s.data.Bytes(), nil
			}
			return nil, io.EOF
		}
	}
}
