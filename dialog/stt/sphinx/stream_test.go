package sphinx

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/sparlab/spar/dialog"
)

func writeAudio(t *testing.T, s dialog.RecognizeStream, samples int) {
	t.Helper()
	frame := make([]int16, 320)
	for n := 0; n < samples; n += 320 {
		if err := s.Write(frame); err != nil {
			t.Fatal(err)
		}
	}
}

// collect reads results until a final arrives.
func untilFinal(t *testing.T, s dialog.RecognizeStream) (interims []string, final string) {
	t.Helper()
	for tr := range s.Results() {
		if tr.Final {
			return interims, tr.Text
		}
		interims = append(interims, tr.Text)
	}
	t.Fatal("results closed before the final transcript")
	return nil, ""
}

// The stream tests run in a synctest bubble: the test fails with a deadlock if any goroutine
// the stream started is still blocked when the test function returns.

func TestStreamInterimThenFinal(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := &fakes{}
		r := newRecognizer(Config{}.withDefaults(), nil, f.new)
		s, err := r.Stream(t.Context(), dialog.STTOptions{})
		if err != nil {
			t.Fatal(err)
		}
		for utt := range 2 {
			writeAudio(t, s, 16000) // 1 s: ten words, an interim every 300 ms
			if err := s.Flush(); err != nil {
				t.Fatal(err)
			}
			interims, final := untilFinal(t, s)
			want := []string{"w1 w2 w3", "w1 w2 w3 w4 w5 w6", "w1 w2 w3 w4 w5 w6 w7 w8 w9"}
			if len(interims) != len(want) || interims[0] != want[0] || interims[2] != want[2] {
				t.Errorf("utterance %d: interims %q, want %q", utt, interims, want)
			}
			if final != "w1 w2 w3 w4 w5 w6 w7 w8 w9 w10" {
				t.Errorf("utterance %d: final %q", utt, final)
			}
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		if f.created != 1 {
			t.Errorf("%d decoders created for two utterances of one stream, want 1 reused", f.created)
		}
		if got := f.events(); got != "start end start end" {
			t.Errorf("decoder calls %q", got)
		}
		r.Close()
		if got := f.events(); got != "start end start end free" {
			t.Errorf("after Recognizer.Close, decoder calls %q: want the decoder freed", got)
		}
	})
}

// TestStreamFinalConfidence: a final carries the decoder's confidence in it; a final with no
// words carries none.
func TestStreamFinalConfidence(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newRecognizer(Config{}.withDefaults(), nil, (&fakes{}).new)
		s, _ := r.Stream(t.Context(), dialog.STTOptions{})
		defer s.Close()
		var got []dialog.Transcript
		for _, n := range []int{3200, 640} { // two words, then too little for one
			writeAudio(t, s, n)
			if err := s.Flush(); err != nil {
				t.Fatal(err)
			}
			for tr := range s.Results() {
				if tr.Final {
					got = append(got, tr)
					break
				}
			}
		}
		want := []dialog.Transcript{{Text: "w1 w2", Final: true, Confidence: 0.5}, {Final: true}}
		if len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
			t.Errorf("finals %+v, want %+v", got, want)
		}
	})
}

// TestStreamDoubtfulLast: a final's last word that is both short and improbable (a "the"
// heard in the silence after a sentence) is flagged; a drawn-out or probable one, or one from
// a search without posteriors, is not.
func TestStreamDoubtfulLast(t *testing.T) {
	const ms = time.Millisecond
	for _, c := range []struct {
		post float64
		dur  time.Duration
		want bool
	}{{0.017, 80 * ms, true}, {0.019, 400 * ms, false}, {0.5, 80 * ms, false}, {-1, 80 * ms, false}} {
		synctest.Test(t, func(t *testing.T) {
			r := newRecognizer(Config{}.withDefaults(), nil, (&fakes{lastPost: c.post, lastDur: c.dur}).new)
			s, _ := r.Stream(t.Context(), dialog.STTOptions{})
			defer s.Close()
			writeAudio(t, s, 3200)
			if err := s.Flush(); err != nil {
				t.Fatal(err)
			}
			for tr := range s.Results() {
				if tr.Final {
					if tr.DoubtfulLast != c.want {
						t.Errorf("last word posterior %v, %v long: final %+v, want DoubtfulLast %v", c.post, c.dur, tr, c.want)
					}
					break
				}
			}
		})
	}
}

func TestStreamFlushWithoutAudio(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := &fakes{}
		r := newRecognizer(Config{}.withDefaults(), nil, f.new)
		s, _ := r.Stream(t.Context(), dialog.STTOptions{})
		defer s.Close()
		for range 2 {
			if err := s.Flush(); err != nil {
				t.Fatal(err)
			}
			interims, final := untilFinal(t, s)
			if len(interims) != 0 || final != "" {
				t.Errorf("interims %q final %q, want an empty final only", interims, final)
			}
		}
		if f.created != 0 {
			t.Errorf("a decoder was created for an empty utterance")
		}
	})
}

func TestStreamCloseUnblocksReaders(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newRecognizer(Config{}.withDefaults(), nil, (&fakes{}).new)
		s, _ := r.Stream(t.Context(), dialog.STTOptions{})
		writeAudio(t, s, 3200) // an utterance in progress, never flushed
		done := make(chan int)
		go func() {
			n := 0
			for range s.Results() {
				n++
			}
			done <- n
		}()
		synctest.Wait()
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		<-done
		if err := s.Write(make([]int16, 320)); !errors.Is(err, ErrClosed) {
			t.Errorf("Write after Close: %v, want ErrClosed", err)
		}
		if err := s.Flush(); !errors.Is(err, ErrClosed) {
			t.Errorf("Flush after Close: %v, want ErrClosed", err)
		}
		if err := s.Close(); err != nil {
			t.Errorf("second Close: %v", err)
		}
	})
}

func TestStreamContextEnd(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newRecognizer(Config{}.withDefaults(), nil, (&fakes{}).new)
		ctx, cancel := context.WithCancel(t.Context())
		s, _ := r.Stream(ctx, dialog.STTOptions{})
		writeAudio(t, s, 3200)
		cancel()
		for range s.Results() {
		}
		if err := s.Write(make([]int16, 320)); !errors.Is(err, context.Canceled) {
			t.Errorf("Write after the context ended: %v", err)
		}
		s.Close()
	})
}

// TestStreamDropsWhenDecoderStuck checks that Write never blocks: with the decoder stuck,
// audio beyond the queue is dropped and counted.
func TestStreamDropsWhenDecoderStuck(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := &fakes{block: make(chan struct{})}
		r := newRecognizer(Config{}.withDefaults(), nil, f.new)
		s, _ := r.Stream(t.Context(), dialog.STTOptions{})
		writeAudio(t, s, 320*(queueFrames+100))
		synctest.Wait()
		st := s.(*stream)
		// One frame is inside the stuck decoder, queueFrames wait in the queue... at most.
		if d := st.dropped.Load(); d < 99 || d > 100 {
			t.Errorf("dropped %d writes, want about 100", d)
		}
		close(f.block)
		if err := s.Flush(); err != nil {
			t.Fatal(err)
		}
		if _, final := untilFinal(t, s); final == "" {
			t.Error("empty final after the decoder resumed")
		}
		s.Close()
	})
}

func TestStreamGrammarSelection(t *testing.T) {
	phrases := []string{"charged twice"}
	cases := []struct {
		mode        string
		narrowband  bool
		phrases     []string
		wantGrammar bool
	}{
		{ModeLM, true, phrases, false},
		{ModeGrammar, false, phrases, true},
		{ModeGrammar, true, nil, false},
		{ModeAdapt, true, phrases, true},
		{ModeAdapt, true, nil, false},
	}
	for _, tc := range cases {
		t.Run(tc.mode, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				r := newRecognizer(Config{Mode: tc.mode}.withDefaults(), nil, (&fakes{}).new)
				s, _ := r.Stream(t.Context(), dialog.STTOptions{Phrases: tc.phrases, Narrowband: tc.narrowband})
				defer s.Close()
				g := s.(*stream).g
				if got := g != nil; got != tc.wantGrammar {
					t.Errorf("grammar used = %v, want %v", got, tc.wantGrammar)
				}
				if g != nil && g.adapt != (tc.mode == ModeAdapt) {
					t.Errorf("adapt = %v in mode %s", g.adapt, tc.mode)
				}
			})
		})
	}
}

// TestStreamSearchFallsBackToLM: a call whose phrases have no dictionary word cannot get its
// search built; its utterances are decoded with the LM, not dropped.
func TestStreamSearchFallsBackToLM(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newRecognizer(Config{Mode: ModeAdapt}.withDefaults(), nil, (&fakes{}).new)
		s, err := r.Stream(t.Context(), dialog.STTOptions{Phrases: []string{"zzfleetcore"}})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		if err := s.Write(make([]int16, 3200)); err != nil {
			t.Fatal(err)
		}
		if err := s.Flush(); err != nil {
			t.Fatal(err)
		}
		if _, final := untilFinal(t, s); final != "w1 w2" {
			t.Errorf("final %q, want %q (decoded with the LM)", final, "w1 w2")
		}
	})
}

func TestPoolWaitsForDecoder(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := &fakes{}
		p := newPool(1, f.new)
		d, err := p.get(t.Context(), wideband)
		if err != nil {
			t.Fatal(err)
		}
		got := make(chan decoder)
		go func() {
			d2, _ := p.get(t.Context(), wideband)
			got <- d2
		}()
		synctest.Wait()
		select {
		case <-got:
			t.Fatal("got a second decoder beyond the pool size")
		default:
		}
		p.put(wideband, d)
		if d2 := <-got; d2 != d {
			t.Error("the waiting caller did not get the returned decoder")
		}
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		if _, err := p.get(ctx, wideband); !errors.Is(err, context.Canceled) {
			t.Errorf("get with a cancelled context: %v", err)
		}
		if _, err := p.get(t.Context(), narrowband); err != nil || f.created != 2 {
			t.Errorf("narrowband has its own decoders: err %v, created %d", err, f.created)
		}
	})
}

// TestStreamInterimHeard: each interim says how much of the utterance it covers, counted
// again from the start of the next utterance.
func TestStreamInterimHeard(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := &fakes{}
		r := newRecognizer(Config{}.withDefaults(), nil, f.new)
		defer r.Close()
		s, err := r.Stream(t.Context(), dialog.STTOptions{})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		for utt := range 2 {
			writeAudio(t, s, 9600) // 600 ms: interims at 300 and 600 ms
			if err := s.Flush(); err != nil {
				t.Fatal(err)
			}
			var heard []time.Duration
			for tr := range s.Results() {
				if tr.Final {
					break
				}
				heard = append(heard, tr.Heard)
			}
			if len(heard) != 2 || heard[0] != 300*time.Millisecond || heard[1] != 600*time.Millisecond {
				t.Errorf("utterance %d: interims heard %v, want [300ms 600ms]", utt, heard)
			}
		}
	})
}
