package instant

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/sparlab/spar/media"
)

type counter struct {
	samples, voiced int
	runs            []bool // voiced or not, one entry per change
}

func (c *counter) WriteSample(p []int16) error {
	v := media.LevelDBFS(p) > -40
	if len(c.runs) == 0 || c.runs[len(c.runs)-1] != v {
		c.runs = append(c.runs, v)
	}
	c.samples += len(p)
	if v {
		c.voiced += len(p)
	}
	return nil
}

func TestSynthesize(t *testing.T) {
	s, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name         string
		text         string
		total, voice time.Duration
		words        int
	}{
		{"one word", "hello", 200 * time.Millisecond, 200 * time.Millisecond, 1},
		{"gaps", "I called you", 3*200*time.Millisecond + 2*60*time.Millisecond, 600 * time.Millisecond, 3},
		{"comma", "well, yes", 400*time.Millisecond + 200*time.Millisecond, 400 * time.Millisecond, 2},
		{"ellipsis", "last week... and", 3*200*time.Millisecond + 600*time.Millisecond + 60*time.Millisecond, 600 * time.Millisecond, 3},
		{"empty", "  ", 0, 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var c counter
			if err := s.Synthesize(context.Background(), tc.text, "", &c); err != nil {
				t.Fatal(err)
			}
			if got := media.Duration(rate, c.samples); got != tc.total {
				t.Errorf("duration %v, want %v", got, tc.total)
			}
			if got := s.Duration(tc.text); got != tc.total {
				t.Errorf("Duration() %v, want %v", got, tc.total)
			}
			if got := media.Duration(rate, c.voiced); got != tc.voice {
				t.Errorf("voiced %v, want %v", got, tc.voice)
			}
			words := 0
			for _, v := range c.runs {
				if v {
					words++
				}
			}
			if words != tc.words {
				t.Errorf("voiced runs %d, want %d", words, tc.words)
			}
		})
	}
}

func TestSynthesizeCancelled(t *testing.T) {
	s, _ := New(Config{})
	ctx, cancel := context.WithCancelCause(context.Background())
	cause := errors.New("barge-in")
	cancel(cause)
	if err := s.Synthesize(ctx, "a b c", "", &counter{}); !errors.Is(err, cause) {
		t.Fatalf("err %v, want the context's cause", err)
	}
}

func TestValidate(t *testing.T) {
	if _, err := New(Config{Level: 40000}); err == nil {
		t.Error("level 40000 accepted")
	}
	if _, err := New(Config{Word: -time.Second}); err == nil {
		t.Error("negative word accepted")
	}
}

func TestSynthesizeAllocs(t *testing.T) {
	s, _ := New(Config{})
	var c counter
	c.runs = make([]bool, 0, 64)
	n := testing.AllocsPerRun(20, func() {
		c.runs = c.runs[:0]
		_ = s.Synthesize(context.Background(), "one two three", "", &c)
	})
	if n > 1 { // strings.Fields
		t.Errorf("%v allocations per sentence", n)
	}
}
