package sentence

import (
	"slices"
	"strings"
	"testing"
)

func TestSplit(t *testing.T) {
	cases := []struct {
		in   string
		want []string
	}{
		{"Hello.", []string{"Hello."}},
		{"Hi there. How are you? Great!", []string{"Hi there.", "How are you?", "Great!"}},
		{"Costs $3.50 today", []string{"Costs $3.50 today"}},
		{"  ", nil},
		{"", nil},
		{"Wait... what?", []string{"Wait...", "what?"}},
		{"Ask Mr. Lee. Now!", []string{"Ask Mr. Lee.", "Now!"}},
		{"Mr. Lee is out.", []string{"Mr. Lee is out."}},
		{"She said \"no.\" Then", []string{"She said \"no.\"", "Then"}},
		{"First line\nSecond", []string{"First line", "Second"}},
		{"\n\nLeading breaks. Done", []string{"Leading breaks.", "Done"}},
		{"Really?! Yes.", []string{"Really?!", "Yes."}},
		{"e.g. this one. Next", []string{"e.g. this one.", "Next"}},
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			if got := Split(tc.in); !slices.Equal(got, tc.want) {
				t.Errorf("Split(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestEndWaitsForWhatFollows(t *testing.T) {
	// A streamed "It was $99." may continue as "99": the period ends nothing until a space.
	for _, tc := range []struct {
		in   string
		want int
	}{{"It was $99.", -1}, {"It was $99. ", 11}, {"No", -1}, {"\n", -1}, {"Yes!\n", 4}} {
		if got := End(tc.in); got != tc.want {
			t.Errorf("End(%q) = %d, want %d", tc.in, got, tc.want)
		}
	}
}

func FuzzSplit(f *testing.F) {
	for _, s := range []string{"Hi. There", "Mr. X.", "a\n\nb", "...", "?! \"'"} {
		f.Add(s)
	}
	squeeze := func(s string) string { return strings.Join(strings.Fields(s), "") }
	f.Fuzz(func(t *testing.T, s string) {
		parts := Split(s)
		for _, part := range parts {
			if part == "" {
				t.Fatalf("Split(%q) has an empty sentence", s)
			}
		}
		if got := squeeze(strings.Join(parts, " ")); got != squeeze(s) {
			t.Fatalf("Split(%q) = %q lost or added text", s, parts)
		}
		if e := End(s); e > len(s) {
			t.Fatalf("End(%q) = %d past the end", s, e)
		}
	})
}
