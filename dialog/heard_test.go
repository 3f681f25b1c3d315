package dialog

import "testing"

func TestHeardText(t *testing.T) {
	s := []spoken{{text: "One two three four.", start: 0, end: 400}, {text: "Five six.", start: 400, end: 600}}
	tests := []struct {
		name   string
		played int64
		want   string
		cut    bool
	}{
		{"nothing", 0, "", true},
		{"half the first", 200, "One two", true},
		{"first whole", 400, "One two three four.", true},
		{"into the second", 500, "One two three four. Five", true},
		{"all", 600, "One two three four. Five six.", false},
		{"past the end", 9999, "One two three four. Five six.", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, cut := heardText(s, tc.played)
			if got != tc.want || cut != tc.cut {
				t.Errorf("heardText(%d) = %q, %v; want %q, %v", tc.played, got, cut, tc.want, tc.cut)
			}
		})
	}
}

func TestIsBackchannel(t *testing.T) {
	bc := DefaultTurns().Backchannels
	for text, want := range map[string]bool{
		"okay": true, "OK.": true, "right right": true, "mm-hm": true, "okay i see": true,
		"": false, "okay but": false, "no": false, "wait let me stop you": false,
	} {
		if got := isBackchannel(text, bc); got != want {
			t.Errorf("isBackchannel(%q) = %v", text, got)
		}
	}
}

func TestEndsThought(t *testing.T) {
	for text, want := range map[string]int{
		"I will refund it today.": 1, "is that right?": 1, "i checked and": -1, "so um": -1,
		"let me check the": -1, "thanks": 1, "the account number": 0, "": 0,
		"i was charged for": -1, "nobody helped me with my": -1, "i": -1,
	} {
		if got := endsThought(text); got != want {
			t.Errorf("endsThought(%q) = %d, want %d", text, got, want)
		}
	}
}
