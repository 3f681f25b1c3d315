package persona_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/sparlab/spar/dialog"
	"github.com/sparlab/spar/dialog/persona"
	"github.com/sparlab/spar/dialog/scenario"
)

// Replays of calls as the offline recognizer hears them: lowercase, no punctuation, some
// words wrong. The first two are real transcripts from spar call against the double-charge
// scenario; the others are written the same way.

// heard is a learner turn as recognized.
func heard(text string) turn { return turn{say: text} }

// bargedIn is a learner turn that interrupted the persona.
func bargedIn(text string) turn {
	return turn{in: dialog.Input{Kind: dialog.InputSpeech, Text: text, Interrupted: true}}
}

// after checks the persona's reply to learner turn n (1-based).
type after struct {
	n      int
	stages []string // the stage after the reply is one of these
	not    []string // the reply contains none of these
	has    []string // the reply contains one of these
}

type replay struct {
	name       string
	scenario   string
	difficulty scenario.Difficulty
	turns      []turn
	goal       bool
	hangup     bool // the call ends (with or without the goal)
	poor       bool // poor handling: the mood must end worse than it started
	checks     []after
}

// Recognized text of call 1 (the learner said "Being charged twice is frustrating, and
// that's on us. Let me look into it for you right now." in turn 2).
var call1 = []turn{
	heard("on your suitability that is that how can i help you today"),
	heard("i'm really sorry about that being charged what is frustrating and that's all most likely look into it or you try to"),
	heard("i refunded the duplicate charge you'll see it back on your card within three to five business days is there anything else i can help with"),
	heard("yes you'll get a confirmation email with a reference number"),
	heard("we flagged the account so it won't happen again"),
}

// Recognized text of call 2, with the follow-ups a learner would answer.
var call2 = []turn{
	heard("thank you for calling bright wave this is sam how can i help you"),
	bargedIn("i am so sorry being charged what is really frustrating that is a mistake"),
	heard("i have refunded the duplicate charge the money will be back on your card and three to five days"),
	heard("yes you will get a confirmation email today"),
	heard("i've made a note on your account so it won't happen again"),
	heard("is there anything else i can help you with"),
}

var verifyAsks = []string{"need my details", "need from me", "fix it", "What happens with it", "refund the second", "are you refunding"}

var replays = []replay{
	{name: "call 1: apology softens, refund gets relief, follow-ups then close", scenario: "double-charge",
		turns: call1, goal: true, hangup: true, checks: []after{
			{n: 2, stages: []string{"investigation"}, not: []string{"Someday", "When, exactly", "I want a date"}},
			{n: 3, stages: []string{"resolution", "close"}, not: verifyAsks, has: []string{"Oh", "good"}},
		}},
	{name: "call 2: refund after barge-in skips verification", scenario: "double-charge",
		turns: call2, goal: true, hangup: true, checks: []after{
			{n: 2, stages: []string{"investigation"}},
			{n: 3, stages: []string{"resolution", "close"}, not: verifyAsks, has: []string{"writing", "email"}},
			{n: 5, stages: []string{"close"}},
		}},
	{name: "anything else does not talk her out of her question", scenario: "double-charge",
		turns: append(slices.Clone(call2[:3]), heard("is there anything else i can help you with")), checks: []after{
			{n: 4, stages: []string{"resolution"}, has: []string{"writing", "confirmation"}},
		}},
	{name: "a real vague promise still gets a date demanded", scenario: "double-charge",
		turns: []turn{call2[0], heard("okay someone will call you back about it")}, checks: []after{
			{n: 2, stages: []string{"complaint"}, has: []string{"Someday", "date"}},
		}},
	{name: "hard: a refund before ownership and verification is not enough", scenario: "double-charge-hard",
		turns: []turn{
			heard("thanks for calling how can i help"),
			heard("i refunded the duplicate charge it will be back in five business days"),
			heard("i'm so sorry you've called three times and nobody called you back that's our mistake"),
			heard("can i take your email address"),
		}, checks: []after{
			{n: 2, stages: []string{"complaint"}, has: []string{"callback"}},
			{n: 3, stages: []string{"investigation"}, has: []string{"need"}},
			{n: 4, stages: []string{"resolution"}, has: []string{"Rob Hale"}, not: []string{"What do you need"}},
		}},
	{name: "hard: verification demanded before the refund counts", scenario: "double-charge-hard",
		turns: []turn{
			heard("thanks for calling how can i help"),
			heard("i'm so sorry you've called three times and nobody called you back that's our mistake"),
			heard("i have refunded the duplicate it'll be back in five business days"),
		}, checks: []after{
			{n: 3, stages: []string{"investigation"}, has: []string{"account details first"}},
		}},
	{name: "cold call: LAER earns a meeting", scenario: "cold-call-vendor", goal: true, hangup: true,
		turns: []turn{
			heard("hi glen this is sam from track lane did i catch you at a bad time"),
			heard("that makes sense most teams we call have one what would you change about them if you could"),
			heard("fair enough can i take thirty seconds we help freight teams cut the where is my truck calls how does your team handle those today"),
			heard("how many hours a week does dispatch spend on does calls"),
			heard("so that's about ten hours a week teams like yours cut those calls in half"),
			heard("happy to what would you need to see in it to make twenty minutes worth while"),
			heard("could we book twenty minutes on thursday at two"),
		}, checks: []after{
			{n: 1, stages: []string{"opening"}, has: []string{"vendor", "Fleetcore"}},
			{n: 3, stages: []string{"discovery"}, has: []string{"Mostly", "Late deliveries", "forty trucks"}},
			{n: 4, stages: []string{"pitch"}, has: []string{"hours a week", "calls a day"}},
			{n: 5, stages: []string{"pitch"}, has: []string{"email"}},
		}},
	{name: "cold call: features and pushing get hung up on", scenario: "cold-call-vendor", hangup: true, poor: true,
		turns: []turn{
			heard("hi this is mike from track lane our platform has real time tracking and a dashboard"),
			heard("you really need to see this trust me were better than fleet core they are outdated"),
		}},
	{name: "cold call: accepting the brush-off ends without a meeting", scenario: "cold-call-vendor", hangup: true,
		turns: []turn{
			heard("hi glen this is sam from track lane"),
			heard("oh okay no problem sorry to bother you have a good day"),
		}},
	{name: "appointment: rebooked with her own doctor", scenario: "lost-appointment", goal: true, hangup: true,
		turns: []turn{
			heard("riverside clinic my name is joe how can i help"),
			heard("oh no a wasted trip in a taxi with your knee i'm so sorry that's our mistake"),
			heard("can i take your date of birth to find your record"),
			heard("i can book you in with doctor patel on thursday at eleven"),
			heard("does that work for you"),
		}, checks: []after{
			{n: 2, stages: []string{"investigation"}},
			{n: 3, stages: []string{"resolution"}, has: []string{"May"}},
			{n: 4, stages: []string{"close"}},
		}},
	{name: "appointment: rebooking first, she offers her date of birth", scenario: "lost-appointment", goal: true, hangup: true,
		turns: []turn{
			heard("riverside clinic how can i help"),
			heard("i'm so sorry about that i can book you in with doctor patel on thursday at eleven"),
			heard("yes of course can i take your date of birth"),
			heard("you'll get a text reminder the day before is that okay"),
		}, checks: []after{
			{n: 2, stages: []string{"investigation"}, has: []string{"date of birth first"}},
			{n: 3, has: []string{"May"}, not: []string{"Doctor Patel?"}},
		}},
	{name: "appointment: blaming and brushing off fails", scenario: "lost-appointment", poor: true,
		turns: []turn{
			heard("clinic"),
			heard("you must have got the wrong day"),
			heard("well it happens nothing i can do"),
			heard("someone will call you back"),
			heard("is there anything else"),
		}, checks: []after{
			{n: 2, has: []string{"didn't get it wrong", "isn't mine"}},
			{n: 5, stages: []string{"complaint"}},
		}},
}

// contradictions lists, per scenario and behaviour, what the persona must not say right
// after the learner did it: asking for what was just given.
var contradictions = map[string]map[string][]string{
	"double-charge": {
		"resolve":          {"refund the second", "are you refunding", "What happens with it", "Can you fix it"},
		"timeframe":        {"When, exactly", "I want a date", "I need a day", "When does the money come back"},
		"own":              {"admit this is wrong"},
		"verify":           {"need my details", "need from me"},
		"set_expectations": {"in writing?", "confirmation or not"},
		"prevent":          {"happen again"},
	},
	"double-charge-hard": {
		"timeframe": {"I need a refund and a date", "Refund. Date."},
		"own":       {"own this or not", "admit this was your mistake"},
		"verify":    {"account details first", "What do you need"},
	},
	"cold-call-vendor": {
		"introduce":  {"who is this", "Who's calling"},
		"reason":     {"what is this about", "What's this about"},
		"name_day":   {"So when, exactly", "a day and a time"},
		"quantify":   {"Get to the point"},
		"respond":    {"how does that help me"},
		"permission": {"I said I'm busy"},
	},
	"lost-appointment": {
		"rebook":           {"another appointment", "new appointment", "When could I come in"},
		"apologize":        {"say sorry"},
		"verify":           {"Do you need my details", "What do you need from me"},
		"same_doctor":      {"Will it be with Doctor Patel", "is it with Doctor Patel"},
		"set_expectations": {"really booked", "lost again"},
	},
}

func TestReplays(t *testing.T) {
	for _, r := range replays {
		t.Run(r.name, func(t *testing.T) {
			sc := shipped(t, r.scenario, r.difficulty)
			for seed := int64(1); seed <= 12; seed++ {
				steps := play(t, sc, seed, r.turns)
				checkReplay(t, sc, r, seed, steps)
			}
		})
	}
}

func checkReplay(t *testing.T, sc *scenario.Scenario, r replay, seed int64, steps []step) {
	t.Helper()
	fail := func(format string, args ...any) {
		t.Helper()
		t.Errorf("seed %d: "+format+"\n%s", append(append([]any{seed}, args...), transcript(steps))...)
	}
	st := final(steps)
	if st.Goal != r.goal || st.Hangup != r.hangup {
		fail("goal=%v hangup=%v (%s), want goal=%v hangup=%v", st.Goal, st.Hangup, st.EndReason, r.goal, r.hangup)
		return
	}
	if r.goal && (len(steps)-1 < 3 || len(steps)-1 > 7) {
		fail("goal after %d learner turns, want 3 to 7", len(steps)-1)
	}
	if r.poor && st.Mood <= sc.Persona.StartMood {
		fail("a failing call left the mood at %d, start %d", st.Mood, sc.Persona.StartMood)
	}
	p := persona.NewScripted(sc, 1)
	for i, s := range steps[1:] {
		reply := strings.Join(s.lines, " ")
		if reply == "" {
			fail("turn %d: no reply", i+1)
		}
		for _, b := range p.Detect(s.in.Text) {
			for _, bad := range contradictions[sc.ID][b] {
				if strings.Contains(reply, bad) {
					fail("turn %d: learner did %s, persona said %q", i+1, b, reply)
				}
			}
		}
		for _, c := range r.checks {
			if c.n != i+1 {
				continue
			}
			if len(c.stages) > 0 && !slices.Contains(c.stages, s.state.Stage) {
				fail("turn %d: stage %q, want one of %v", c.n, s.state.Stage, c.stages)
			}
			for _, bad := range c.not {
				if strings.Contains(reply, bad) {
					fail("turn %d: reply %q contains %q", c.n, reply, bad)
				}
			}
			if len(c.has) > 0 && !slices.ContainsFunc(c.has, func(w string) bool { return strings.Contains(reply, w) }) {
				fail("turn %d: reply %q contains none of %q", c.n, reply, c.has)
			}
		}
	}
}

// fillers are sentences that carry nothing; one may open a call, a second one sounds odd
// ("Hi. Yes. I need to talk to someone").
var fillers = []string{"hi", "hello", "yes", "yeah", "okay", "right", "sure"}

// TestRepliesRepeatNothing: the persona never says the same reply twice in a call, and its
// opener is one natural greeting, not a string of fillers.
func TestRepliesRepeatNothing(t *testing.T) {
	for _, r := range replays {
		sc := shipped(t, r.scenario, r.difficulty)
		for seed := int64(1); seed <= 12; seed++ {
			steps := play(t, sc, seed, r.turns)
			for _, s := range steps[0].lines[1:] {
				if slices.Contains(fillers, strings.ToLower(strings.Trim(s, ".?!"))) {
					t.Errorf("%s seed %d: greeting %q has a filler after the opener", r.name, seed, steps[0].lines)
				}
			}
			seen := map[string]int{}
			for i, s := range steps {
				full := strings.Join(s.lines, " ")
				if j, ok := seen[full]; ok {
					t.Errorf("%s seed %d: turn %d repeats turn %d: %q", r.name, seed, i, j, full)
				}
				seen[full] = i
			}
		}
	}
}
