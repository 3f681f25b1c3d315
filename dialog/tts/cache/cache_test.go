package cache

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/sparlab/spar/media"
)

// fakeSynth renders a sentence as one sample per byte of its text, in 7-sample writes, and
// counts its calls; a sentence starting "FAIL" fails after its first write.
type fakeSynth struct{ calls int }

func (f *fakeSynth) Synthesize(ctx context.Context, text, voice string, w media.Writer) error {
	f.calls++
	pcm := make([]int16, 0, len(text))
	for i := range len(text) {
		pcm = append(pcm, int16(text[i])+int16(len(voice)))
	}
	for i := 0; i < len(pcm); i += 7 {
		if strings.HasPrefix(text, "FAIL") && i > 0 {
			return errors.New("synthesizer crashed")
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		buf := slices.Clone(pcm[i:min(i+7, len(pcm))])
		if err := w.WriteSample(buf); err != nil {
			return err
		}
		clear(buf) // a writer downstream may reuse what it was given
	}
	return nil
}

type sink struct{ got []int16 }

func (s *sink) WriteSample(p []int16) error {
	s.got = append(s.got, p...)
	clear(p) // and so may this one: the cache must not care
	return nil
}

func say(t *testing.T, c *Synth, text, voice string) []int16 {
	t.Helper()
	var s sink
	if err := c.Synthesize(context.Background(), text, voice, &s); err != nil {
		t.Fatal(err)
	}
	return s.got
}

func TestCacheReplaysWhatItRendered(t *testing.T) {
	f := &fakeSynth{}
	c := New(f, 1000)
	first := say(t, c, "Hello? Are you still there?", "slt")
	again := say(t, c, "Hello? Are you still there?", "slt")
	if f.calls != 1 || !slices.Equal(first, again) || len(first) != len("Hello? Are you still there?") {
		t.Fatalf("calls %d; first %v, again %v", f.calls, first, again)
	}
	say(t, c, "Hello? Are you still there?", "awb") // another voice is another rendering
	if f.calls != 2 {
		t.Fatalf("calls %d after another voice, want 2", f.calls)
	}
	if h, m := c.Stats(); h != 1 || m != 2 {
		t.Errorf("stats %d hits %d misses, want 1 and 2", h, m)
	}
}

func TestCacheKeepsOnlyWholeRenderings(t *testing.T) {
	f := &fakeSynth{}
	c := New(f, 1000)
	var s sink
	for range 2 {
		if err := c.Synthesize(context.Background(), "FAIL half way through this one", "slt", &s); err == nil {
			t.Fatal("a failing synthesis succeeded")
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // barged in before it finished
	_ = c.Synthesize(ctx, "Sorry, go on.", "slt", &s)
	say(t, c, "Sorry, go on.", "slt")
	if f.calls != 4 {
		t.Errorf("calls %d, want every failed or cut rendering done again (4)", f.calls)
	}
}

func TestCacheEvictsLeastRecentlyUsed(t *testing.T) {
	f := &fakeSynth{}
	c := New(f, 20) // room for two ten-sample sentences
	say(t, c, "aaaaaaaaaa", "")
	say(t, c, "bbbbbbbbbb", "")
	say(t, c, "aaaaaaaaaa", "") // a is now the most recent
	say(t, c, "cccccccccc", "") // evicts b
	calls := f.calls
	say(t, c, "aaaaaaaaaa", "")
	say(t, c, "cccccccccc", "")
	if f.calls != calls {
		t.Errorf("a or c was evicted")
	}
	say(t, c, "bbbbbbbbbb", "")
	if f.calls != calls+1 {
		t.Errorf("b was kept past the budget")
	}
}

func TestCachePlayStopsOnCancel(t *testing.T) {
	c := New(&fakeSynth{}, 10000)
	long := string(make([]byte, 2000))
	say(t, c, long, "slt")
	ctx, cancel := context.WithCancel(context.Background())
	n := 0
	err := c.Synthesize(ctx, long, "slt", media.WriterFunc(func(p []int16) error {
		if n++; n == 2 {
			cancel()
		}
		return nil
	}))
	if !errors.Is(err, context.Canceled) || n != 2 {
		t.Errorf("after a cancel mid-play: %v with %d writes, want canceled after 2", err, n)
	}
}

// nestSink starts a second rendering of the same sentence while the first is under way (as
// a call starting while another's greeting plays).
type nestSink struct {
	sink
	c      *Synth
	second []int16
}

func (s *nestSink) WriteSample(p []int16) error {
	if s.second == nil {
		var o sink
		if err := s.c.Synthesize(context.Background(), "Hi, this is Dana.", "slt", &o); err != nil {
			return err
		}
		s.second = o.got
	}
	return s.sink.WriteSample(p)
}

func TestCacheKeepsOneCopyPerSentenceInFlight(t *testing.T) {
	f := &fakeSynth{}
	c := New(f, 1000)
	s := &nestSink{c: c}
	if err := c.Synthesize(context.Background(), "Hi, this is Dana.", "slt", s); err != nil {
		t.Fatal(err)
	}
	if f.calls != 2 || !slices.Equal(s.got, s.second) {
		t.Fatalf("calls %d; first %v, second %v", f.calls, s.got, s.second)
	}
	if c.size != len("Hi, this is Dana.") || len(c.rendering) != 0 {
		t.Errorf("cache holds %d samples, %d renderings in flight; want one copy, none", c.size, len(c.rendering))
	}
	say(t, c, "Hi, this is Dana.", "slt")
	if f.calls != 2 {
		t.Errorf("calls %d, want the kept copy replayed", f.calls)
	}
}
