package scenario_test

import (
	"slices"
	"testing"

	"github.com/sparlab/spar/dialog/scenario"
)

func shippedScenario(t *testing.T, id string) *scenario.Scenario {
	t.Helper()
	sc, ok := catalog(t).Get(id)
	if !ok {
		t.Fatalf("no scenario %s", id)
	}
	return sc
}

// TestUnderstand pins what a learner turn is credited with: negation, questions,
// commitments, sarcasm and stuffing, on the shipped double-charge scenario.
func TestUnderstand(t *testing.T) {
	d := shippedScenario(t, "double-charge").Detector()
	for _, tc := range []struct {
		name, text    string
		found, absent []string
		scripted      bool
		sarcastic     bool
	}{
		{name: "negated refund and time frame",
			text:   "There is no refund. You will not get your money back in three to five business days.",
			absent: []string{"resolve", "timeframe"}},
		{name: "post-trigger and refusal",
			text:   "I'm not going to apologise. A refund? Dream on.",
			absent: []string{"apologize", "resolve"}, sarcastic: true},
		{name: "a refund done, with its time frame",
			text:  "I've refunded the duplicate, it'll be back in three to five business days.",
			found: []string{"resolve", "timeframe"}},
		{name: "asking is not refunding", text: "do you want a refund", absent: []string{"resolve"}},
		{name: "a relative clause after a comma asks nothing",
			text:  "So the second charge, which is now refunded to your card.",
			found: []string{"resolve"}},
		{name: "a vague promise quoted from someone else is the grievance", text: "you got told someone will get back to you and nobody did",
			absent: []string{"vague"}},
		{name: "a vague promise of one's own", text: "someone will get back to you", found: []string{"vague"}},
		{name: "what I said is still mine", text: "like i said someone will get back to you", found: []string{"vague"}},
		{name: "the deed stated as done", text: "right that's the duplicate reversed, ninety nine dollars back to the card",
			found: []string{"resolve"}},
		{name: "the deed asked about is not done", text: "has the duplicate been reversed", absent: []string{"resolve"}},
		{name: "a noun is not a commitment", text: "refunds take time", absent: []string{"resolve"}},
		{name: "an apology after a pronoun starts anew, out of the negation before it",
			text: "that's no way to find out for you sorry about that", found: []string{"apologize"}},
		{name: "a yes and the deed under way", text: "yes refunding the second one out okay that's processed",
			found: []string{"resolve"}},
		{name: "the deed under way without a yes is not yet a commitment", text: "refunding takes three to five days",
			absent: []string{"resolve"}},
		{name: "a hedge is not a commitment", text: "maybe a refund could be possible", absent: []string{"resolve"}},
		{name: "a request filed is not a refund", text: "what i'm going to do is put in a re fund request for the duplicate",
			absent: []string{"resolve"}},
		{name: "without punctuation a negation reaches a few words, not the whole turn",
			text: "the second charge should never have gone through on your card this morning refunding it now", found: []string{"resolve"}},
		{name: "and still covers what it negates",
			text: "i won't be taking your name or date of birth over the phone", absent: []string{"verify"}},
		{name: "a short answer, then the statement", text: "we do i'm refunding the fifteen dollars to your card now",
			found: []string{"resolve"}},
		{name: "a subject and its auxiliary end the negation's clause",
			text:  "someone on my team said we'd ring you and then nobody did that's on me",
			found: []string{"own"}},
		{name: "an anti-pattern is charged for its words as written, not a near miss",
			text: "i'll email you the reference and a bitch about the fee", absent: []string{"jargon"}},
		{name: "the anti-pattern's own word", text: "it went through in the overnight batch", found: []string{"jargon"}},
		{name: "a no before a count exclaims", text: "no ninety nine dollars paid twice",
			found: []string{"acknowledge"}},
		{name: "a team is not a refund", text: "the refund team will action it", absent: []string{"resolve"}},
		{name: "a split word is not fuzzy twice", text: "you were promised a call back and it never came", absent: []string{"jargon"}},
		{name: "an offer to act is one", text: "can I go ahead and refund that for you?", found: []string{"resolve"}},
		{name: "contraction with apostrophe", text: "We'll refund the second charge today.", found: []string{"resolve"}},
		{name: "recognizer without punctuation", text: "no problem i have re funded it", found: []string{"resolve"}},
		{name: "negation scope ends at a new statement",
			text:  "i don't want you to worry i've refunded the second charge",
			found: []string{"resolve"}, absent: []string{"apologize"}},
		{name: "pseudo-trigger: cannot believe",
			text:  "I can't believe you were charged twice, that's awful.",
			found: []string{"acknowledge"}},
		{name: "negated blame is not blame", text: "I would never say it's your fault.", absent: []string{"blame"}},
		{name: "blame is blame", text: "Honestly you must have clicked renew twice.", found: []string{"blame"}},
		{name: "nobody's fault disowns it", text: "It's the system, it's nobody's fault really.", found: []string{"blame"}, absent: []string{"own"}},
		{name: "own negation inside the phrase", text: "This will not happen again, I promise.", found: []string{"prevent"}},
		{name: "natural verification", text: "What's the email on the account?", found: []string{"verify"}},
		{name: "a provocation keeps its tense: it happens", text: "Look, it happens.", found: []string{"dismiss"}},
		{name: "a provocation keeps its tense: why it happened", text: "Billing will look at why it happened.", absent: []string{"dismiss"}},
		{name: "without punctuation a question word and an interjection start new clauses",
			text:  "oh that's annoying all that way for nothing sorry about that what's your account number",
			found: []string{"apologize", "verify"}},
		{name: "but a negation still reaches an interjection right after it",
			text:   "i'm not sorry",
			absent: []string{"apologize"}},
		{name: "sarcasm",
			text:   "Oh I'm SO sorry, what a tragedy.",
			absent: []string{"apologize"}, sarcastic: true},
		{name: "stuffing",
			text: "I understand how frustrating being charged twice is, I'm so sorry, that's our mistake, can I have " +
				"your email, let me check, you'll get a refund in three to five business days with a confirmation " +
				"email, is there anything else, thank you for your patience",
			absent: []string{"acknowledge", "apologize", "own", "resolve", "timeframe"}, scripted: true},
		{name: "the money kept on her Brightwave account is no refund",
			text:  "I've processed the duplicate amount back as a refund credit onto your Brightwave account.",
			found: []string{"account_credit"}},
		{name: "a goodwill credit for the fee is not the refund kept as credit",
			text:   "I can't pay the bank directly, but I've put a fifteen dollar credit on your account.",
			absent: []string{"account_credit"}},
		{name: "a dense but real answer is not stuffing",
			text:  "I'm so sorry, that was our mistake. I've refunded the ninety-nine dollars and it will be back on your card within five business days.",
			found: []string{"apologize", "own", "resolve", "timeframe"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := d.Understand(tc.text)
			checkCredited(t, tc.text, got, tc.found, tc.absent)
			if got.Scripted != tc.scripted || got.Sarcastic != tc.sarcastic {
				t.Errorf("%q: scripted %v sarcastic %v, want %v %v", tc.text, got.Scripted, got.Sarcastic, tc.scripted, tc.sarcastic)
			}
		})
	}
}

// TestStackedWordsCountOnce: behaviours read from the same words are one thing said when
// stuffing is counted. On the clinic line "thank you for calling" both greets and thanks, so
// a warm close ("thank you for calling, sorry again, take care with the knee") stacked five
// behaviours in 16 words and read as a script; it carries four.
func TestStackedWordsCountOnce(t *testing.T) {
	d := shippedScenario(t, "lost-appointment").Detector()
	text := "Okay. Thank you for calling, and sorry again for this morning. Take care with the knee."
	got := d.Understand(text)
	if got.Scripted {
		t.Errorf("%q read as a script (%d stacked)", text, got.Stacked)
	}
	checkCredited(t, text, got, []string{"greet", "thank", "apologize", "farewell"}, nil)
}

// TestNaturalSummariesAreNotScripts: two lines trainers passed that stack many behaviours
// without being recited. A close that sums up the email and the fix carries six in fifty
// words; on the clinic line the booking's day, time and doctor are one answer to "what
// time is it?", not three kindnesses stacked.
func TestNaturalSummariesAreNotScripts(t *testing.T) {
	for _, tc := range []struct{ scenario, text string }{
		{"double-charge-hard", "You'll have an email from me within the hour, the refund, the fee credit, my name and number, " +
			"all in it. And the why, because you deserve it: the renewal ran twice off a payment retry on our side, " +
			"and I've flagged your account so it can't double up again next year."},
		{"lost-appointment", "Oh, sorry! Quarter past ten. Ten fifteen, next Thursday the fourteenth, with Doctor Patel. " +
			"Is that alright for you with the taxi?"},
	} {
		got := shippedScenario(t, tc.scenario).Detector().Understand(tc.text)
		if got.Scripted || len(got.Found) < 4 {
			t.Errorf("%s: %q read as a script (%d stacked) or lost its behaviours: %+v", tc.scenario, tc.text, got.Stacked, got)
		}
	}
}

// TestBookedIn: how receptionists say a booking is made ("that's you booked in", "you're
// booked in") is the booking, on the clinic line; asking about it, or saying she must ring
// back to get booked in, is not. "That's you" is not a question because "is you" follows
// its own subject.
func TestBookedIn(t *testing.T) {
	d := shippedScenario(t, "lost-appointment").Detector()
	for _, tc := range []struct {
		text   string
		booked bool
	}{
		{"That's you booked in with Dr Patel on Tuesday at ten.", true},
		{"you're all booked in with doctor patel tuesday at ten", true},
		{"Is that you booked in then?", false},
		{"You'd need to ring back to get booked in.", false},
		{"You're not booked in yet.", false},
	} {
		got := d.Understand(tc.text)
		if tc.booked {
			checkCredited(t, tc.text, got, []string{"rebook"}, nil)
		} else {
			checkCredited(t, tc.text, got, nil, []string{"rebook"})
		}
	}
}

// TestBookingPutOff: on the clinic line a booking put off to a later call ("I'll ring you
// the minute the diary opens"), its time left for a letter, only held out as possible or
// left to be finalised later is a vague promise.
func TestBookingPutOff(t *testing.T) {
	d := shippedScenario(t, "lost-appointment").Detector()
	for _, text := range []string{"Not just yet, no. But I'll ring you the minute Doctor Patel's diary opens.",
		"The time will be on the letter, the system sends that out.",
		"Thursday's looking good. We might well be able to get you in then.",
		"we might well be able to get you into an hour would that be", // as the recognizer heard it
		"patients get a text or a letter once things are finalised",
		"I could probably squeeze you in Thursday morning with Doctor Patel, if that's any good?",
		"Somebody'll give you a ring about the time, don't you worry."} {
		checkCredited(t, text, d.Understand(text), []string{"vague"}, nil)
	}
}

// TestNoBeforeADeterminer: "oh no, the wasted trip" as the recognizer hears it, without its
// "oh", acknowledges the trip; "no" before a determiner cannot be the quantifier that negates
// ("no the trip" is not English), nor before "listen"; "no trip" still is.
func TestNoBeforeADeterminer(t *testing.T) {
	d := shippedScenario(t, "lost-appointment").Detector()
	for _, text := range []string{"no the wasted trip that's right i'm really sorry about that", "no your wasted trip",
		"no listen that wasted trip i get that"} {
		checkCredited(t, text, d.Understand(text), []string{"acknowledge"}, nil)
	}
	text := "there was no wasted trip"
	checkCredited(t, text, d.Understand(text), nil, []string{"acknowledge"})
}

// TestConfirmationSaid: on the clinic line, what she will get to confirm the booking counts
// however it is put, including as a recognizer gives it ("get to text confirming it").
func TestConfirmationSaid(t *testing.T) {
	d := shippedScenario(t, "lost-appointment").Detector()
	for _, text := range []string{"You'll get a text confirming it today.", "you will get to text confirming that the date",
		"I'll pop a letter in the post confirming the time."} {
		checkCredited(t, text, d.Understand(text), []string{"set_expectations"}, nil)
	}
}

// TestSoftBlame: on the clinic line the mix-up made hers, however kindly put, is blame.
func TestSoftBlame(t *testing.T) {
	d := shippedScenario(t, "lost-appointment").Detector()
	for _, text := range []string{"I'm sorry for any mix-up on your side.",
		"It's ever so easy to get the dates mixed up, isn't it?", "so maybe you rang to move it and forgot"} {
		checkCredited(t, text, d.Understand(text), []string{"blame"}, nil)
	}
	text := "I'm so sorry, the mix-up was on our side."
	checkCredited(t, text, d.Understand(text), []string{"apologize"}, []string{"blame"})
}

// checkCredited reports each behaviour of found that got does not credit, and each of
// absent that it does.
func checkCredited(t *testing.T, text string, got scenario.Turn, found, absent []string) {
	t.Helper()
	for _, b := range found {
		if !slices.Contains(got.Found, b) {
			t.Errorf("%q: %s not credited (got %+v)", text, b, got)
		}
	}
	for _, b := range absent {
		if slices.Contains(got.Found, b) {
			t.Errorf("%q: %s credited (got %+v)", text, b, got)
		}
	}
}

// TestUnderstandSales pins clause reading on the cold call, where recognizers give long
// unpunctuated turns.
func TestUnderstandSales(t *testing.T) {
	d := shippedScenario(t, "cold-call-vendor").Detector()
	for _, tc := range []struct {
		name, text    string
		found, absent []string
	}{
		{name: "a negation does not reach a question that follows without punctuation",
			text:  "i will but it wont show your numbers are you free friday morning say nine thirty",
			found: []string{"propose_meeting", "name_day", "name_time"}},
		{name: "a negation carries over or",
			text:   "I don't need to know how many calls you get or what they cost you.",
			absent: []string{"quantify"}},
		{name: "but not over and",
			text:  "I won't keep you long and I'd love to know how many calls a day you get.",
			found: []string{"quantify"}},
		{name: "a list of features is a feature list",
			text:  "So yeah, we've got the app, the portal, SMS, email, the API, the ETA engine, branded tracking pages.",
			found: []string{"feature_list"}},
		{name: "one feature is not a list",
			text:   "Your customers get a text from the app when the load moves, so they stop ringing.",
			absent: []string{"feature_list"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := d.Understand(tc.text)
			checkCredited(t, tc.text, got, tc.found, tc.absent)
		})
	}
}

// TestUnderstandQuestions: a behaviour that needs an open question counts only when asked,
// and not in a practical question (a contact detail, a slot, small talk).
func TestUnderstandQuestions(t *testing.T) {
	d := shippedScenario(t, "cold-call-vendor").Detector()
	for text, want := range map[string]bool{
		"what would you change about them":                                                  true,
		"i hear you what would you change about them":                                       true,
		"how does your team handle those calls today":                                       true,
		"so walk me through what happens when a customer calls":                             true,
		"what is the biggest headache on the desk":                                          true,
		"and what does a bad day look like for your dispatchers?":                           true,
		"when a customer wants to know where their load is how does that work for you guys": true,
		"that is what does it for me":                                                       false,
		"that is how it works":                                                              false,
		"i know what you would change":                                                      false,
		"I'll shoot the invite over, what's the best email?":                                false,
		"what is the best number to get you on":                                             false,
	} {
		got := slices.Contains(d.Understand(text).Found, "ask_open_question")
		if got != want {
			t.Errorf("%q: asked an open question = %v, want %v", text, got, want)
		}
	}
}

// TestRefuses reads a reply that turns down or denies what the learner claimed.
func TestRefuses(t *testing.T) {
	for text, want := range map[string]bool{
		"i didn't agree to anything send me an email if you have to": true,
		"Don't send an invite. I won't be there.":                    true,
		"I never said twenty hours.":                                 true,
		"i didn't mention any calls just send me an email":           true,
		"No thanks.":             true,
		"I'm not interested.":    true,
		"Thursday at two works.": false,
		"Will it be with Doctor Patel? I don't want to explain my knee all over again.": false,
		"And my bank charged me a fee. Who pays that?":                                  false,
		"I was booked with Doctor Patel at ten.":                                        false,
		"Oh, thank goodness.":                                                           false,
	} {
		if got := scenario.Refuses(text); got != want {
			t.Errorf("Refuses(%q) = %v, want %v", text, got, want)
		}
	}
}

// TestAccepts reads the other side's answer to an offer.
func TestAccepts(t *testing.T) {
	for text, want := range map[string]bool{
		"Oh, thank goodness.":                           true,
		"Thursday at two works.":                        true,
		"thursday at quarter past ten that'll do me":    true,
		"Monday suits me.":                              true,
		"That will not do.":                             false,
		"No, that's everything. Thanks for sorting it.": true,
		"Okay. Will I get that in writing?":             true,
		"No thanks.":                                    false,
		"no that's it":                                  true,
		"no that's everything":                          true,
		"Right. And who pays my overdraft fee?":         true,
		"That's it, I want a manager.":                  false,
		"That's not right.":                             false,
		"Right, I've had enough of this.":               false,
		"Someday isn't good enough. When, exactly?":     false,
		"I've heard that before. I want a date.":        false,
		"That's not good enough.":                       false,
		"":                                              false,
	} {
		if got := scenario.Accepts(text); got != want {
			t.Errorf("Accepts(%q) = %v, want %v", text, got, want)
		}
	}
}

// TestSettles reads the other side's closing line: settled, or just goodbye.
func TestSettles(t *testing.T) {
	for text, want := range map[string]bool{
		"okay that covers it i think":                 true,
		"no okay that covers it i think":              true,
		"No, that covers it.":                         true,
		"no thanks that's not everything":             false,
		"That sounds fine, then. Thank you.":          true,
		"Thank you, that's everything. Goodbye.":      true,
		"That's all I needed. Thank you, really. Bye": true,
		"Sure. Bye.":        false,
		"Yep. Thanks. Bye.": false,
		"oh well bye then":  false,
		"That's not everything. What about the fee?": false,
		"That doesn't cover it.":                     false,
	} {
		if got := scenario.Settles(text); got != want {
			t.Errorf("Settles(%q) = %v, want %v", text, got, want)
		}
	}
}

// TestNarratedMethodEarnsNothing: a learner naming the technique to the customer ("now I'm
// acknowledging", "next open question") earns none of it; using it earns it.
func TestNarratedMethodEarnsNothing(t *testing.T) {
	sc := shippedScenario(t, "cold-call-vendor")
	det := sc.Detector()
	for text, narrated := range map[string]bool{
		"and now i'm acknowledging that you use fleet core what would you change about fleet core": true,
		"understood next open question what does your current state look like":                     true,
		"so quantifying the pain in your words how many hours a week do your dispatchers lose":     true,
		"Fair enough, Fleetcore's good at what it does. What would you change about it?":           false,
	} {
		turn := det.Understand(text)
		if turn.Narrated != narrated || narrated && len(turn.Found) > 0 || !narrated && len(turn.Found) == 0 {
			t.Errorf("%q: narrated %v, found %v", text, turn.Narrated, turn.Found)
		}
	}
}

// TestBrushOffPivot: a goodbye word followed in the same turn by a step forward is a pivot
// ("I'll let you go, could we grab twenty minutes?"), not taking the brush-off; the same
// words last, or followed only by a tag question, still take it.
func TestBrushOffPivot(t *testing.T) {
	det := shippedScenario(t, "cold-call-vendor").Detector()
	for _, tc := range []struct {
		text   string
		takes  bool
		credit string
	}{
		{"course yeah i'll let you go could we grab twenty minutes next week", false, "propose_meeting"},
		{"Sorry to bother you, do you have two minutes?", false, "permission"},
		{"Could we meet Tuesday? No? Okay, I'll let you go.", true, "propose_meeting"},
		{"I'll send you an email with the brochure, is that okay?", true, ""},
		{"I will send the email, yes. But it is easier with your own calls. Tuesday at ten, or maybe Thursday at eleven?", false, "name_time"},
		{"I'll send the info over and call you back on Tuesday.", true, ""},
		// "yeah no" is a yes in many an English: it negates nothing after it.
		{"yeah no fair play loads of people do and it's good kit", false, "acknowledge"},
	} {
		turn := det.Understand(tc.text)
		if slices.Contains(turn.Found, "accept_brushoff") != tc.takes {
			t.Errorf("%q: found %v, want accept_brushoff %v", tc.text, turn.Found, tc.takes)
		}
		if tc.credit != "" && !slices.Contains(turn.Found, tc.credit) {
			t.Errorf("%q: found %v, want %s", tc.text, turn.Found, tc.credit)
		}
	}
}

// TestDenies reads a reply that says it never said what it was credited with.
func TestDenies(t *testing.T) {
	for text, want := range map[string]bool{
		"i didn't say that i didn't say anything":         true,
		"I never mentioned twenty hours.":                 true,
		"Near enough. Probably more, honestly.":           false,
		"I said I'd look at it. Doesn't mean I'm buying.": false,
		"I didn't agree to anything.":                     false, // a refusal, not a denial
	} {
		if got := scenario.Denies(text); got != want {
			t.Errorf("Denies(%q) = %v, want %v", text, got, want)
		}
	}
}

// TestAcceptsNothingConditional: a reply that makes its yes conditional, or only signs off,
// takes nothing up.
func TestAcceptsNothingConditional(t *testing.T) {
	for text, want := range map[string]bool{
		"Thursday at two works.":                                 true,
		"Send the email. If Thursday works, it works. I'll see.": false,
		"Okay, thank you.":                                       true,
	} {
		if got := scenario.Accepts(text); got != want {
			t.Errorf("Accepts(%q) = %v, want %v", text, got, want)
		}
	}
}

// TestQuestionBarrage: four questions fired in one turn earn nothing kind; two or three,
// as people ask them, still do.
func TestQuestionBarrage(t *testing.T) {
	d := shippedScenario(t, "cold-call-vendor").Detector()
	barrage := d.Understand("So just curious, what does your current process look like, how many calls, how many hours, what's the cost?")
	if barrage.Barrage != 4 || len(barrage.Found) > 0 || barrage.Why() == "" {
		t.Errorf("barrage: Barrage %d, Found %v, Why %q; want 4, nothing credited, a reason", barrage.Barrage, barrage.Found, barrage.Why())
	}
	asked := d.Understand("And what's the story when one of them rings? Who picks up, and what happens to whatever that person was doing?")
	if asked.Barrage != 0 || !slices.Contains(asked.Found, "ask_open_question") {
		t.Errorf("three questions: Barrage %d, Found %v; want 0 and an open question credited", asked.Barrage, asked.Found)
	}
}

// TestScenarioLines reads single lines in the words agents use. Clinic: "you must have been"
// feels for her, "you must have got it wrong" blames her; a slot left for her to book, or a
// booking nobody can confirm, is a vague promise, not a rebooking. Repeat complaint: an agent
// with no phone line to give still owns the case ("it comes straight to me"); a team does not.
func TestScenarioLines(t *testing.T) {
	detectors := map[string]*scenario.Detector{}
	for _, c := range []struct {
		scenario, text, behaviour string
		want                      bool
	}{
		{"lost-appointment", "on a new knee you must have been fit to be tied", "blame", false},
		{"lost-appointment", "you must have felt awful sat there", "blame", false},
		{"lost-appointment", "you must have got the date wrong", "blame", true},
		{"lost-appointment", "you must have written it down on the wrong card", "blame", true},
		{"lost-appointment", "It's not really our fault, to be honest, the system lost it", "blame", true},
		{"lost-appointment", "that's our fault, not yours", "blame", false},
		{"lost-appointment", "sorry about that but honestly it's not us it's this new software", "blame", true},
		{"lost-appointment", "it's not you, it's us, and I'm sorry", "blame", false},
		{"double-charge-hard", "honestly I can't speak for whoever you talked to before", "blame", true},
		{"double-charge-hard", "I can speak for the whole team when I say sorry", "blame", false},
		{"double-charge", "that's nothing to do with us, it'll be your bank", "blame", true},
		{"double-charge", "with the rent coming up that's really scary", "acknowledge", true},
		{"lost-appointment", "Doctor Patel has Wednesday at eleven free, so if you go on the patient app tonight you can grab it", "vague", true},
		{"lost-appointment", "I'll pencil you in for Friday at nine but I can't confirm it", "vague", true},
		{"lost-appointment", "the system won't let me book today, ring back tomorrow and ask for the Tuesday one", "vague", true},
		{"lost-appointment", "lovely, I'll put a request through and they'll confirm by post", "vague", true},
		{"lost-appointment", "that's booked, Thursday at ten with Doctor Patel, you'll get a text today", "vague", false},
		{"lost-appointment", "that's on us not you, let me put it right for you", "vague", false},
		{"lost-appointment", "that's booked, and I'm putting a note in for reception to ring you the day before", "vague", false},
		{"double-charge-hard", "I'll email you from my own address, reply to it and it comes straight to me", "take_ownership", true},
		{"double-charge-hard", "I'll keep hold of this until it's landed", "take_ownership", true},
		{"double-charge-hard", "the refunds team will keep hold of it", "take_ownership", false},
		{"double-charge-hard", "I'll sort the fee myself, send me the statement", "compensate", true},
		{"double-charge-hard", "I can't sort the fee, that's your bank", "compensate", false},
		{"double-charge-hard", "it'll be back in your account by the eighteenth at the latest", "timeframe", true},
		{"double-charge-hard", "the overdraft was caused by the second charge", "timeframe", false},
		{"double-charge-hard", "I'll pay the fee as well", "compensate", true},
		{"double-charge-hard", "both of those are our mess", "own", true},
		{"double-charge-hard", "I'll sort the twenty five as well so you're not out of pocket", "compensate", true},
		{"double-charge-hard", "there's a reference and the twenty five pounds in the email", "compensate", false},
		{"double-charge-hard", "ask for Kelly in billing, that's my line", "take_ownership", true},
		{"double-charge-hard", "it's mine now not to queue", "take_ownership", true}, // "...not a queue", as recognized
		{"double-charge-hard", "callum read her headlined five five five extension for one two", "take_ownership", true},
		{"double-charge-hard", "it was mine", "take_ownership", false},
		{"lost-appointment", "Yes, yes, I know, the taxi. Sorry about that.", "dismiss", true},
		{"lost-appointment", "yes I know how much that knee hurts", "dismiss", false},
	} {
		d := detectors[c.scenario]
		if d == nil {
			d = shippedScenario(t, c.scenario).Detector()
			detectors[c.scenario] = d
		}
		if got := slices.Contains(d.Understand(c.text).Found, c.behaviour); got != c.want {
			t.Errorf("%s: %q: %s %v, want %v", c.scenario, c.text, c.behaviour, got, c.want)
		}
	}
}

func TestStretches(t *testing.T) {
	d := shippedScenario(t, "double-charge").Detector()
	stock := func(name string) bool { return name == "scripted_empathy" }
	for _, c := range []struct {
		text string
		want []string
	}{
		{"okay i apologize for the inconvenience the second charge is an error on our side can i take your name",
			[]string{"okay", "second charge is an error on our side can i take your name"}},
		{"right okay i understand your frustration", []string{"right"}}, // a word of margin: "okay" goes with it
		// Every match splits, not the first only.
		{"i understand your frustration the charge is ours so sorry for any inconvenience the refund is done",
			[]string{"charge is ours", "refund is done"}},
		{"the second charge is our error", nil},                     // no stock phrase: nothing to split
		{"I apologise for the inconvenience. It's our error.", nil}, // punctuated: read by its sentences
	} {
		if got := d.Stretches(c.text, stock); !slices.Equal(got, c.want) {
			t.Errorf("Stretches(%q) = %q, want %q", c.text, got, c.want)
		}
	}
}
