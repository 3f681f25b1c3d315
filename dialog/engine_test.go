package dialog

import (
	"context"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/sparlab/spar/media"
	"github.com/sparlab/spar/telephony"
)

type run struct {
	res     Result
	err     error
	ev      *events
	line    *fakeLine
	persona *fakePersona
	rec     *fakeRecording
}

// fakeRecording is a Recording that keeps where ClearRight was asked to silence the persona
// channel from, and the widest stretch of audio it was asked to hold unflushed: from the
// position flushed to the end of the furthest audio placed.
type fakeRecording struct {
	mu              sync.Mutex
	cleared         []int64
	flushed, widest int64
}

func (r *fakeRecording) WriteLeft(at int64, p []int16)  { r.place(at, p) }
func (r *fakeRecording) WriteRight(at int64, p []int16) { r.place(at, p) }
func (r *fakeRecording) place(at int64, p []int16) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.widest = max(r.widest, at+int64(len(p))-r.flushed)
}
func (r *fakeRecording) Flush(upTo int64) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.flushed = max(r.flushed, upTo)
	return nil
}
func (r *fakeRecording) ClearRight(from int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.cleared = append(r.cleared, from)
}

// converse runs one call in a synctest bubble with a simulated learner.
func converse(t *testing.T, p *fakePersona, texts []string, steps []step, turns Turns, stop func(cancel context.CancelCauseFunc)) run {
	t.Helper()
	return converseSTT(t, p, &fakeSTT{texts: texts}, steps, turns, stop)
}

// converseSTT is converse with a recognizer of the test's own.
func converseSTT(t *testing.T, p *fakePersona, stt *fakeSTT, steps []step, turns Turns, stop func(cancel context.CancelCauseFunc)) run {
	t.Helper()
	var r run
	synctestRun(t, func(t *testing.T) {
		eng, err := New(DefaultConfig(), stt, fakeTTS{})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancelCause(t.Context())
		defer cancel(nil)
		r.line, r.ev, r.persona, r.rec = newFakeLine(), &events{}, p, &fakeRecording{}
		lctx, lcancel := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() { defer close(done); learner(lctx, r.line, steps) }()
		if stop != nil {
			go stop(cancel)
		}
		r.res, r.err = eng.Run(ctx, r.line, Session{Persona: p, Voice: "v", Turns: turns, Timeline: r.ev, Recording: r.rec})
		lcancel()
		<-done
	})
	return r
}

// synctestRun runs f in a bubble and checks every goroutine it started has stopped.
func synctestRun(t *testing.T, f func(t *testing.T)) {
	synctest.Test(t, func(t *testing.T) {
		f(t)
		synctest.Wait()
	})
}

func testTurns() Turns {
	t := DefaultTurns()
	t.EndSilence = 500 * time.Millisecond
	t.SilenceTimeout = 4 * time.Second
	t.MaxDuration = 2 * time.Minute
	return t
}

func TestEngineConversation(t *testing.T) {
	p := &fakePersona{replies: []string{"That is not good enough.", "Fine. When do I get it back?", "Thanks. Bye."}, endAt: 3}
	texts := []string{"hi this is sam how can i help", "i am so sorry that is our mistake", "the refund arrives in three days"}
	r := converse(t, p, texts, []step{{speak: time.Second}, {speak: 1500 * time.Millisecond}, {speak: time.Second}}, testTurns(), nil)
	if r.err != nil {
		t.Fatal(r.err)
	}
	if r.res.EndReason != "resolved" || !r.res.Goal || r.res.Turns != 3 {
		t.Fatalf("result = %+v", r.res)
	}
	var learnerLines, personaLines []string
	for _, u := range r.res.Transcript {
		if u.Speaker == SpeakerLearner {
			learnerLines = append(learnerLines, u.Text)
		} else {
			personaLines = append(personaLines, u.Text)
		}
		if u.End < u.Start {
			t.Errorf("utterance %q ends before it starts", u.Text)
		}
	}
	if strings.Join(learnerLines, "|") != strings.Join(texts, "|") {
		t.Errorf("learner lines = %q", learnerLines)
	}
	if len(personaLines) != 4 || personaLines[0] != "Hi. I was charged twice for my subscription." || personaLines[3] != "Thanks. Bye." {
		t.Errorf("persona lines = %q", personaLines)
	}
	for i := 1; i < len(r.res.Transcript); i++ {
		if r.res.Transcript[i].Start < r.res.Transcript[i-1].Start {
			t.Errorf("transcript out of order at %d", i)
		}
	}
	if got := len(r.ev.kinds(EventLatency)); got != 3 {
		t.Errorf("latency events = %d, want one per answered turn", got)
	}
	for _, e := range r.ev.kinds(EventLatency) {
		if e.Data["endpoint_ms"] != "500" && e.Data["endpoint_ms"] != "400" && e.Data["endpoint_ms"] != "750" {
			t.Errorf("endpoint_ms = %s", e.Data["endpoint_ms"])
		}
	}
	ends := r.ev.kinds(EventCallEnd)
	if len(ends) != 1 {
		t.Fatalf("call.end events = %d", len(ends))
	}
	if in, _ := strconv.Atoi(ends[0].Data["frames_in"]); in < 250 {
		t.Errorf("frames_in = %q: the learner's audio was not counted", ends[0].Data["frames_in"])
	}
	if out, _ := strconv.Atoi(ends[0].Data["frames_out"]); out < 50 {
		t.Errorf("frames_out = %q: the persona's audio was not counted", ends[0].Data["frames_out"])
	}
	if d := ends[0].Data; d["frames_discarded_in"] != "7" || d["frames_late_out"] != "0" {
		t.Errorf("frames_discarded_in = %q, frames_late_out = %q; want the line's 7 and no late frame in fake time",
			d["frames_discarded_in"], d["frames_late_out"])
	}
	if r.res.Duration < 5*time.Second {
		t.Errorf("duration %v is shorter than the conversation", r.res.Duration)
	}
	if _, _, clears := r.line.state(); clears != 0 {
		t.Errorf("clears = %d without any barge-in", clears)
	}
	// The recorder is sized by RecordingSpan (the line has no send-ahead): the loop never
	// asks it to hold more, so its buffer never grows.
	if w, span := r.rec.widest, int64(media.Samples(rate, RecordingSpan)); w <= 0 || w > span {
		t.Errorf("widest unflushed audio %d samples, want within RecordingSpan (%d)", w, span)
	}
}

// TestEngineLearnerConfidence: the recognizer's confidence in each final reaches the
// learner's Utterance and its learner.said event, kept to three decimals; a final without one
// leaves both without.
func TestEngineLearnerConfidence(t *testing.T) {
	p := &fakePersona{replies: []string{"Go on.", "Fine."}, endAt: 2}
	stt := &fakeSTT{texts: []string{"i am sorry about the charge", "i will refund it"}, confs: []float64{0.8734, 0}}
	r := converseSTT(t, p, stt, []step{{speak: time.Second}, {speak: time.Second}}, testTurns(), nil)
	if r.err != nil {
		t.Fatal(r.err)
	}
	var got []float64
	for _, u := range r.res.Transcript {
		if u.Speaker == SpeakerLearner {
			got = append(got, u.Confidence)
		} else if u.Confidence != 0 {
			t.Errorf("persona line %q has confidence %v", u.Text, u.Confidence)
		}
	}
	if !slices.Equal(got, []float64{0.873, 0}) {
		t.Errorf("learner confidences %v, want [0.873 0]", got)
	}
	said := r.ev.kinds(EventLearnerSaid)
	if len(said) != 2 || said[0].Data[DataConfidence] != "0.873" || said[1].Data != nil {
		t.Errorf("learner.said events %+v, want confidence 0.873 on the first and no data on the second", said)
	}
	if ParseConfidence(said[0].Data[DataConfidence]) != got[0] {
		t.Errorf("the event's confidence %q does not read back as the transcript's %v", said[0].Data[DataConfidence], got[0])
	}
}

func TestConfidenceRounding(t *testing.T) {
	for _, tc := range []struct {
		in       float64
		recorded float64
		text     string
	}{
		{0, 0, "0"}, {math.NaN(), 0, "0"}, {-0.2, 0, "0"}, {1.7, 1, "1"}, {0.98, 0.98, "0.98"},
		{0.0004, MinConfidence, "0.001"}, {0.12345, 0.123, "0.123"}, {0.9999, 1, "1"},
	} {
		if got := roundConfidence(tc.in); got != tc.recorded {
			t.Errorf("roundConfidence(%v) = %v, want %v", tc.in, got, tc.recorded)
		}
		if got := FormatConfidence(tc.in); got != tc.text {
			t.Errorf("FormatConfidence(%v) = %q, want %q", tc.in, got, tc.text)
		}
		if got := ParseConfidence(FormatConfidence(tc.in)); got != tc.recorded {
			t.Errorf("ParseConfidence(FormatConfidence(%v)) = %v, want %v", tc.in, got, tc.recorded)
		}
	}
	for _, s := range []string{"", "high", "1.5", "-1", "NaN"} {
		if got := ParseConfidence(s); got != 0 {
			t.Errorf("ParseConfidence(%q) = %v, want 0", s, got)
		}
	}
	if ClampConfidence(0) != MinConfidence || ClampConfidence(math.NaN()) != 0 || ClampConfidence(2) != 1 {
		t.Error("ClampConfidence: a computed 0 must be the lowest known, NaN unknown, above 1 one")
	}
}

func TestEngineLearnerBargeIn(t *testing.T) {
	long := "Let me tell you exactly what happened to me this month because it has been a complete nightmare from start to finish and nobody at your company seems to care at all about it."
	p := &fakePersona{replies: []string{long, "Okay, go on then.", "Fine."}, endAt: 3}
	texts := []string{"hello how can i help", "wait sorry let me stop you there", "i will refund it now"}
	steps := []step{{speak: time.Second}, {bargeAfter: 1200 * time.Millisecond, speak: 1500 * time.Millisecond}, {speak: time.Second}}
	r := converse(t, p, texts, steps, testTurns(), nil)
	if r.err != nil {
		t.Fatal(r.err)
	}
	if _, _, clears := r.line.state(); clears != 1 {
		t.Errorf("clears = %d, want 1", clears)
	}
	// The audio the clear dropped leaves the recording from the moment of the barge-in: after
	// the first turn (1 s of speech) and 1.2 s into the persona's long line.
	if c := r.rec.cleared; len(c) != 1 || c[0] < 2*rate {
		t.Errorf("recording cleared from %v, want once, past 2 s", c)
	}
	barge := r.ev.kinds(EventBargeIn)
	if len(barge) != 1 || barge[0].Speaker != SpeakerLearner {
		t.Fatalf("barge-in events = %+v", barge)
	}
	var cut *Utterance
	for i, u := range r.res.Transcript {
		if u.Truncated && u.Speaker == SpeakerPersona {
			cut = &r.res.Transcript[i]
		}
	}
	if cut == nil {
		t.Fatalf("no truncated persona line in %+v", r.res.Transcript)
	}
	heard := len(strings.Fields(cut.Text))
	if heard == 0 || heard >= len(strings.Fields(long)) || !strings.HasPrefix(long, cut.Text) {
		t.Errorf("heard %q of the long line", cut.Text)
	}
	in := r.persona.got()
	var next *Input
	for i := range in {
		if in[i].Kind == InputSpeech && in[i].Text == texts[1] {
			next = &in[i]
		}
	}
	if next == nil || !next.Interrupted || next.Heard != cut.Text {
		t.Errorf("persona input after barge-in = %+v", next)
	}
}

func TestEngineBackchannelDoesNotInterrupt(t *testing.T) {
	long := "So I looked at my statement on Monday and there were two charges of forty nine dollars each and I only have one account with you."
	p := &fakePersona{replies: []string{long, "Thanks."}, endAt: 2}
	texts := []string{"hi how can i help", "okay", "i see the two charges and i will refund one"}
	steps := []step{{speak: time.Second}, {bargeAfter: 800 * time.Millisecond, speak: 400 * time.Millisecond}, {speak: time.Second}}
	r := converse(t, p, texts, steps, testTurns(), nil)
	if r.err != nil {
		t.Fatal(r.err)
	}
	if _, _, clears := r.line.state(); clears != 0 {
		t.Errorf("clears = %d: a backchannel interrupted the persona", clears)
	}
	if bc := r.ev.kinds(EventBackchannel); len(bc) != 1 || bc[0].Text != "okay" {
		t.Errorf("backchannel events = %+v", bc)
	}
	for _, u := range r.res.Transcript {
		if u.Speaker == SpeakerPersona && u.Text == long {
			return
		}
	}
	t.Errorf("persona line not kept whole: %+v", r.res.Transcript)
}

func TestEngineSilencePromptsThenHangsUp(t *testing.T) {
	p := &fakePersona{}
	r := converse(t, p, nil, nil, testTurns(), nil)
	if r.err != nil {
		t.Fatal(r.err)
	}
	if r.res.EndReason != "silence" {
		t.Fatalf("end reason = %q", r.res.EndReason)
	}
	if n := len(r.ev.kinds(EventSilence)); n != 2 {
		t.Errorf("silence events = %d, want 2", n)
	}
	// Greeting (about 2 s) then two 4 s timeouts, each followed by a prompt.
	if r.res.Duration < 8*time.Second || r.res.Duration > 14*time.Second {
		t.Errorf("duration = %v", r.res.Duration)
	}
}

func TestEngineLearnerHangsUp(t *testing.T) {
	p := &fakePersona{replies: []string{"Go on.", "Go on.", "Go on."}}
	stop := func(cancel context.CancelCauseFunc) {
		time.Sleep(6 * time.Second) // fake time inside the bubble
		cancel(telephony.ErrFarEndHangup)
	}
	r := converse(t, p, []string{"hello", "one more thing"}, []step{{speak: time.Second}, {speak: 800 * time.Millisecond}}, testTurns(), stop)
	if r.err != nil {
		t.Fatal(r.err)
	}
	if r.res.EndReason != "learner hung up" {
		t.Errorf("end reason = %q", r.res.EndReason)
	}
	if d := r.res.Duration; d < 5900*time.Millisecond || d > 6100*time.Millisecond {
		t.Errorf("duration = %v, want the 6 s the call lasted", d)
	}
}

func TestEngineWaitsWhileLearnerIsThinking(t *testing.T) {
	// The persona takes a moment to answer; the learner pauses past the endpoint and goes on
	// before it speaks: that reply is dropped and the persona answers the whole thought,
	// taking the first part back (Input.Resumed). The fake persona counts the dropped reply
	// as its first turn.
	p := &fakePersona{replies: []string{"Dropped.", "Right, that makes sense."}, think: 900 * time.Millisecond, endAt: 2}
	texts := []string{"i can see the charge", "and i will refund it today"}
	steps := []step{{speak: time.Second}, {pause: 800 * time.Millisecond, speak: 900 * time.Millisecond}}
	r := converse(t, p, texts, steps, testTurns(), nil)
	if r.err != nil {
		t.Fatal(r.err)
	}
	if n := len(r.ev.kinds(EventTurnCancelled)); n != 1 {
		t.Errorf("cancelled turns = %d, want 1", n)
	}
	var speech []Input
	for _, in := range r.persona.got() {
		if in.Kind == InputSpeech {
			speech = append(speech, in)
		}
	}
	if len(speech) != 2 || speech[1].Text != texts[0]+" "+texts[1] || !speech[1].Resumed {
		t.Fatalf("persona inputs = %+v", speech)
	}
	if r.res.Turns != 1 || r.res.EndReason != "resolved" {
		t.Errorf("result = %+v", r.res)
	}
	// It went on well within a second of the endpoint: one line (Turns.ResumeWithin).
	if l := linesOf(r.res.Transcript, SpeakerLearner); len(l) != 1 || l[0].Text != texts[0]+" "+texts[1] {
		t.Errorf("learner lines = %+v, want the whole thought as one", l)
	}
	for _, u := range r.res.Transcript {
		if u.Speaker == SpeakerPersona && u.Text == "Right, that makes sense." {
			return
		}
	}
	t.Errorf("reply missing from transcript %+v", r.res.Transcript)
}

// TestEngineStaleInterimKeepsEndSilence: an interim that reads as complete ends the turn
// after EndSilenceComplete when the recognizer keeps up with the audio, and after the full
// EndSilence when it is behind (it may not have heard the last words yet).
func TestEngineStaleInterimKeepsEndSilence(t *testing.T) {
	for _, c := range []struct {
		lag  time.Duration
		want string
	}{{100 * time.Millisecond, "end silence 350ms"}, {500 * time.Millisecond, "end silence 500ms"}} {
		p := &fakePersona{replies: []string{"Good."}, endAt: 1}
		stt := &fakeSTT{texts: []string{"thanks for your help"}, lag: c.lag}
		r := converseSTT(t, p, stt, []step{{speak: 1200 * time.Millisecond}}, testTurns(), nil)
		if r.err != nil {
			t.Fatal(r.err)
		}
		if n := len(r.ev.kinds(EventInterim)); n != 1 {
			t.Fatalf("lag %v: %d interims, want 1", c.lag, n)
		}
		stops := r.ev.kinds(EventSpeechStop)
		if len(stops) != 1 || stops[0].Detail != c.want {
			t.Errorf("lag %v: speech stops %+v, want one with %q", c.lag, stops, c.want)
		}
	}
}

// aheadLine is a line whose far end buffers persona audio (as Twilio's does).
type aheadLine struct {
	fakeLine
	ahead time.Duration
}

func (a *aheadLine) SendAhead() time.Duration { return a.ahead }

func TestLeadForLine(t *testing.T) {
	eng, err := New(DefaultConfig(), &fakeSTT{}, fakeTTS{})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		line Line
		want int
	}{
		{"no budget: the engine's lead", &fakeLine{}, DefaultConfig().Lead},
		{"a budget: in frames", &aheadLine{ahead: 300 * time.Millisecond}, 15},
		{"a budget below the lead", &aheadLine{ahead: 20 * time.Millisecond}, DefaultConfig().Lead},
	}
	for _, tc := range cases {
		if got := eng.leadFor(tc.line); got != tc.want {
			t.Errorf("%s: lead %d, want %d", tc.name, got, tc.want)
		}
	}
}

// TestEngineBargeInReadsThisUtterance: the barge-in rule reads this utterance's length, not
// the last one's. After a 2 s line, words over the persona (an interim 700 ms in) cut it off
// only once they have lasted min_barge_in, 1 s (on the test's fake clock).
func TestEngineBargeInReadsThisUtterance(t *testing.T) {
	long := "Let me tell you exactly what happened to me this month because it has been a complete nightmare from start to finish and nobody at your company seems to care at all about it."
	p := &fakePersona{replies: []string{long, "Fine."}, endAt: 2}
	texts := []string{"hello how can i help you today", "no wait let me stop you"}
	turns := testTurns()
	turns.MinBargeIn, turns.ResumeWithin = time.Second, 0 // a barge-in, not the line going on
	steps := []step{{speak: 2 * time.Second}, {bargeAfter: 300 * time.Millisecond, speak: 1500 * time.Millisecond}}
	r := converseSTT(t, p, &fakeSTT{texts: texts, lag: 100 * time.Millisecond}, steps, turns, nil)
	if r.err != nil {
		t.Fatal(r.err)
	}
	starts, barge := r.ev.kinds(EventSpeechStart), r.ev.kinds(EventBargeIn)
	if len(starts) != 2 || len(barge) != 1 {
		t.Fatalf("speech starts %d, barge-ins %d; want 2 and 1", len(starts), len(barge))
	}
	if after := barge[0].At - starts[1].At; after < turns.MinBargeIn || barge[0].Data["speech_ms"] != "1000" {
		t.Errorf("barge-in %v after the words began (speech_ms %s), want at min_barge_in, 1 s: the last line's length was read",
			after, barge[0].Data["speech_ms"])
	}
}
