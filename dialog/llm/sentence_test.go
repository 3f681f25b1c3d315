package llm

import (
	"slices"
	"testing"
)

func TestSplitter(t *testing.T) {
	cases := []struct {
		name   string
		pieces []string
		want   []string
	}{
		{"one by one", []string{"Hel", "lo. ", "How", " are you", "?"}, []string{"Hello.", "How are you?"}},
		{"money and decimals", []string{"It was $99.", "99 twice. Fix it."}, []string{"It was $99.99 twice.", "Fix it."}},
		{"abbreviation", []string{"Ask Mr. Lee. Now!"}, []string{"Ask Mr. Lee.", "Now!"}},
		{"ellipsis and quotes", []string{"Wait... what? She said \"no.\" Then"}, []string{"Wait...", "what?", "She said \"no.\"", "Then"}},
		{"line break", []string{"First line\nSecond"}, []string{"First line", "Second"}},
		{"stage directions dropped", []string{"*sighs* Fine. [pause] ", "Okay."}, []string{"Fine.", "Okay."}},
		{"only a direction", []string{"*laughs*"}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			s := splitter{emit: func(x string) error { got = append(got, x); return nil }}
			for _, p := range tc.pieces {
				if err := s.write(p); err != nil {
					t.Fatal(err)
				}
			}
			if err := s.flush(); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}
