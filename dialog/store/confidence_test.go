package store

import (
	"context"
	"slices"
	"testing"
	"testing/synctest"
	"time"

	"github.com/sparlab/spar/dialog"
	"github.com/sparlab/spar/dialog/store/storetest"
	sttinstant "github.com/sparlab/spar/dialog/stt/instant"
	ttsinstant "github.com/sparlab/spar/dialog/tts/instant"
	"github.com/sparlab/spar/media"
	"github.com/sparlab/spar/telephony"
)

// toneLine is a dialog.Line that hands the engine's listener to the test and discards the
// persona's audio.
type toneLine struct{ listener chan telephony.Listener }

func (l *toneLine) Listen(li telephony.Listener) { l.listener <- li }
func (l *toneLine) WriteSample([]int16) error    { return nil }
func (l *toneLine) Clear() error                 { return nil }
func (l *toneLine) Played() time.Duration        { return 0 }
func (l *toneLine) Hangup(error)                 {}

// okPersona answers every input with "Okay."
type okPersona struct{}

func (okPersona) Respond(_ context.Context, _ dialog.Input, say func(string) error) (dialog.State, error) {
	return dialog.State{Stage: "complaint", Mood: 5}, say("Okay.")
}

// confidenceCall runs a real engine on a synctest clock: the learner speaks three lines of
// tone speech, which the instant recognizer hears as its script with the given confidences.
// It returns the call's result and timeline.
func confidenceCall(t *testing.T, lines []string, confidences []float64) (dialog.Result, []dialog.Event) {
	t.Helper()
	var (
		res    dialog.Result
		events []dialog.Event
	)
	synctest.Test(t, func(t *testing.T) {
		stt, err := sttinstant.New(sttinstant.Config{Lines: lines, Confidences: confidences})
		if err != nil {
			t.Fatal(err)
		}
		tts, _ := ttsinstant.New(ttsinstant.Config{})
		engine, err := dialog.New(dialog.DefaultConfig(), stt, tts)
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancelCause(t.Context())
		defer cancel(nil)
		line := &toneLine{listener: make(chan telephony.Listener, 1)}
		done := make(chan struct{})
		go func() {
			defer close(done)
			res, _ = engine.Run(ctx, line, dialog.Session{Transport: "test", Persona: okPersona{}, Turns: dialog.DefaultTurns(),
				Timeline: dialog.TimelineFunc(func(e dialog.Event) { events = append(events, e) })})
		}()
		li := <-line.listener
		frame := media.Samples(media.Rate16k, media.FrameDuration)
		tick := time.NewTicker(media.FrameDuration)
		defer tick.Stop()
		play := func(p []int16) {
			for off := 0; off+frame <= len(p); off += frame {
				li.Audio(p[off : off+frame])
				<-tick.C
			}
		}
		silence := make([]int16, 2*media.Rate16k) // 2 s: the greeting or the reply plays
		play(silence)
		for range lines {
			var speech collector
			_ = tts.Synthesize(ctx, "one two three four", "", &speech)
			play(speech.pcm)
			play(silence)
		}
		cancel(telephony.ErrFarEndHangup)
		<-done
	})
	return res, events
}

type collector struct{ pcm []int16 }

func (c *collector) WriteSample(p []int16) error { c.pcm = append(c.pcm, p...); return nil }

// learnerLines are the learner's utterances of a transcript.
func learnerLines(tr []dialog.Utterance) []dialog.Utterance {
	var out []dialog.Utterance
	for _, u := range tr {
		if u.Speaker == dialog.SpeakerLearner {
			out = append(out, u)
		}
	}
	return out
}

// TestConfidenceReachesRecord: the recognizer's confidence in each learner line goes from the
// engine into the sealed record, and into the record Recover rebuilds from the timeline when
// the server died before sealing; a line the recognizer gave no confidence keeps none.
func TestConfidenceReachesRecord(t *testing.T) {
	lines := []string{"I am so sorry about that", "let me fix it", "it is refunded"}
	res, events := confidenceCall(t, lines, []float64{0.42, 0.9})
	got := learnerLines(res.Transcript)
	if len(got) != 3 {
		t.Fatalf("learner lines %+v, want the three spoken", got)
	}
	for i, want := range []float64{0.42, 0.9, 0} {
		if got[i].Text != lines[i] || got[i].Confidence != want {
			t.Errorf("learner line %d = %q at %v, want %q at %v", i, got[i].Text, got[i].Confidence, lines[i], want)
		}
	}

	ctx := context.Background()
	s := newTestStore(t, storetest.Redis(t), storetest.Prefix(t), "node-a")
	l, err := s.Begin(ctx, testInfo("sealed", "alice", "billing", time.Now()), "")
	if err != nil {
		t.Fatal(err)
	}
	appendAll(l, events)
	if _, err := l.Seal(ctx, res); err != nil {
		t.Fatal(err)
	}
	sealed, err := s.Get(ctx, "sealed")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(learnerLines(sealed.Transcript), got) {
		t.Errorf("sealed learner lines %+v, want %+v", learnerLines(sealed.Transcript), got)
	}

	dieMidCall(t, s, "died", events)
	if _, err := s.Recover(ctx); err != nil {
		t.Fatal(err)
	}
	recovered, err := s.Get(ctx, "died")
	if err != nil || recovered.Status != StatusInterrupted {
		t.Fatalf("recovered record %+v, %v", recovered, err)
	}
	if !slices.Equal(learnerLines(recovered.Transcript), got) {
		t.Errorf("recovered learner lines %+v, want %+v", learnerLines(recovered.Transcript), got)
	}
}
