package deepgram

import (
	"io"
	"log/slog"
	"math"
	"slices"
	"testing"

	"github.com/sparlab/spar/dialog"
)

// bareStream is a stream without a connection: the test drives handle and Flush directly.
func bareStream() *stream {
	return &stream{t: &Transcriber{log: slog.New(slog.NewTextHandler(io.Discard, nil))},
		queue: make(chan item, 8), results: make(chan dialog.Transcript, 32),
		done: make(chan struct{}), readEnd: make(chan struct{})}
}

// step is a Deepgram message (msg) or an engine Flush (msg == "flush").
type step struct {
	msg  string
	want []dialog.Transcript // what comes out on Results after this step
	ctl  string              // the control message queued, if any
}

// final is a final transcript whose segments all came with results' confidence 0.98.
func final(s string) []dialog.Transcript { return finalConf(s, 0.98) }
func finalConf(s string, c float64) []dialog.Transcript {
	return []dialog.Transcript{{Text: s, Final: true, Confidence: c}}
}
func interim(s string) []dialog.Transcript { return []dialog.Transcript{{Text: s}} }

// sameTranscripts compares transcripts, confidences to 1e-9 (a weighted mean of 0.98s is
// 0.98 only to rounding).
func sameTranscripts(a, b []dialog.Transcript) bool {
	return slices.EqualFunc(a, b, func(x, y dialog.Transcript) bool {
		return x.Text == y.Text && x.Final == y.Final && math.Abs(x.Confidence-y.Confidence) < 1e-9
	})
}

// TestUtteranceStates: one final per Flush, built from is_final segments; speech_final or
// UtteranceEnd before the Flush lets it answer without a Finalize round trip.
func TestUtteranceStates(t *testing.T) {
	cases := []struct {
		name  string
		steps []step
	}{
		{"finalize round trip", []step{
			{msg: results("hello", false, false, false), want: interim("hello")},
			{msg: results("hello there", true, false, false)},
			{msg: "flush", ctl: "Finalize"},
			{msg: results("friend", true, false, true), want: final("hello there friend")},
		}},
		{"speech_final then flush", []step{
			{msg: results("yes please", true, true, false)},
			{msg: results("", false, false, false)},
			{msg: results("", true, false, false)},
			{msg: "flush", want: final("yes please")},
		}},
		{"utterance end then flush", []step{
			{msg: results("okay", true, false, false)},
			{msg: utteranceEnd},
			{msg: "flush", want: final("okay")},
		}},
		{"words after speech_final need Finalize", []step{
			{msg: results("wait", true, true, false)},
			{msg: results("and", false, false, false), want: interim("wait and")},
			{msg: "flush", ctl: "Finalize"},
			{msg: results("and also", true, false, true), want: final("wait and also")},
		}},
		{"utterance end answers a flush", []step{
			{msg: "flush", ctl: "Finalize"},
			{msg: results("", true, false, true), want: finalConf("", 0)}, // nothing heard, nothing scored
			{msg: utteranceEnd},
		}},
		{"utterance end answers a flush when Finalize gets no reply", []step{
			{msg: results("so", true, false, false)},
			{msg: "flush", ctl: "Finalize"},
			{msg: utteranceEnd, want: final("so")},
		}},
		{"speech_final answers a flush", []step{
			{msg: results("one", true, false, false)},
			{msg: "flush", ctl: "Finalize"},
			{msg: results("two", true, true, false), want: final("one two")},
			{msg: results("three", false, false, false), want: interim("three")},
		}},
		{"confidence is the word-weighted mean of the segments", []step{
			{msg: scored("I was charged", "0.9", true, false, false)},
			{msg: scored("twice", "0.5", false, false, false), want: interim("I was charged twice")},
			{msg: "flush", ctl: "Finalize"},
			{msg: scored("twice", "0.5", true, false, true), want: finalConf("I was charged twice", (3*0.9+0.5)/4)},
			// The next utterance starts its own mean; an empty segment's confidence counts for nothing.
			{msg: scored("", "0", true, false, false)},
			{msg: scored("okay", "0.7", true, true, false)},
			{msg: "flush", want: finalConf("okay", 0.7)},
		}},
		{"segments without a confidence are left out", []step{
			{msg: scored("hello there", "0.6", true, false, false)},
			{msg: "flush", ctl: "Finalize"},
			{msg: scored("friend", "", true, false, true), want: finalConf("hello there friend", 0.6)},
			{msg: "flush", ctl: "Finalize"},
			{msg: scored("again", "", true, false, true), want: finalConf("again", 0)},
		}},
		{"a zero confidence is a known, lowest one", []step{
			{msg: scored("mumble", "0", true, true, false)},
			{msg: "flush", want: finalConf("mumble", dialog.MinConfidence)},
		}},
		{"speech started and metadata ignored", []step{
			{msg: speechStarted},
			{msg: metadata},
			{msg: `not json`},
			{msg: results("hi", false, false, false), want: interim("hi")},
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := bareStream()
			for i, st := range tc.steps {
				if st.msg == "flush" {
					if err := s.Flush(); err != nil {
						t.Fatal(err)
					}
				} else {
					s.handleRaw([]byte(st.msg))
				}
				var got []dialog.Transcript
				for len(s.results) > 0 {
					got = append(got, <-s.results)
				}
				if !sameTranscripts(got, st.want) {
					t.Errorf("step %d: got %+v, want %+v", i, got, st.want)
				}
				ctl := ""
				if len(s.queue) > 0 {
					ctl = string((<-s.queue).ctl)
				}
				if want := map[string]string{"": "", "Finalize": string(msgFinalize)}[st.ctl]; ctl != want {
					t.Errorf("step %d: queued %q, want %q", i, ctl, want)
				}
			}
		})
	}
}
