package deepgram

import (
	"strings"
	"testing"
)

// FuzzHandleRaw feeds the stream's reader whatever the server might send: it must never
// panic or block, never answer a Flush that was not made, and never show an empty interim.
func FuzzHandleRaw(f *testing.F) {
	for _, s := range []string{
		results("hello there", false, false, false), results("okay", true, true, false),
		results("", true, false, true), utteranceEnd, `{"type":"Metadata","request_id":"x"}`,
		`{"type":"Results","channel":[1,2]}`, `{"type":"Results","channel":{"alternatives":[]}}`,
		`not json`, `{"type":"UtteranceEnd","channel":{}}`, `{}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		s := bareStream()
		s.handleRaw(b)
		s.handleRaw(b) // twice: a repeated message must not break the state either
		for len(s.results) > 0 {
			tr := <-s.results
			if tr.Final {
				t.Fatalf("a final transcript without a Flush: %+v", tr)
			}
			if strings.TrimSpace(tr.Text) == "" {
				t.Fatalf("an empty interim from %q", b)
			}
		}
	})
}
