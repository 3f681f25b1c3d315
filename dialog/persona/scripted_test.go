package persona_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sparlab/spar/dialog"
	"github.com/sparlab/spar/dialog/persona"
	"github.com/sparlab/spar/dialog/scenario"
)

var goodDoubleCharge = says(
	"Thanks for calling Brightwave, this is Sam, how can I help?",
	"Oh no, being charged twice for the same renewal is really frustrating. I'm so sorry.",
	"Can I take your email address so I can pull up the account?",
	"I can see both charges. That's our mistake. I've refunded the second one and it'll be back on your card within five business days.",
	"Yes, you'll get a confirmation email in the next few minutes with a reference number.",
	"I've flagged the account so the renewal only runs once. It won't happen again.",
	"Is there anything else I can help with today?",
)

// A middling rep: scripted empathy, one "calm down", jargon, but gets there.
var middlingDoubleCharge = says(
	"Hello, how can I help?",
	"I understand your frustration. Please calm down, let me look.",
	"Sorry about that. Being charged twice is stressful. Can I have your email?",
	"Okay, so the ledger batch ran twice. I'll refund it, it takes five business days.",
	"You'll get a confirmation email.",
	"We've fixed the issue so it won't happen again.",
	"I'll cover the overdraft fee as a goodwill gesture.",
	"Is there anything else?",
)

var laerColdCall = says(
	"Hi Glen, this is Sam from Tracklane. Did I catch you at a bad time?",
	"That makes sense, most teams we call have one. What would you change about them if you could?",
	"Fair enough. Can I take thirty seconds to tell you why I called, and you decide?",
	"We help freight teams cut the where is my truck calls. How does your team handle those today?",
	"How many hours a week does dispatch spend on those calls?",
	"Based on what you said, teams like yours cut those calls in half because customers get updates themselves.",
	"Happy to. What would you need to see in it to make twenty minutes worthwhile?",
	"Could we book twenty minutes on Thursday at two?",
)

func TestConversations(t *testing.T) {
	tests := []struct {
		name       string
		scenario   string
		difficulty scenario.Difficulty
		turns      []turn
		goal       bool
		endReason  string // "" means the call is still going
		reason     string // part of some State.Reason during the call
	}{
		{"double charge handled well", "double-charge", "", goodDoubleCharge, true, "resolved", "checked she is satisfied"},
		{"calm down and blame escalate to a hang-up", "double-charge", "", says(
			"Yeah, what's the problem?",
			"Ma'am, calm down, I can't help you if you're shouting.",
			"Honestly you must have clicked renew twice. Check with your bank.",
		), false, "caller hung up: mood at maximum", "blamed her or her bank"},
		{"middling rep is forgiven on easy", "double-charge", scenario.Easy, middlingDoubleCharge, true, "resolved", ""},
		{"middling rep is hung up on at hard", "double-charge", scenario.Hard, middlingDoubleCharge, false, "caller hung up: mood at maximum", `said "calm down"`},
		{"hard caller needs ownership of the history", "double-charge-hard", "", says(
			"Thanks for calling, how can I help?",
			"I'm sorry, being charged twice is frustrating.",
			"I'm sorry.",
			"I'm really sorry.",
		), false, "", "apologised again (grating)"},
		{"cold call: accepting the first brush-off ends without a meeting", "cold-call-vendor", "", says(
			"Hi Glen, this is Sam from Tracklane, calling about delivery tracking.",
			"Oh, okay, no problem. Sorry to bother you, have a good day.",
		), false, "conversation ended: accepted the brush-off", ""},
		{"cold call: LAER earns a meeting", "cold-call-vendor", "", laerColdCall, true, "resolved", "named a day"},
		{"cold call: the same LAER call at hard meets a price objection", "cold-call-vendor", scenario.Hard, laerColdCall, false, "", "raised objection: price"},
		{"easy appointment rebooked", "lost-appointment", "", says(
			"Riverside Clinic, my name is Jo, how can I help?",
			"Oh no, a wasted trip in a taxi with your knee. I'm so sorry, that's our mistake.",
			"Can I take your date of birth to find your record?",
			"I can book you in with Doctor Patel on Thursday at eleven.",
			"Does that work for you?",
		), true, "resolved", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			steps := play(t, shipped(t, tt.scenario, tt.difficulty), 7, tt.turns)
			st := final(steps)
			if st.Goal != tt.goal || st.EndReason != tt.endReason || st.Hangup != (tt.endReason != "") ||
				!strings.Contains(transcript(steps), "reason="+tt.reason) && !strings.Contains(transcript(steps), "; "+tt.reason) {
				t.Errorf("final state %+v\nwant goal=%v end=%q reason containing %q\n%s", st, tt.goal, tt.endReason, tt.reason, transcript(steps))
			}
		})
	}
}

func TestHardNeedsMoreThanMedium(t *testing.T) {
	// The same good handling: medium resolves in fewer turns than hard, which raises more
	// demands before agreeing.
	medium := play(t, shipped(t, "double-charge", scenario.Medium), 1, goodDoubleCharge)
	hard := play(t, shipped(t, "double-charge", scenario.Hard), 1, goodDoubleCharge)
	if !final(medium).Goal {
		t.Fatalf("medium did not resolve:\n%s", transcript(medium))
	}
	if final(hard).Goal {
		t.Errorf("hard resolved with the medium script (no overdraft fee covered):\n%s", transcript(hard))
	}
}

func TestScriptedEmpathyStopsHelping(t *testing.T) {
	sc := shipped(t, "double-charge", "")
	turns := []turn{{say: "Hello, how can I help?"}}
	for range 5 {
		turns = append(turns, turn{say: "I understand your frustration."})
	}
	steps := play(t, sc, 1, turns)
	first, last := steps[2].state.Mood, final(steps).Mood
	if last <= first {
		t.Errorf("mood after one scripted line %d, after five %d: repeating it should grate\n%s", first, last, transcript(steps))
	}
	if !strings.Contains(final(steps).Reason, "again") {
		t.Errorf("reason %q does not say the line was repeated", final(steps).Reason)
	}
}

func TestInterruptionsAndMonologuesProvoke(t *testing.T) {
	sc := shipped(t, "double-charge", "")
	base := dialog.Input{Kind: dialog.InputSpeech, Text: "Let me check that for you."}
	talkedOver := base
	talkedOver.Interrupted = true
	monologue := base
	monologue.TalkTime = 40 * time.Second
	moods := map[string]int{}
	for name, in := range map[string]dialog.Input{"base": base, "talked over": talkedOver, "monologue": monologue} {
		steps := play(t, sc, 1, []turn{{in: in}})
		moods[name] = final(steps).Mood
		if name == "monologue" && !slices.Contains(steps[1].lines, "Hang on, hang on.") && !slices.Contains(steps[1].lines, "No, wait.") {
			t.Errorf("persona did not cut in after a %v monologue: %q", in.TalkTime, steps[1].lines)
		}
	}
	if moods["talked over"] <= moods["base"] || moods["monologue"] <= moods["base"] {
		t.Errorf("moods %v: talking over and monologues should provoke", moods)
	}
}

func TestSilencePromptsThenHangup(t *testing.T) {
	sc := shipped(t, "double-charge", "") // medium: two prompts
	silence := turn{in: dialog.Input{Kind: dialog.InputSilence}}
	steps := play(t, sc, 1, []turn{silence, silence, silence, silence})
	if len(steps) != 4 {
		t.Fatalf("%d steps, want greeting, two prompts and a hang-up\n%s", len(steps), transcript(steps))
	}
	for _, s := range steps[1:3] {
		if s.state.Hangup || !slices.ContainsFunc(sc.Lines.Silence, func(l string) bool { return strings.HasPrefix(l, s.lines[0]) }) {
			t.Errorf("silence prompt %q, state %+v", s.lines, s.state)
		}
	}
	if st := final(steps); !st.Hangup || st.EndReason != "silence" || st.Goal {
		t.Errorf("after the prompts: %+v", st)
	}
}

func TestFaultSaysRepairAndKeepsState(t *testing.T) {
	sc := shipped(t, "double-charge", "")
	steps := play(t, sc, 1, []turn{{say: "Hi, how can I help?"}, {in: dialog.Input{Kind: dialog.InputFault}}})
	before, after := steps[1].state, steps[2].state
	if before != after {
		t.Errorf("fault changed the state: %+v -> %+v", before, after)
	}
	if got := strings.Join(steps[2].lines, " "); !slices.Contains(sc.Lines.Repair, got) {
		t.Errorf("fault reply %q is not a repair line", got)
	}
}

func TestCancelMidReply(t *testing.T) {
	sc := shipped(t, "double-charge", "")
	p := persona.NewScripted(sc, 1)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var said []string
	_, err := p.Respond(ctx, dialog.Input{Kind: dialog.InputAnswer}, func(s string) error {
		said = append(said, s)
		cancel() // the learner barges in during the first sentence
		return nil
	})
	if !errors.Is(err, context.Canceled) || len(said) != 1 {
		t.Fatalf("err = %v after %d sentences, want context.Canceled after 1", err, len(said))
	}
	sayErr := errors.New("tts down")
	_, err = p.Respond(context.Background(), dialog.Input{Kind: dialog.InputSpeech, Text: "hello"}, func(string) error { return sayErr })
	if !errors.Is(err, sayErr) {
		t.Errorf("say error not returned: %v", err)
	}
}

func TestDeterministicForSeed(t *testing.T) {
	sc := shipped(t, "cold-call-vendor", "")
	lines := func(seed int64) string {
		var b strings.Builder
		for _, s := range play(t, sc, seed, laerColdCall) {
			b.WriteString(strings.Join(s.lines, " ") + "\n")
		}
		return b.String()
	}
	if a, b := lines(42), lines(42); a != b {
		t.Errorf("same seed, different calls:\n%s\n%s", a, b)
	}
	differs := false
	for seed := int64(1); seed < 10 && !differs; seed++ {
		differs = lines(seed) != lines(0)
	}
	if !differs {
		t.Error("ten seeds all produced the same lines: variants are not used")
	}
}

func TestNoLineTwiceInARow(t *testing.T) {
	var turns []turn
	for range 6 {
		turns = append(turns, turn{say: "Mm, okay."}) // nothing relevant: the stage line repeats
	}
	steps := play(t, shipped(t, "double-charge", scenario.Easy), 3, turns)
	for i := 2; i < len(steps); i++ {
		a, b := strings.Join(steps[i-1].lines, " "), strings.Join(steps[i].lines, " ")
		if a == b {
			t.Errorf("turn %d repeated %q", i, a)
		}
	}
}

// TestDetectTolerantOfRecognition uses transcripts the way recognizers produce them.
func TestDetectTolerantOfRecognition(t *testing.T) {
	p := persona.NewScripted(shipped(t, "double-charge", ""), 1)
	tests := []struct {
		heard string
		want  []string
		not   []string
	}{
		{"im so sorry bout that", []string{"apologize"}, nil},
		{"we'll re fund the second charge", []string{"resolve"}, nil},
		{"thats our mistake", []string{"own"}, nil},
		{"its not our fault", []string{"blame"}, []string{"own"}},
		{"you'll have it back in 5 business days", []string{"timeframe"}, nil},
		{"calm down mam", []string{"calm_down"}, nil},
		{"i understand you're frustration", []string{"scripted_empathy"}, []string{"acknowledge"}},
		{"can i get you're email address", []string{"verify"}, nil},
		{"the ledger reconciliation batch", []string{"jargon"}, nil},
		{"someone will call you back", []string{"vague"}, nil},
		{"what a lovely day", nil, []string{"apologize", "own", "resolve", "blame"}},
	}
	for _, tt := range tests {
		t.Run(tt.heard, func(t *testing.T) {
			got := p.Detect(tt.heard)
			for _, w := range tt.want {
				if !slices.Contains(got, w) {
					t.Errorf("Detect(%q) = %v, missing %s", tt.heard, got, w)
				}
			}
			for _, n := range tt.not {
				if slices.Contains(got, n) {
					t.Errorf("Detect(%q) = %v, should not find %s", tt.heard, got, n)
				}
			}
		})
	}
}

func TestRespondAfterHangupSaysNothing(t *testing.T) {
	sc := shipped(t, "cold-call-vendor", "")
	steps := play(t, sc, 1, laerColdCall)
	if !final(steps).Goal {
		t.Fatal("setup: call did not end")
	}
	p := persona.NewScripted(sc, 1)
	for _, tr := range append([]turn{{in: dialog.Input{Kind: dialog.InputAnswer}}}, laerColdCall...) {
		in := tr.in
		if tr.say != "" {
			in = dialog.Input{Kind: dialog.InputSpeech, Text: tr.say}
		}
		p.Respond(context.Background(), in, func(string) error { return nil })
	}
	n := 0
	st, err := p.Respond(context.Background(), dialog.Input{Kind: dialog.InputSpeech, Text: "hello?"}, func(string) error { n++; return nil })
	if err != nil || n != 0 || !st.Hangup {
		t.Errorf("after hang-up: said %d sentences, state %+v, err %v", n, st, err)
	}
}

// TestPersonaIsNotFooledByWords: the persona reacts to what the learner meant, read by the
// same detector the scorecard uses.
func TestPersonaIsNotFooledByWords(t *testing.T) {
	sc := shipped(t, "double-charge", "")
	hello := "Thanks for calling, how can I help?"
	for _, tc := range []struct {
		name, line string
		// minMood is the lowest mood the line may leave her at (she starts at 6).
		minMood int
		not     string // a reply she must not give
	}{
		{"a refusal in refund words", "There is no refund. You will not get your money back in three to five business days.", 6, "thank goodness"},
		{"sarcasm", "I'm not going to apologise. A refund? Dream on.", 7, "thank goodness"},
		{"stuffing", "I understand how frustrating being charged twice is, I'm so sorry, that's our mistake, can I have your email, " +
			"let me check, you'll get a refund in three to five business days with a confirmation email, is there anything else, " +
			"thank you for your patience", 6, "thank goodness"},
		{"one good line is bounded", "I'm so sorry, being charged twice is awful, that's our mistake and I'll refund it now.", 3, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			steps := play(t, sc, 3, says(hello, tc.line))
			st := final(steps)
			if st.Mood < tc.minMood {
				t.Errorf("mood %d after %q, want at least %d\n%s", st.Mood, tc.line, tc.minMood, transcript(steps))
			}
			if tc.not != "" && strings.Contains(strings.ToLower(transcript(steps)), tc.not) {
				t.Errorf("persona said %q to %q\n%s", tc.not, tc.line, transcript(steps))
			}
		})
	}
}

// TestUnansweredObjectionDoesNotFreeze: a prospect whose objection is left unanswered lets
// it go after a while (annoyed), so a learner who moves on can still earn the meeting.
func TestUnansweredObjectionDoesNotFreeze(t *testing.T) {
	sc := shipped(t, "cold-call-vendor", "")
	steps := play(t, sc, 2, says(
		"Hi Glen, this is Sam from Tracklane. Did I catch you at a bad time?",
		"Okay.",
		"Right.",
		"Fair enough. How does your team handle the where is my truck calls today?",
	))
	if !strings.Contains(transcript(steps), "let go of unanswered objection") {
		t.Errorf("the objection was never let go:\n%s", transcript(steps))
	}
}

// TestResumedTakesTheLineBack: an input that goes on with the learner's last line
// (Input.Resumed, the reply to that line dropped) leaves the persona as if the whole line had
// come at once: the same state and the same reply, whatever the part taken back did (here a
// "calm down" that provoked on its own).
func TestResumedTakesTheLineBack(t *testing.T) {
	sc := shipped(t, "double-charge", "")
	opening := dialog.Input{Kind: dialog.InputSpeech, Text: "Thanks for calling Brightwave, how can I help?"}
	part := dialog.Input{Kind: dialog.InputSpeech, Text: "Please calm down"}
	whole := dialog.Input{Kind: dialog.InputSpeech, Text: "Please calm down, I'm so sorry, being charged twice is really frustrating."}
	respond := func(p *persona.Scripted, ctx context.Context, in dialog.Input) (dialog.State, []string) {
		var said []string
		st, _ := p.Respond(ctx, in, func(s string) error { said = append(said, s); return nil })
		return st, said
	}
	ref := persona.NewScripted(sc, 7)
	respond(ref, context.Background(), dialog.Input{Kind: dialog.InputAnswer})
	respond(ref, context.Background(), opening)
	wantSt, wantSaid := respond(ref, context.Background(), whole)

	p := persona.NewScripted(sc, 7)
	respond(p, context.Background(), dialog.Input{Kind: dialog.InputAnswer})
	respond(p, context.Background(), opening)
	cancelled, cancel := context.WithCancel(context.Background())
	cancel() // the engine dropped the reply to the part
	respond(p, cancelled, part)
	resumed := whole
	resumed.Resumed = true
	gotSt, gotSaid := respond(p, context.Background(), resumed)
	if gotSt != wantSt || !slices.Equal(gotSaid, wantSaid) {
		t.Errorf("resumed: %+v %q\nwant as if said at once: %+v %q", gotSt, gotSaid, wantSt, wantSaid)
	}
	// Without Resumed the part counts twice (else this test would show nothing).
	q := persona.NewScripted(sc, 7)
	respond(q, context.Background(), dialog.Input{Kind: dialog.InputAnswer})
	respond(q, context.Background(), opening)
	respond(q, cancelled, part)
	if st, _ := respond(q, context.Background(), whole); st == wantSt {
		t.Errorf("the part taken back made no difference (%+v): pick a part that moves the persona", st)
	}
}
