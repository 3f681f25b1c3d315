package instant

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/sparlab/spar/dialog"
	ttsinstant "github.com/sparlab/spar/dialog/tts/instant"
	"github.com/sparlab/spar/media"
)

func drain(ch <-chan dialog.Transcript) []dialog.Transcript {
	var out []dialog.Transcript
	for {
		select {
		case t := <-ch:
			out = append(out, t)
		default:
			return out
		}
	}
}

func TestFlushGivesLinesInOrder(t *testing.T) {
	r, err := New(Config{Lines: []string{"one two", "three"}})
	if err != nil {
		t.Fatal(err)
	}
	s, _ := r.Stream(context.Background(), dialog.STTOptions{})
	var got []string
	for range 3 {
		if err := s.Write(make([]int16, 320)); err != nil {
			t.Fatal(err)
		}
		if err := s.Flush(); err != nil {
			t.Fatal(err)
		}
		for _, tr := range drain(s.Results()) {
			if !tr.Final {
				t.Errorf("interim %q without Words", tr.Text)
			}
			got = append(got, tr.Text)
		}
	}
	want := []string{"one two", "three", "one two"}
	if len(got) != len(want) {
		t.Fatalf("finals %q, want %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("final %d = %q, want %q", i, got[i], want[i])
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, ok := <-s.Results(); ok {
		t.Error("results open after Close")
	}
	if err := s.Write(nil); !errors.Is(err, ErrClosed) {
		t.Errorf("write after close: %v", err)
	}
}

// TestWordsFollowToneSpeech feeds the tone speech of dialog/tts/instant: each tone word takes
// the next script word, interims grow word by word, and a pause does not end the line.
func TestWordsFollowToneSpeech(t *testing.T) {
	tts, _ := ttsinstant.New(ttsinstant.Config{})
	r, _ := New(Config{Words: true, Lines: []string{"I called last week and nobody helped", "thanks"}})
	s, _ := r.Stream(context.Background(), dialog.STTOptions{})
	w := media.WriterFunc(s.Write)
	if err := tts.Synthesize(context.Background(), "a b c d... e f g", "", w); err != nil {
		t.Fatal(err)
	}
	got := drain(s.Results())
	want := []string{"I", "I called", "I called last", "I called last week", "I called last week and",
		"I called last week and nobody", "I called last week and nobody helped"}
	if len(got) != len(want) {
		t.Fatalf("got %d interims %v, want %d", len(got), got, len(want))
	}
	for i, tr := range got {
		if tr.Final || tr.Text != want[i] {
			t.Errorf("interim %d = %+v, want %q", i, tr, want[i])
		}
	}
	_ = s.Flush()
	fin := drain(s.Results())
	if len(fin) != 1 || !fin[0].Final || fin[0].Text != want[len(want)-1] {
		t.Fatalf("final %+v", fin)
	}
	// The next utterance starts on the next line.
	_ = tts.Synthesize(context.Background(), "x", "", w)
	_ = s.Flush()
	next := drain(s.Results())
	if len(next) != 2 || next[1].Text != "thanks" {
		t.Fatalf("next utterance %+v, want thanks", next)
	}
}

// TestConfidences: each final carries its line's scripted confidence, 0 past the list; in
// Words mode the line of the utterance's first word gives it.
func TestConfidences(t *testing.T) {
	r, err := New(Config{Lines: []string{"one two", "three", "four"}, Confidences: []float64{0.42, 0.9}})
	if err != nil {
		t.Fatal(err)
	}
	s, _ := r.Stream(context.Background(), dialog.STTOptions{})
	var got []dialog.Transcript
	for range 4 {
		_ = s.Flush()
		got = append(got, drain(s.Results())...)
	}
	want := []dialog.Transcript{{Text: "one two", Final: true, Confidence: 0.42}, {Text: "three", Final: true, Confidence: 0.9},
		{Text: "four", Final: true}, {Text: "one two", Final: true, Confidence: 0.42}}
	if !slices.Equal(got, want) {
		t.Errorf("finals %+v, want %+v", got, want)
	}

	tts, _ := ttsinstant.New(ttsinstant.Config{})
	r, _ = New(Config{Words: true, Lines: []string{"a b", "c d"}, Confidences: []float64{0.3, 0.8}})
	s, _ = r.Stream(context.Background(), dialog.STTOptions{})
	w := media.WriterFunc(s.Write)
	var finals []dialog.Transcript
	for _, words := range []string{"x", "x y", "x"} { // "a", then "b c" (starts on line 0), then "d"
		_ = tts.Synthesize(context.Background(), words, "", w)
		_ = s.Flush()
		for _, tr := range drain(s.Results()) {
			if tr.Final {
				finals = append(finals, tr)
			}
		}
	}
	_ = s.Flush() // nothing heard: no words, no confidence
	finals = append(finals, drain(s.Results())...)
	want = []dialog.Transcript{{Text: "a", Final: true, Confidence: 0.3}, {Text: "b c", Final: true, Confidence: 0.3},
		{Text: "d", Final: true, Confidence: 0.8}, {Final: true}}
	if !slices.Equal(finals, want) {
		t.Errorf("Words finals %+v, want %+v", finals, want)
	}
}

func TestValidate(t *testing.T) {
	if _, err := New(Config{Lines: []string{"ok", "  "}}); err == nil {
		t.Error("a line without words was accepted")
	}
	for _, c := range [][]float64{{1.5}, {-0.1}, {0.5, 0.5}} {
		if _, err := New(Config{Lines: []string{"ok"}, Confidences: c}); err == nil {
			t.Errorf("confidences %v accepted for one line", c)
		}
	}
}

// TestFullScaleNegativeIsVoiced feeds a block of -32768, whose int16 negation overflows: it
// must count as loud, not as silence.
func TestFullScaleNegativeIsVoiced(t *testing.T) {
	r, err := New(Config{Words: true, Lines: []string{"loud"}})
	if err != nil {
		t.Fatal(err)
	}
	s, _ := r.Stream(context.Background(), dialog.STTOptions{})
	p := make([]int16, 160)
	for i := range p {
		p[i] = -32768
	}
	if err := s.Write(p); err != nil {
		t.Fatal(err)
	}
	got := drain(s.Results())
	if len(got) != 1 || got[0].Text != "loud" || got[0].Final {
		t.Fatalf("interims %+v, want one interim \"loud\"", got)
	}
}

// TestInterimEveryPlain paces interims as pocketsphinx does: only at each InterimEvery of
// audio, the words heard by then, in lower case without punctuation, and none when nothing
// new was heard.
func TestInterimEveryPlain(t *testing.T) {
	// word, gap, word: the interim at 300 ms has both; the one at 600 ms would repeat it.
	got := hearBlocks(t, Config{Words: true, Plain: true, InterimEvery: 300 * time.Millisecond,
		Lines: []string{"Hi, I'm Sam. Thanks!"}}, "LQLQQQ")
	want := []dialog.Transcript{{Text: "hi i'm", Heard: 300 * time.Millisecond}, {Text: "hi i'm", Final: true}}
	if !slices.Equal(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
}

// hearBlocks streams blocks of 100 ms, loud (L) or quiet (Q), to a recognizer of cfg, flushes,
// and returns what it gave.
func hearBlocks(t *testing.T, cfg Config, blocks string) []dialog.Transcript {
	t.Helper()
	r, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	s, _ := r.Stream(context.Background(), dialog.STTOptions{})
	loud := make([]int16, media.Samples(rate, 100*time.Millisecond))
	for i := range loud {
		loud[i] = 3000
	}
	quiet := make([]int16, len(loud))
	for _, b := range blocks {
		p := quiet
		if b == 'L' {
			p = loud
		}
		if err := s.Write(p); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Flush(); err != nil {
		t.Fatal(err)
	}
	return drain(s.Results())
}

// TestPlainHearsScriptWords: plain, a hyphenated word of the script is still one word heard,
// as a synthesizer speaks it once ("thirty-five" is "thirty five"), so the words heard keep
// step with the speech and the last one is not lost.
func TestPlainHearsScriptWords(t *testing.T) {
	// it, was, thirty-five, pounds, as, well
	got := hearBlocks(t, Config{Words: true, Plain: true, Lines: []string{"It was thirty-five pounds, as well."}}, "LQLQLQLQLQLQ")
	if last := got[len(got)-1]; !last.Final || last.Text != "it was thirty five pounds as well" {
		t.Errorf("final %+v, want every word of the line", last)
	}
}
