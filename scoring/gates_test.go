package scoring

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sparlab/spar/dialog"
	"github.com/sparlab/spar/dialog/store"
)

// TestNothingFromNothing: a call where the learner did nothing worth credit scores zero,
// with no strengths and no winning lines, whatever its metrics look like.
func TestNothingFromNothing(t *testing.T) {
	persona := func(at float64, text string) dialog.Utterance {
		return dialog.Utterance{Speaker: dialog.SpeakerPersona, Text: text, Start: sec2(at), End: sec2(at + 2)}
	}
	learner := func(at float64, text string) dialog.Utterance {
		return dialog.Utterance{Speaker: dialog.SpeakerLearner, Text: text, Start: sec2(at), End: sec2(at + 1)}
	}
	for _, tc := range []struct {
		name string
		tr   []dialog.Utterance
	}{
		{"empty", nil},
		{"persona only", []dialog.Utterance{persona(0, "Hi, I need to talk to someone about my bill."), persona(10, "Hello? Are you still there?")}},
		{"one-word answers", []dialog.Utterance{persona(0, "I was charged twice."), learner(3, "okay"),
			persona(5, "Can you fix it?"), learner(8, "yep"), persona(10, "When?"), learner(13, "right")}},
		{"a misheard calm down", []dialog.Utterance{persona(0, "I was charged twice."), learner(3, "calm down there"),
			persona(5, "Don't tell me to calm down."), learner(8, "okay then")}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			card := scoreShipped(t, "double-charge", tc.tr, "")
			if card.Overall != 0 || card.Pass || len(card.Strengths) > 0 || len(card.WinningLines) > 0 {
				t.Errorf("overall %d pass %v strengths %q winning %v; want 0, fail, none\n%s",
					card.Overall, card.Pass, card.Strengths, card.WinningLines, fmtCard(card))
			}
		})
	}
}

func sec2(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }

// scoreShipped scores transcript tr as a sealed call of a shipped scenario with the
// deterministic judge.
func scoreShipped(t *testing.T, scenarioID string, tr []dialog.Utterance, end string) *Scorecard {
	t.Helper()
	rs, cat := shipped(t)
	r, _ := rs.Get(scenarioID)
	sc, _ := cat.Get(scenarioID)
	var d time.Duration
	if len(tr) > 0 {
		d = tr[len(tr)-1].End + time.Second
	}
	c := &Call{Record: &store.Record{ID: t.Name(), Scenario: scenarioID, Status: store.StatusSealed,
		Transcript: tr, Duration: max(d, 20*time.Second), EndReason: end}, Scenario: sc, Rubric: r}
	c.Metrics = Compute(c)
	card, err := Score(context.Background(), Deterministic{}, "deterministic", c, time.Unix(0, 0))
	if err != nil {
		t.Fatal(err)
	}
	return card
}

// criterion returns card's criterion id.
func criterion(t *testing.T, card *Scorecard, id string) CriterionResult {
	t.Helper()
	for _, cr := range card.Criteria {
		if cr.ID == id {
			return cr
		}
	}
	t.Fatalf("no %s criterion on the card", id)
	return CriterionResult{}
}

// TestWalkedOutAgreesNothing: a meeting proposed with a day and a time, an "okay" from the
// prospect, and then the prospect hangs up at their worst: the outcome criterion (the close)
// gets nothing, the others keep what they earned.
func TestWalkedOutAgreesNothing(t *testing.T) {
	tr := []dialog.Utterance{
		{Speaker: dialog.SpeakerPersona, Text: "Glen Moreau.", Start: sec2(0), End: sec2(1)},
		{Speaker: dialog.SpeakerLearner, Text: "Hi Glen, it's Sam from Tracklane, did I catch you at a bad time?", Start: sec2(2), End: sec2(5)},
		{Speaker: dialog.SpeakerPersona, Text: "Go on.", Start: sec2(6), End: sec2(7)},
		{Speaker: dialog.SpeakerLearner, Text: "Could we put twenty minutes in on Thursday at two?", Start: sec2(8), End: sec2(11)},
		{Speaker: dialog.SpeakerPersona, Text: "Okay, whatever. I'm done with this.", Start: sec2(12), End: sec2(14)},
	}
	for _, tc := range []struct {
		end       string
		wantClose bool
	}{{"resolved", true}, {dialog.EndWalkedOut, false}} {
		card := scoreShipped(t, "cold-call-vendor", tr, tc.end)
		for _, cr := range card.Criteria {
			switch cr.ID {
			case "close":
				if got := cr.Score > 0; got != tc.wantClose {
					t.Errorf("%s: close %.2f (%s)", tc.end, cr.Score, cr.Rationale)
				}
			case "opener":
				if cr.Score == 0 {
					t.Errorf("%s: the opener lost its credit too", tc.end)
				}
			}
		}
	}
}

// TestLeftWithoutTakingItUp: a meeting asked for and never taken up earns half when the
// learner ends the call, nothing when the prospect hangs up on it.
func TestLeftWithoutTakingItUp(t *testing.T) {
	tr := []dialog.Utterance{
		{Speaker: dialog.SpeakerPersona, Text: "Glen Moreau.", Start: sec2(0), End: sec2(1)},
		{Speaker: dialog.SpeakerLearner, Text: "Hi Glen, it's Sam from Tracklane, did I catch you at a bad time?", Start: sec2(2), End: sec2(5)},
		{Speaker: dialog.SpeakerPersona, Text: "Go on.", Start: sec2(6), End: sec2(7)},
		{Speaker: dialog.SpeakerLearner, Text: "So shall we lock in twenty minutes on Tuesday at ten?", Start: sec2(8), End: sec2(11)},
		{Speaker: dialog.SpeakerPersona, Text: "I've got a meeting.", Start: sec2(12), End: sec2(14)},
	}
	close := func(end string) float64 {
		return criterion(t, scoreShipped(t, "cold-call-vendor", tr, end), "close").Score
	}
	if mine, theirs := close("learner hung up"), close(dialog.EndHungUp); mine == 0 || theirs != 0 {
		t.Errorf("close %.2f when the learner hung up (want some), %.2f when the prospect did (want none)", mine, theirs)
	}
}

// TestSettledCallTakesUpTheFix: the replies to the refund moved straight on to the fee and
// the callback; a closing "that covers it" takes up the refund as well, a bare goodbye does not.
func TestSettledCallTakesUpTheFix(t *testing.T) {
	resolve := func(last string) float64 {
		tr := []dialog.Utterance{
			{Speaker: dialog.SpeakerPersona, Text: "You charged me twice and nobody called me back.", Start: sec2(0), End: sec2(3)},
			{Speaker: dialog.SpeakerLearner, Text: "That's our mistake and I'm sorry. I've refunded the second charge now, it'll be back on your card by Friday.", Start: sec2(4), End: sec2(10)},
			{Speaker: dialog.SpeakerPersona, Text: "And my bank charged me a fee. Who pays that?", Start: sec2(11), End: sec2(14)},
			{Speaker: dialog.SpeakerLearner, Text: "We'll cover the overdraft fee as well.", Start: sec2(15), End: sec2(18)},
			{Speaker: dialog.SpeakerPersona, Text: "And the callback nobody made?", Start: sec2(19), End: sec2(21)},
			{Speaker: dialog.SpeakerLearner, Text: "That one's on me now. I'm Sam, and this is my direct line.", Start: sec2(22), End: sec2(25)},
			{Speaker: dialog.SpeakerPersona, Text: last, Start: sec2(26), End: sec2(28)},
		}
		return criterion(t, scoreShipped(t, "double-charge-hard", tr, "learner hung up"), "resolve").Score
	}
	settled, bare := resolve("Okay. That covers it, I think."), resolve("Sure. Bye.")
	if settled <= bare {
		t.Errorf("resolve %.2f after a settling close, %.2f after a bare goodbye: want more when settled", settled, bare)
	}
}

// TestRequiredGateAsShown: a required criterion holds at the mid band as the card shows it,
// a whole percent: 0.397 reads "40%" and passes the gate, 0.394 reads "39%" and fails.
func TestRequiredGateAsShown(t *testing.T) {
	for _, tc := range []struct {
		score float64
		want  bool
	}{{0.397, true}, {0.4, true}, {0.394, false}, {0, false}, {1, true}} {
		if got := Holds(tc.score); got != tc.want {
			t.Errorf("Holds(%v) = %v, want %v", tc.score, got, tc.want)
		}
	}
}

// TestBrushOffIsNotAYes: "Alright. Just send me an email." starts with an acceptance word but
// raises the objection a meeting proposal is meant to overcome: the proposal was pushed
// back, not booked. Agreeing to the day in its own words books it.
func TestBrushOffIsNotAYes(t *testing.T) {
	close := func(reply string) float64 {
		tr := []dialog.Utterance{
			{Speaker: dialog.SpeakerPersona, Text: "Glen Moreau.", Start: sec2(0), End: sec2(1)},
			{Speaker: dialog.SpeakerLearner, Text: "Hi Glen, it's Sam from Tracklane, have you got a minute?", Start: sec2(2), End: sec2(5)},
			{Speaker: dialog.SpeakerPersona, Text: "Go on.", Start: sec2(6), End: sec2(7)},
			{Speaker: dialog.SpeakerLearner, Text: "Could we grab twenty minutes on Thursday at two to look at those calls?", Start: sec2(8), End: sec2(12)},
			{Speaker: dialog.SpeakerPersona, Text: reply, Start: sec2(13), End: sec2(15)},
		}
		return criterion(t, scoreShipped(t, "cold-call-vendor", tr, "learner hung up"), "close").Score
	}
	brushed, booked := close("Alright. Just send me an email and I'll take a look."), close("Alright. Thursday at two works.")
	if brushed >= booked || brushed > 0.5 {
		t.Errorf("close %.2f after a brush-off, %.2f after a yes: want at most half after the brush-off, and less than the yes", brushed, booked)
	}
	// Naming the terms back is a yes; asking about them, or turning them down, is not.
	if echoed := close("Thursday, two o'clock. Twenty minutes."); echoed != booked {
		t.Errorf("close %.2f when the terms are said back, %.2f after a yes: want the same", echoed, booked)
	}
	for _, reply := range []string{"Thursday at two? I'll see.", "Thursday at two, twenty minutes, no thanks."} {
		if got := close(reply); got >= booked {
			t.Errorf("close %.2f after %q, want less than %.2f", got, reply, booked)
		}
	}
}

// TestWrapUpAfterAYesIsNoBrushOff: once the prospect has named the slot, "Monday at two it
// is, I'll send an invite across" confirms the meeting; the same invite offered where he has
// agreed to nothing still accepts the brush-off and costs the close.
func TestWrapUpAfterAYesIsNoBrushOff(t *testing.T) {
	close := func(reply, wrap string) float64 {
		tr := []dialog.Utterance{
			{Speaker: dialog.SpeakerPersona, Text: "Glen Moreau.", Start: sec2(0), End: sec2(1)},
			{Speaker: dialog.SpeakerLearner, Text: "Could we grab twenty minutes on Thursday at eleven or Monday at two?", Start: sec2(2), End: sec2(6)},
			{Speaker: dialog.SpeakerPersona, Text: reply, Start: sec2(7), End: sec2(9)},
			{Speaker: dialog.SpeakerLearner, Text: wrap, Start: sec2(10), End: sec2(13)},
		}
		return criterion(t, scoreShipped(t, "cold-call-vendor", tr, "learner hung up"), "close").Score
	}
	yes := close("Monday at two. Twenty minutes.", "Great, Monday at two it is, I'll send an invite across.")
	plain := close("Monday at two. Twenty minutes.", "Great, Monday at two it is.")
	if yes != plain {
		t.Errorf("close %.2f with the invite after his yes, %.2f without it: want the same", yes, plain)
	}
	if no := close("Not interested.", "Okay, I'll send an invite across."); no >= plain {
		t.Errorf("close %.2f when he agreed to nothing, want less than %.2f", no, plain)
	}
}

// TestMisheardAnswerToADemand: the recognizer garbled the answer to "who pays that?"; the
// persona, whose words are never misheard, took it up and went on. A misheard answer gets
// the demand's behaviour; the same words heard with confidence, a reply that asks again, or
// a question in place of an answer do not.
func TestMisheardAnswerToADemand(t *testing.T) {
	compensated := func(answer string, conf float64, reply string) bool {
		tr := []dialog.Utterance{
			{Speaker: dialog.SpeakerPersona, Text: "My bank charged me a twenty-five pound overdraft fee because of you. Who pays that?", Start: sec2(0), End: sec2(4)},
			{Speaker: dialog.SpeakerLearner, Text: answer, Start: sec2(5), End: sec2(9), Confidence: conf},
			{Speaker: dialog.SpeakerPersona, Text: reply, Start: sec2(10), End: sec2(13)},
		}
		cr := criterion(t, scoreShipped(t, "double-charge-hard", tr, "learner hung up"), "loose_ends")
		heard, _, _ := strings.Cut(cr.Rationale, "(")
		return strings.HasPrefix(heard, "heard:") && strings.Contains(heard, "covered the overdraft fee")
	}
	const garbled = "we dated like with twenty five pounds also back to your card now it is done"
	for _, tc := range []struct {
		name, answer string
		conf         float64
		reply        string
		want         bool
	}{
		{"misheard, taken up", garbled, 0.41, "Right. I want all of that in writing. Today.", true},
		{"heard with confidence", garbled, 0.92, "Right. I want all of that in writing. Today.", false},
		{"no confidence given", garbled, 0, "Right. I want all of that in writing. Today.", false},
		{"asked again", garbled, 0.41, "The overdraft fee. Are you covering it or not?", false},
		{"turned down", garbled, 0.41, "No thanks, that's not good enough.", false},
		{"a question", "sorry which fee is that", 0.41, "Right. I want all of that in writing. Today.", false},
	} {
		if got := compensated(tc.answer, tc.conf, tc.reply); got != tc.want {
			t.Errorf("%s: fee covered %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestSettledCall(t *testing.T) {
	_, cat := shipped(t)
	sc, _ := cat.Get("double-charge-hard")
	settles := func(persona ...string) bool {
		var tr []dialog.Utterance
		for _, p := range persona {
			tr = append(tr, dialog.Utterance{Speaker: dialog.SpeakerPersona, Text: p},
				dialog.Utterance{Speaker: dialog.SpeakerLearner, Text: "anything else"})
		}
		return settled(readReplies(sc, tr))
	}
	for _, tc := range []struct {
		name    string
		persona []string
		want    bool
	}{
		{"settled last", []string{"Who pays that?", "Okay, that covers it."}, true},
		{"settled, then the goodbyes", []string{"Okay, that covers it I think.", "No.", "Cheers."}, true},
		{"settled, then a new demand", []string{"Okay, that covers it.", "And next year? How do I know you won't do this again?", "Bye."}, false},
		{"settled, then turned down", []string{"That covers it.", "No thanks, that's not good enough."}, false},
		{"never settled", []string{"Right.", "Cheers. Bye."}, false},
	} {
		if got := settles(tc.persona...); got != tc.want {
			t.Errorf("%s: settled %v, want %v", tc.name, got, tc.want)
		}
	}
}

// TestCorrectedSlip: another doctor offered and then Doctor Patel kept is a slip put right
// (Behaviour.CorrectedBy): the rebooking earns its credit and no anti-pattern is counted.
// Another doctor left standing costs the rebooking its credit.
func TestCorrectedSlip(t *testing.T) {
	rebook := func(last string) CriterionResult {
		tr := []dialog.Utterance{
			{Speaker: dialog.SpeakerPersona, Text: "I was booked with Doctor Patel at ten and there was nothing in the diary.", Start: sec2(0), End: sec2(4)},
			{Speaker: dialog.SpeakerLearner, Text: "I can do Thursday at ten fifteen with Doctor Okafor.", Start: sec2(5), End: sec2(9)},
			{Speaker: dialog.SpeakerPersona, Text: "Oh. I usually see Doctor Patel.", Start: sec2(10), End: sec2(12)},
			{Speaker: dialog.SpeakerLearner, Text: last, Start: sec2(13), End: sec2(17)},
			{Speaker: dialog.SpeakerPersona, Text: "Lovely. That's everything, thank you.", Start: sec2(18), End: sec2(20)},
		}
		return criterion(t, scoreShipped(t, "lost-appointment", tr, "resolved"), "rebook")
	}
	put := rebook("Of course. I've booked you in with Doctor Patel on Friday at nine thirty instead.")
	if put.Score < 0.75 || strings.Contains(put.Rationale, "anti-pattern") {
		t.Errorf("put right: rebook %.2f (%s), want high with no anti-pattern", put.Score, put.Rationale)
	}
	left := rebook("Doctor Okafor is lovely, she sees lots of knees. Thursday it is then.")
	if left.Score >= 0.4 || !strings.Contains(left.Rationale, "anti-pattern") {
		t.Errorf("left standing: rebook %.2f (%s), want low with the anti-pattern counted", left.Score, left.Rationale)
	}
}

// TestRepetitionCheapensButDoesNotUndo: an apology said in every line costs credit down to
// the mid band's floor, where a required criterion still holds, and no further.
func TestRepetitionCheapensButDoesNotUndo(t *testing.T) {
	apology := func(n int) CriterionResult {
		tr := []dialog.Utterance{{Speaker: dialog.SpeakerPersona, Text: "I came in for my knee and there was no appointment.", Start: sec2(0), End: sec2(3)}}
		for i := range n {
			at := float64(4 + 8*i)
			text := "I'm so sorry, that's our mistake."
			if i > 0 {
				text = "Sorry, one moment please."
			}
			tr = append(tr, dialog.Utterance{Speaker: dialog.SpeakerLearner, Text: text, Start: sec2(at), End: sec2(at + 3)},
				dialog.Utterance{Speaker: dialog.SpeakerPersona, Text: "Alright.", Start: sec2(at + 4), End: sec2(at + 5)})
		}
		return criterion(t, scoreShipped(t, "lost-appointment", tr, "resolved"), "apologize_own")
	}
	once, some, many := apology(1), apology(6), apology(12)
	if once.Score < 0.75 {
		t.Errorf("said once: %.2f (%s), want high", once.Score, once.Rationale)
	}
	if some.Score >= once.Score || !strings.Contains(some.Rationale, "repeated") {
		t.Errorf("said 6 times: %.2f (%s), want less than once (%.2f) and the repetition named", some.Score, some.Rationale, once.Score)
	}
	if many.Score != midAt || !Holds(many.Score) {
		t.Errorf("said 12 times: %.2f (%s), want the mid band's floor %.2f", many.Score, many.Rationale, midAt)
	}
}

// TestReplySettlesTheTerms: a meeting proposed without a slot, and the prospect names the
// slot himself while taking it ("Thursday, ten-thirty. Twenty minutes."): the meeting is
// booked with a day and a time, as both sides said it. Asking about a slot books nothing.
func TestReplySettlesTheTerms(t *testing.T) {
	close := func(reply string) CriterionResult {
		tr := []dialog.Utterance{
			{Speaker: dialog.SpeakerPersona, Text: "Glen Moreau.", Start: sec2(0), End: sec2(1)},
			{Speaker: dialog.SpeakerLearner, Text: "Could we grab twenty minutes to look at those calls properly?", Start: sec2(2), End: sec2(6)},
			{Speaker: dialog.SpeakerPersona, Text: reply, Start: sec2(7), End: sec2(9)},
		}
		return criterion(t, scoreShipped(t, "cold-call-vendor", tr, "learner hung up"), "close")
	}
	if got := close("Thursday, ten-thirty. Twenty minutes, then I'm out."); got.Score < 0.75 {
		t.Errorf("slot named in the yes: close %.2f (%s), want high", got.Score, got.Rationale)
	}
	for _, reply := range []string{"Thursday at ten-thirty? I doubt it.", "Twenty minutes. Maybe."} {
		if got := close(reply); got.Score >= 0.75 {
			t.Errorf("%q: close %.2f (%s), want it not booked", reply, got.Score, got.Rationale)
		}
	}
}

// TestShownByTheReply: a learner line the recognizer garbled, and the prospect answers it
// with a number: the line asked how many (Behaviour.ShownBy). The same words heard with
// confidence, or typed with none, are read by their words alone.
func TestShownByTheReply(t *testing.T) {
	quantified := func(conf float64) bool {
		tr := []dialog.Utterance{
			{Speaker: dialog.SpeakerPersona, Text: "They call dispatch. Dispatch looks it up.", Start: sec2(0), End: sec2(3)},
			{Speaker: dialog.SpeakerLearner, Text: "and on a normal day off and back to read it but that did they", Start: sec2(4), End: sec2(8), Confidence: conf},
			{Speaker: dialog.SpeakerPersona, Text: "Honestly? Forty, fifty calls a day.", Start: sec2(9), End: sec2(12)},
		}
		cr := criterion(t, scoreShipped(t, "cold-call-vendor", tr, "learner hung up"), "quantify")
		return cr.Score > 0
	}
	for _, tc := range []struct {
		name string
		conf float64
		want bool
	}{{"misheard", 0.5, true}, {"heard with confidence", 0.95, false}, {"no confidence given", 0, false}} {
		if got := quantified(tc.conf); got != tc.want {
			t.Errorf("%s: quantified %v, want %v", tc.name, got, tc.want)
		}
	}
}

// TestQuantifyNeedsHisNumber: the cold call's quantify is an outcome. Asking how many earns
// full credit when his reply puts a number on it, half when he never does.
func TestQuantifyNeedsHisNumber(t *testing.T) {
	score := func(reply string) float64 {
		tr := []dialog.Utterance{
			{Speaker: dialog.SpeakerPersona, Text: "They call dispatch. Dispatch looks it up.", Start: sec2(0), End: sec2(3)},
			{Speaker: dialog.SpeakerLearner, Text: "Roughly how many of those calls does the desk get in a day?", Start: sec2(4), End: sec2(8)},
			{Speaker: dialog.SpeakerPersona, Text: reply, Start: sec2(9), End: sec2(12)},
		}
		return criterion(t, scoreShipped(t, "cold-call-vendor", tr, "learner hung up"), "quantify").Score
	}
	answered, dodged := score("Honestly? Forty, fifty calls a day."), score("I'm not getting into numbers with you.")
	if answered != 1 || dodged != 0.5 {
		t.Errorf("quantify: answered with a number %.2f, want 1; never a number %.2f, want 0.5", answered, dodged)
	}
}

// TestStockLineSparesTheRest: a stock empathy line costs its own criterion but not a
// practical question in another sentence of the same line; a provocation taints it all.
func TestStockLineSparesTheRest(t *testing.T) {
	verified := func(learner string) CriterionResult {
		tr := []dialog.Utterance{
			{Speaker: dialog.SpeakerPersona, Text: "I was charged twice for my renewal this morning.", Start: sec2(0), End: sec2(3)},
			{Speaker: dialog.SpeakerLearner, Text: learner, Start: sec2(4), End: sec2(9)},
			{Speaker: dialog.SpeakerPersona, Text: "Dana Reyes. dreyes at reyesbakes dot com.", Start: sec2(10), End: sec2(13)},
		}
		return criterion(t, scoreShipped(t, "double-charge", tr, "learner hung up"), "verify")
	}
	cr := verified("I understand your frustration, ma'am. May I have the email on the account, please?")
	if cr.Score == 0 || len(cr.Evidence) == 0 || cr.Evidence[0].Text != "May I have the email on the account, please" {
		t.Errorf("stock line then a question: verify %.2f with evidence %+v, want credit quoting the question alone", cr.Score, cr.Evidence)
	}
	if cr := verified("Calm down, ma'am. May I have the email on the account, please?"); cr.Score != 0 {
		t.Errorf("a provocation then a question: verify %.2f, want 0 (the line is tainted whole)", cr.Score)
	}
	tr := []dialog.Utterance{
		{Speaker: dialog.SpeakerPersona, Text: "I was charged twice and my rent is due Friday.", Start: sec2(0), End: sec2(3)},
		{Speaker: dialog.SpeakerLearner, Text: "I understand your frustration. Two charges with rent due Friday, that's a horrible thing to find.", Start: sec2(4), End: sec2(9)},
	}
	ack := criterion(t, scoreShipped(t, "double-charge", tr, "learner hung up"), "acknowledge")
	for _, q := range ack.Evidence {
		if q.Positive {
			t.Errorf("a stock line spares nothing of its own criterion: acknowledge quoted %q as good", q.Text)
		}
	}
	if !slices.ContainsFunc(ack.Evidence, func(q Quote) bool { return !q.Positive }) {
		t.Errorf("acknowledge evidence %+v: want the stock line quoted as what cost it", ack.Evidence)
	}
}

// TestShownUnbooked: her reply shows a misheard line left her to book it herself ("The
// app? I don't really do the app"): the line is a vague promise and costs the rebooking.
func TestShownUnbooked(t *testing.T) {
	tr := []dialog.Utterance{
		{Speaker: dialog.SpeakerPersona, Text: "I came in for my knee and there was no appointment.", Start: sec2(0), End: sec2(3)},
		{Speaker: dialog.SpeakerLearner, Text: "dr patel has wednesday at eleven three so if you go on the patient have to like you can grab it", Start: sec2(4), End: sec2(9), Confidence: 0.5},
		{Speaker: dialog.SpeakerPersona, Text: "The app? I don't really do the app, dear.", Start: sec2(10), End: sec2(12)},
	}
	cr := criterion(t, scoreShipped(t, "lost-appointment", tr, "learner hung up"), "rebook")
	for _, q := range cr.Evidence {
		if q.Positive {
			t.Errorf("rebook quotes %q as good; the reply shows she was sent to the app", q.Text)
		}
	}
	if !strings.Contains(cr.Rationale, "anti-pattern") {
		t.Errorf("rebook rationale %q: want the line counted as an anti-pattern", cr.Rationale)
	}
}

// TestWeakestMetricDecides: a criterion's metrics count by the weakest of them. A learner
// who says little and never cuts in, but leaves her in a silence of 15 s, has no pace
// credit: the silence is past dead_air_longest_s's zero, whatever the talk ratio.
func TestWeakestMetricDecides(t *testing.T) {
	tr := []dialog.Utterance{
		{Speaker: dialog.SpeakerPersona, Text: "I was charged twice for my renewal this morning, ninety-nine dollars each time, and my rent goes out on Friday, so I really need that money back before then.", Start: sec2(0), End: sec2(12)},
		{Speaker: dialog.SpeakerLearner, Text: "Two charges with your rent due Friday, that's a horrible thing to find. I'm sorry, that's our mistake.", Start: sec2(13), End: sec2(19)},
		{Speaker: dialog.SpeakerPersona, Text: "Well, thank you for saying so. So what happens now? I can't wait all week for this, I've got suppliers to pay as well.", Start: sec2(20), End: sec2(30)},
		{Speaker: dialog.SpeakerLearner, Text: "I'm refunding the duplicate now, and it will be back on your card by Thursday.", Start: sec2(45), End: sec2(50)},
		{Speaker: dialog.SpeakerPersona, Text: "Finally. Okay, Thursday is fine, thank you. I was starting to think you had gone.", Start: sec2(51), End: sec2(58)},
	}
	card := scoreShipped(t, "double-charge", tr, "learner hung up")
	if card.Metrics.TalkRatio > 0.5 || card.Metrics.DeadAirLongest < 12*time.Second {
		t.Fatalf("talk ratio %.2f, longest silence %v: the call is meant to talk little and go silent 15 s", card.Metrics.TalkRatio, card.Metrics.DeadAirLongest)
	}
	if cr := criterion(t, card, "pace"); cr.Score != 0 {
		t.Errorf("pace %.2f (%s), want 0: the silence decides, not the mean of the metrics", cr.Score, cr.Rationale)
	}
}

// TestSlipStandingTakesBackItsFix: another doctor named after Doctor Patel, heard clearly,
// takes back the Patel credit of the earlier line, from its spared sentence too; a slip the
// recognizer was unsure of takes nothing back.
func TestSlipStandingTakesBackItsFix(t *testing.T) {
	_, cat := shipped(t)
	sc, _ := cat.Get("lost-appointment")
	read := func(conf float64) []line {
		return []line{
			{u: dialog.Utterance{Speaker: dialog.SpeakerLearner}, found: map[string]bool{"same_doctor": true},
				spared: map[string]string{"same_doctor": "Doctor Patel's clinic on Wednesday."}},
			{u: dialog.Utterance{Speaker: dialog.SpeakerLearner, Confidence: conf}, found: map[string]bool{"other_doctor": true}},
		}
	}
	lines := read(0)
	slipsStand(sc, lines)
	if lines[0].found["same_doctor"] || lines[0].spared["same_doctor"] != "" {
		t.Errorf("a clear slip left standing kept the fix before it: found %v, spared %v", lines[0].found, lines[0].spared)
	}
	lines = read(0.5)
	slipsStand(sc, lines)
	if !lines[0].found["same_doctor"] || lines[0].spared["same_doctor"] == "" {
		t.Errorf("a misheard slip took the fix back: found %v, spared %v", lines[0].found, lines[0].spared)
	}
}
