package dialog

import (
	"strings"
	"testing"
	"time"
)

// firstReply is the reply to the first part: about 1.7 s of the fake synthesizer's speech.
const firstReply = "I am sorry to hear that, it sounds really frustrating. Let me look into your account and see what went wrong with your call last week."

// resumeCallWith is a call where the learner pauses mid-line and goes on with goesOn: the
// first part reads as complete ("yesterday" ends the turn after EndSilenceComplete, 350
// ms), so the engine ends the line there and the persona starts reply ("|" between its
// sentences) at once.
func resumeCallWith(t *testing.T, pause time.Duration, turns Turns, reply, goesOn string) (run, []string) {
	t.Helper()
	p := &fakePersona{replies: []string{reply, "That is awful, let me fix it."}, endAt: 2}
	texts := []string{"yesterday i called", goesOn}
	steps := []step{{speak: time.Second}, {pause: pause, speak: 900 * time.Millisecond}}
	r := converse(t, p, texts, steps, turns, nil)
	if r.err != nil {
		t.Fatal(r.err)
	}
	return r, texts
}

func linesOf(tr []Utterance, speaker string) []Utterance {
	var out []Utterance
	for _, u := range tr {
		if u.Speaker == speaker {
			out = append(out, u)
		}
	}
	return out
}

func speechInputs(p *fakePersona) []Input {
	var out []Input
	for _, in := range p.got() {
		if in.Kind == InputSpeech {
			out = append(out, in)
		}
	}
	return out
}

// TestEngineResumedLineIsOneTurn: the learner goes on 600 ms into a pause, 250 ms after the
// endpoint, while the persona's reply has played for less than resumeHeard. The barge-in
// drops the reply as turn.cancelled (no learner barge_in, no persona.heard for it), the
// persona takes the first part back and answers the whole line once, and the transcript
// and timeline hold one learner line spanning both parts.
func TestEngineResumedLineIsOneTurn(t *testing.T) {
	// At 600 ms the reply has played less than resumeHeard; at 1.2 s (850 ms after the
	// endpoint) it has played about 700 ms, past it, and the first word, "and", continues
	// the line: still one line. So does one that does not begin a turn of its own ("went",
	// where "my bill is wrong" would: TestEngineResumeStaysTwoTurns).
	for _, c := range []struct {
		pause   time.Duration
		byWords bool
		goesOn  string
	}{
		{600 * time.Millisecond, false, "and nobody helped me"},
		{1200 * time.Millisecond, true, "and nobody helped me"},
		{1200 * time.Millisecond, true, "went to voicemail twice"},
	} {
		t.Run(c.pause.String()+" "+c.goesOn, func(t *testing.T) { resumedLineIsOneTurn(t, c.pause, c.byWords, c.goesOn) })
	}
}

func resumedLineIsOneTurn(t *testing.T, pause time.Duration, byWords bool, goesOn string) {
	r, texts := resumeCallWith(t, pause, testTurns(), firstReply, goesOn)
	whole := texts[0] + " " + texts[1]

	if b := r.ev.kinds(EventBargeIn); len(b) != 0 {
		t.Errorf("barge-in events %+v: going on with the line is not an interruption", b)
	}
	cancelled := r.ev.kinds(EventTurnCancelled)
	if len(cancelled) != 1 || cancelled[0].Data["played_ms"] == "" || cancelled[0].Data["played_ms"] == "0" {
		t.Fatalf("turn.cancelled events = %+v, want one for a reply that had started playing", cancelled)
	}
	if played, err := time.ParseDuration(cancelled[0].Data["played_ms"] + "ms"); err != nil || byWords && played <= resumeHeard {
		t.Errorf("played_ms = %q, want past resumeHeard (%v) when the words decide", cancelled[0].Data["played_ms"], resumeHeard)
	}
	if _, _, clears := r.line.state(); clears != 1 {
		t.Errorf("clears = %d, want 1: the reply's audio the far end holds is dropped", clears)
	}
	for _, e := range r.ev.kinds(EventPersonaHeard) {
		if e.Data[DataTurn] == cancelled[0].Data[DataTurn] {
			t.Errorf("the dropped reply was logged as heard: %+v", e)
		}
	}

	in := speechInputs(r.persona)
	if len(in) != 2 || in[0].Text != texts[0] || in[1].Text != whole || !in[1].Resumed || in[1].Interrupted {
		t.Fatalf("persona speech inputs = %+v, want the first part, then the whole line resumed", in)
	}
	if r.res.Turns != 1 || r.res.EndReason != "resolved" {
		t.Errorf("result: %d turns, end %q; want the line answered once", r.res.Turns, r.res.EndReason)
	}

	learner := linesOf(r.res.Transcript, SpeakerLearner)
	if len(learner) != 1 || learner[0].Text != whole {
		t.Fatalf("learner lines = %+v, want one: %q", learner, whole)
	}
	said := r.ev.kinds(EventLearnerSaid)
	if len(said) != 2 || said[0].Data[DataJoined] != "" || said[1].Data[DataJoined] != "true" || said[1].Text != whole {
		t.Fatalf("learner.said events = %+v, want the first part, then the whole line joined", said)
	}
	starts := r.ev.kinds(EventSpeechStart)
	if learner[0].Start != starts[0].At || learner[0].End != said[1].At || said[1].Dur != said[1].At-starts[0].At {
		t.Errorf("joined line spans %v-%v (event dur %v), want from the first part's start %v to the end %v",
			learner[0].Start, learner[0].End, said[1].Dur, starts[0].At, said[1].At)
	}
	persona := linesOf(r.res.Transcript, SpeakerPersona)
	if len(persona) != 2 || persona[1].Text != "That is awful, let me fix it." {
		t.Errorf("persona lines = %+v, want the greeting and one answer to the whole line", persona)
	}
	if got := TranscriptOf(allEvents(r.ev)); len(linesOf(got, SpeakerLearner)) != 1 {
		t.Errorf("transcript rebuilt from the timeline = %+v", got)
	}
}

// TestEngineResumeStaysTwoTurns: going on after the window, after the persona has been
// heard past resumeHeard without words that continue the line, or past resumeWordsHeard
// with them, or with words that answer the reply, is a new line that interrupts it.
func TestEngineResumeStaysTwoTurns(t *testing.T) {
	narrow := testTurns()
	narrow.ResumeWithin = 300 * time.Millisecond
	wide := testTurns()
	wide.ResumeWithin = 3 * time.Second
	off := testTurns()
	off.ResumeWithin = 0
	timeOnly := testTurns()
	timeOnly.ResumeByTimeOnly = true
	const asks = "Did you call us before?|" + firstReply
	// long plays on for over a second after the learner goes on at 1.8 s.
	const long = firstReply + "|I will go through every charge on it with you now and put this right today."
	for _, c := range []struct {
		name   string
		pause  time.Duration
		turns  Turns
		reply  string
		goesOn string
	}{
		{"after the window", 900 * time.Millisecond, narrow, firstReply, "and nobody helped me"}, // about 400 ms after the endpoint, 300 ms window
		{"resume_within 0", 600 * time.Millisecond, off, firstReply, "and nobody helped me"},     // the case TestEngineResumedLineIsOneTurn joins
		// The reply had played about 1.3 s, past resumeWordsHeard (the window is 3 s).
		{"persona heard past the bound", 1800 * time.Millisecond, wide, long, "and nobody helped me"},
		// TestEngineResumeByWords's case without its words, or without reading them.
		{"words that do not continue", 1200 * time.Millisecond, testTurns(), firstReply, "my bill is wrong"},
		{"an answer", 1200 * time.Millisecond, testTurns(), firstReply, "no i called twice"},
		{"time only", 1200 * time.Millisecond, timeOnly, firstReply, "and nobody helped me"},
		{"the persona asked", 1200 * time.Millisecond, testTurns(), asks, "and nobody helped me"},
	} {
		r, texts := resumeCallWith(t, c.pause, c.turns, c.reply, c.goesOn)
		learner := linesOf(r.res.Transcript, SpeakerLearner)
		if len(learner) != 2 || learner[0].Text != texts[0] || learner[1].Text != texts[1] {
			t.Errorf("%s: learner lines = %+v, want two", c.name, learner)
		}
		for _, e := range r.ev.kinds(EventLearnerSaid) {
			if e.Data[DataJoined] != "" {
				t.Errorf("%s: joined learner.said %+v", c.name, e)
			}
		}
		if b := r.ev.kinds(EventBargeIn); len(b) != 1 || b[0].Speaker != SpeakerLearner {
			t.Errorf("%s: barge-in events = %+v, want the learner's", c.name, b)
		}
		if n := len(r.ev.kinds(EventTurnCancelled)); n != 0 {
			t.Errorf("%s: %d turns cancelled, want the reply cut short and kept", c.name, n)
		}
		in := speechInputs(r.persona)
		if len(in) != 2 || in[1].Text != texts[1] || in[1].Resumed || !in[1].Interrupted {
			t.Errorf("%s: persona speech inputs = %+v, want the second part alone, interrupting", c.name, in)
		}
		if r.res.Turns != 2 {
			t.Errorf("%s: %d turns, want 2", c.name, r.res.Turns)
		}
		if !strings.HasPrefix(strings.ReplaceAll(c.reply, "|", " "), linesOf(r.res.Transcript, SpeakerPersona)[1].Text) {
			t.Errorf("%s: the cut reply is not in the transcript: %+v", c.name, r.res.Transcript)
		}
	}
}

func allEvents(e *events) []Event {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]Event(nil), e.ev...)
}

// TestEngineWithdrawnThenCough: a reply dropped because the learner made a sound is not lost
// when the sound holds no words: the persona answers the line it was answering.
func TestEngineWithdrawnThenCough(t *testing.T) {
	p := &fakePersona{replies: []string{"Dropped.", "Right, go on."}, think: 900 * time.Millisecond, endAt: 2}
	texts := []string{"i can see the charge", ""}
	steps := []step{{speak: time.Second}, {pause: 800 * time.Millisecond, speak: 200 * time.Millisecond}}
	r := converse(t, p, texts, steps, testTurns(), nil)
	if r.err != nil {
		t.Fatal(r.err)
	}
	in := speechInputs(r.persona)
	if len(in) != 2 || in[1].Text != texts[0] || !in[1].Resumed {
		t.Fatalf("persona speech inputs = %+v, want the line again, resumed", in)
	}
	if l := linesOf(r.res.Transcript, SpeakerLearner); len(l) != 1 || l[0].Text != texts[0] {
		t.Errorf("learner lines = %+v", l)
	}
	if r.res.EndReason != "resolved" {
		t.Errorf("end reason %q: the line was not answered", r.res.EndReason)
	}
}

func TestContinuesLine(t *testing.T) {
	for text, want := range map[string]bool{
		"and nobody helped me":  true,
		"But the refund":        true,
		"um, because the app":   true,
		"which i never":         true,
		"'cause it failed":      true,
		"then a second charge":  true,
		"yes, I can see":        false,
		"No.":                   false,
		"uh okay":               false,
		"I see, so":             false,
		"my rent is due":        false,
		"that nobody called":    false, // "that" begins answers as often
		"":                      false,
		"um":                    false,
		"andrew called me back": false,
	} {
		if got := continuesLine(text); got != want {
			t.Errorf("continuesLine(%q) = %v, want %v", text, got, want)
		}
	}
}

func TestBeginsTurn(t *testing.T) {
	for text, want := range map[string]bool{
		// Words that open a turn of their own: a response, a subject and its verb, a question.
		"yes, I can see both": true, "okay": true, "um, right, the one from Monday": true,
		"I can do that": true, "that's fine": true, "it'll be Friday": true, "can you hold": true,
		"is it the Visa": true, "let me check": true, "my rent is due": true, "": true, "um": true,
		// Words that finish the sentence before them.
		"went out on": false, "cleared yet, though": false, "either": false, "cut off": false,
		"Thursday at the latest": false, "drawn up": false,
		// A preposition or a particle goes on with the line; "okay" before it answers.
		"up on the system": false, "to the card ending": false, "within five days": false,
		"before I can approve that": false, "okay, by Friday": true,
	} {
		if got := beginsTurn(text); got != want {
			t.Errorf("beginsTurn(%q) = %v, want %v", text, got, want)
		}
	}
}
