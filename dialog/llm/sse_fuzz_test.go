package llm

import (
	"bytes"
	"errors"
	"io"
	"testing"
	"testing/iotest"
)

// FuzzSSE feeds untrusted stream bytes to the event reader, whole and one byte per read:
// both must give the same events and never panic.
func FuzzSSE(f *testing.F) {
	f.Add([]byte(deltas("Hi", " there.")))
	f.Add([]byte(": c\r\n\r\ndata: a\ndata: b\n\nevent: x\ndata:[DONE]"))
	f.Add([]byte("data"))
	f.Fuzz(func(t *testing.T, b []byte) {
		whole := events(t, bytes.NewReader(b))
		bytewise := events(t, iotest.OneByteReader(bytes.NewReader(b)))
		if len(whole) != len(bytewise) {
			t.Fatalf("%d events whole, %d byte by byte", len(whole), len(bytewise))
		}
		for i := range whole {
			if whole[i] != bytewise[i] {
				t.Fatalf("event %d: %q vs %q", i, whole[i], bytewise[i])
			}
		}
	})
}

func events(t *testing.T, r io.Reader) []string {
	s := newSSEReader(r)
	var out []string
	for {
		d, err := s.next()
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, string(d))
	}
}
