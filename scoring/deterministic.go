package scoring

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/sparlab/spar/dialog"
	"github.com/sparlab/spar/dialog/scenario"
)

// Deterministic is the offline judge. It reads each learner line with the scenario's own
// detector, the one the persona reacted to during the call (clauses, negation, questions,
// commitments, scripts and sarcasm: see dialog/scenario.Detector.Understand), grades the
// rubric's criteria on the behaviours it credits, and applies the metric thresholds. The
// same call always gets the same score.
type Deterministic struct{}

var _ Judge = Deterministic{}

// maxQuotes bounds the evidence kept per criterion and side (positive, anti-pattern).
const maxQuotes = 3

// quoteWords bounds a quote's length; longer lines are cut at a word boundary.
const quoteWords = 30

// A call with less than this from the learner cannot be judged on what was not said (tone,
// pace): those criteria score zero rather than full marks for silence.
const (
	engagedLines = 2 // learner lines of at least substantiveWords words
	engagedWords = 25
	// substantiveWords makes a line more than a backchannel ("okay", "yes sure").
	substantiveWords = 4
)

// line is one learner line as the detector understood it.
type line struct {
	u    dialog.Utterance
	at   int // index in the transcript
	turn scenario.Turn
	// found holds the behaviours credited in the line.
	found map[string]bool
	// accepted is set when the persona's next line accepts what this line offered.
	accepted bool
	// agreed holds the behaviours the persona's accepting reply names itself ("Thursday at
	// two. Okay."): the other side settling a term of what this line proposed.
	agreed map[string]bool
	// answered holds the behaviours the persona's next line shows this line did
	// (Behaviour.ShownBy: "Forty, fifty calls a day" answers "how many?"): taken up.
	answered []string
	// refused is set when the persona's next line turns down or denies what this line
	// claimed ("I didn't agree to anything"): an outcome it offered earns nothing.
	refused bool
	// tainted lines carry an anti-pattern, a script or sarcasm, or claim what the other side
	// then denies saying: they earn no credit and are never quoted as good.
	tainted bool
	// spared holds, for a line tainted only by an anti-pattern that is no provocation, the
	// behaviours credited in one of its sentences that carries none, with that sentence:
	// "I'm so sorry for the inconvenience, ma'am. May I have your full name, please?" asked
	// for her details, and only the question is quoted.
	spared map[string]string
}

// Judge scores every criterion of c.Rubric.
func (Deterministic) Judge(_ context.Context, c *Call) ([]CriterionResult, error) {
	if c.Scenario == nil {
		return nil, fmt.Errorf("%w: scenario %q is not loaded: its rubric grades the scenario's behaviours", ErrNoScenario, c.Record.Scenario)
	}
	lines := readLines(c)
	engaged := isEngaged(lines)
	m := c.Metrics
	m.OpenQuestions += unwordedQuestions(c.Scenario, lines)
	out := make([]CriterionResult, 0, len(c.Rubric.Criteria))
	for i := range c.Rubric.Criteria {
		out = append(out, judgeCriterion(&c.Rubric.Criteria[i], c.Scenario, lines, m, engaged,
			c.Record.EndReason == dialog.EndWalkedOut))
	}
	return out, nil
}

// readLines reads the learner's lines with the scenario's detector, and marks each one the
// persona accepted and each one carrying an anti-pattern of the rubric or a provocation of
// the scenario.
func readLines(c *Call) []line {
	det := c.Scenario.Detector()
	avoid := map[string]bool{}
	for _, cr := range c.Rubric.Criteria {
		for _, b := range cr.AvoidBehaviours {
			avoid[b] = true
		}
	}
	tr := sortedTranscript(c.Record.Transcript)
	replies := readReplies(c.Scenario, tr)
	var lines []line
	for i, u := range tr {
		if u.Speaker != dialog.SpeakerLearner {
			continue
		}
		l := line{u: u, at: i, turn: det.Understand(u.Text), found: map[string]bool{}}
		for _, name := range l.turn.Found {
			l.found[name] = true
		}
		if p, ok := before(replies, i); ok && confirms(p, l.found) {
			// "Monday at two. Twenty minutes." / "Great, Monday at two it is, I'll send an
			// invite across": the line wraps up what the other side just agreed to; there
			// was no brush-off to accept.
			for name := range l.found {
				if b, _ := c.Scenario.Behaviour(name); b.EndsCall {
					delete(l.found, name)
				}
			}
		}
		next := after(replies, i)
		if len(next) > 0 {
			l.answered = next[0].shows
		}
		if r, ok := acceptedAfter(next, l.found); ok {
			l.accepted, l.agreed = true, r.names
		} else if len(next) > 0 {
			l.refused = next[0].refuses
			// "I never said that": what the line put in the other side's mouth earns nothing.
			l.tainted = l.tainted || next[0].denies
		}
		lines = append(lines, l)
	}
	bad := func(name string) bool {
		b, _ := c.Scenario.Behaviour(name)
		return avoid[name] || b.Mood > 0
	}
	for i := range lines {
		l := &lines[i]
		denied, provoked := l.tainted, false
		for name := range l.found {
			b, _ := c.Scenario.Behaviour(name)
			switch {
			case corrected(b, lines[i+1:]):
				delete(l.found, name)
			case avoid[name] || b.Mood > 0:
				l.tainted = true
				provoked = provoked || b.Mood > 0
			}
		}
		// A stock phrase ("sorry for the inconvenience") spares the rest of the line; a
		// provocation (blame, "calm down"), a script or a sneer taints all of it.
		if l.tainted && !denied && !provoked && l.turn.Why() == "" {
			l.spared = spare(det, l, bad)
		}
		l.tainted = l.tainted || l.turn.Why() != ""
	}
	slipsStand(c.Scenario, lines)
	unanswered(replies, lines)
	settles, left := settled(replies), dialog.PersonaLeft(c.Record.EndReason)
	creditAnswers(replies, lines, settles)
	creditShown(replies, lines, bad)
	for i := range lines {
		switch {
		case lines[i].accepted || lines[i].refused:
		case settles:
			lines[i].accepted = true
		case left:
			// The other side ended the call without the goal: what it never took up, it
			// turned down ("shall we lock in Tuesday at ten?" / "no, we're done").
			lines[i].refused = true
		}
	}
	return lines
}

// spare reads each sentence of a line an anti-pattern tainted on its own and returns the
// line's behaviours credited in a sentence with no anti-pattern, script or sneer, with the
// sentence. A recognized line has no punctuation: it is read in the stretches between its
// anti-patterns instead (Detector.Stretches). A line of one sentence is the line itself.
func spare(det *scenario.Detector, l *line, bad func(string) bool) map[string]string {
	sentences := strings.FieldsFunc(l.u.Text, func(r rune) bool { return r == '.' || r == '?' || r == '!' })
	if len(sentences) < 2 {
		sentences = det.Stretches(l.u.Text, bad)
	}
	if len(sentences) == 0 {
		return nil
	}
	out := map[string]string{}
	for _, s := range sentences {
		s = strings.TrimSpace(s)
		if len(scenario.Tokenize(s)) < minQuoteWords {
			continue // too short to quote
		}
		t := det.Understand(s)
		if t.Why() != "" || slices.ContainsFunc(t.Found, bad) {
			continue
		}
		for _, name := range t.Found {
			if _, ok := out[name]; !ok && l.found[name] {
				out[name] = s
			}
		}
	}
	return out
}

// unanswered takes back what lines were credited for answering a concern the other side
// had to raise again with nothing after it that answered it: "Will it be with Doctor
// Patel?" / "It's the same clinic." / "But is it him?" / "It's his clinic." leaves the
// "Doctor Patel" the offer named unanswered.
func unanswered(replies []reply, lines []line) {
	raised := map[string]bool{}
	for _, r := range replies {
		if !r.raises || r.obj.ID == "" {
			continue
		}
		again := r.again || raised[r.obj.ID]
		raised[r.obj.ID] = true
		if !again || slices.ContainsFunc(lines, func(l line) bool { return l.at > r.at && answersAny(r.obj.HandledBy, l.found) }) {
			continue
		}
		for _, l := range lines {
			if l.at > r.at {
				break
			}
			for b := range l.found {
				if r.obj.HandledBy.Answers(b) {
					l.drop(b)
				}
			}
		}
	}
}

// slipsStand takes back the fix said before a slip left standing (Behaviour.CorrectedBy
// read the other way: whichever comes last wins): "Wednesday, in Doctor Patel's clinic",
// then "it's all his team" leaves her with another doctor. Only a slip heard clearly does:
// a misheard "Doctor Patel" must not undo a booking made with him. Slips a later line
// corrected are already gone from found.
func slipsStand(sc *scenario.Scenario, lines []line) {
	for i, l := range lines {
		if unsure(l.u) {
			continue
		}
		for name := range l.found {
			b, _ := sc.Behaviour(name)
			for _, fix := range b.CorrectedBy {
				for _, earlier := range lines[:i] {
					earlier.drop(fix)
				}
			}
		}
	}
}

// drop takes credit for behaviour b back from the line, from its spared sentence too.
func (l line) drop(b string) {
	delete(l.found, b)
	delete(l.spared, b)
}

// corrected reports whether a later learner line takes b back (Behaviour.CorrectedBy):
// another doctor offered, then her own doctor kept.
func corrected(b scenario.Behaviour, later []line) bool {
	return slices.ContainsFunc(later, func(l line) bool {
		return slices.ContainsFunc(b.CorrectedBy, func(n string) bool { return l.found[n] && !l.found[b.Name] })
	})
}

// reply is one of the persona's lines as the scorer reads it, once per call: the objection
// it raises, the behaviours it names itself ("Thursday at two. Okay." names a day and a
// time), and whether it accepts, turns down, denies, settles or asks.
type reply struct {
	at                       int // index in the transcript
	obj                      scenario.Objection
	raises, again            bool
	names                    map[string]bool
	accepts, refuses, denies bool
	settles, asks            bool
	shows                    []string // behaviours the reply shows the line before it did (Behaviour.ShownBy)
}

// readReplies reads the persona's lines of tr.
func readReplies(sc *scenario.Scenario, tr []dialog.Utterance) []reply {
	det := sc.Detector()
	var out []reply
	for i, u := range tr {
		if u.Speaker != dialog.SpeakerPersona {
			continue
		}
		r := reply{at: i, names: map[string]bool{}, accepts: scenario.Accepts(u.Text),
			refuses: scenario.Refuses(u.Text), denies: scenario.Denies(u.Text),
			settles: scenario.Settles(u.Text), asks: scenario.Asks(u.Text), shows: sc.ShownBy(u.Text)}
		r.obj, r.again, r.raises = sc.Raises(u.Text)
		for _, name := range det.Understand(u.Text).Found {
			r.names[name] = true
		}
		out = append(out, r)
	}
	return out
}

// before returns the last reply before transcript line i.
func before(rs []reply, i int) (reply, bool) {
	for k := len(rs) - 1; k >= 0; k-- {
		if rs[k].at < i {
			return rs[k], true
		}
	}
	return reply{}, false
}

// confirms reports whether a learner line that found these behaviours confirms what reply
// r named and did not turn down: "Monday at two. Twenty minutes." / "Monday at two it is".
func confirms(r reply, found map[string]bool) bool {
	if r.refuses || r.denies {
		return false
	}
	for name := range r.names {
		if found[name] {
			return true
		}
	}
	return false
}

// after returns the replies that follow transcript line i.
func after(rs []reply, i int) []reply {
	for k, r := range rs {
		if r.at > i {
			return rs[k:]
		}
	}
	return nil
}

// creditAnswers credits a misheard answer to a demand the other side took up ("Who pays
// that?" / "we dated like with twenty five pounds also back to your card" / "Right. And I
// want it in writing."). The persona's lines are the text it spoke, never misheard, so when
// the recognizer was unsure of the learner's answer (confidence under unsureBelow) and the
// persona then accepted it, or the call ended settled, the demand was answered: the learner
// gets the one behaviour that answers it. A line the recognizer was sure of is read by its
// words alone: what a trainer hears in it, not what a lenient customer let pass. The answer
// must state something (a question answers nothing) and must not carry the behaviour's own
// words negated or asked ("we won't cover that"), nor an anti-pattern; the reply must not
// raise the demand again or turn it down, and a repeated demand needs the reply to accept.
func creditAnswers(replies []reply, lines []line, settles bool) {
	for k, r := range replies {
		answer, ok := r.obj.HandledBy.Only()
		if !r.raises || !ok || k+1 == len(replies) {
			continue // not a demand, or nobody took it up
		}
		next := replies[k+1]
		if next.raises && next.obj.ID == r.obj.ID || next.refuses {
			continue
		}
		if (r.again || !settles) && !next.accepts {
			continue
		}
		for i := range lines {
			l := &lines[i]
			if l.at > r.at && l.at < next.at && l.mayHaveDone(answer) && scenario.States(l.u.Text) {
				l.found[answer] = true
			}
		}
	}
}

// creditShown credits a misheard line with what the persona's reply right after it shows it
// did (Behaviour.ShownBy): "right and have much of your dispatchers the goldstone those calls
// roughly" / "Forty, fifty calls a day." asked how many (a question counts here: the reply
// answers it). What a reply shows may be an anti-pattern ("The app? I don't really do the
// app, dear."): the line is then tainted like any other. See mayHaveDone for which lines.
func creditShown(replies []reply, lines []line, bad func(string) bool) {
	for _, r := range replies {
		k := slices.IndexFunc(lines, func(l line) bool { return l.at == r.at-1 })
		if k < 0 {
			continue // the reply follows a persona line
		}
		for _, b := range r.shows {
			if lines[k].mayHaveDone(b) {
				lines[k].found[b] = true
				// "The app? I don't really do the app": what it shows may be an anti-pattern.
				lines[k].tainted = lines[k].tainted || bad(b)
			}
		}
	}
}

// mayHaveDone reports whether a learner line may be credited with behaviour b on the other
// side's word: the recognizer was unsure of it (confidence under unsureBelow), it is long
// enough to have said something, it carries no anti-pattern, and b's own words were not
// heard in it negated or asked ("we won't cover that").
func (l line) mayHaveDone(b string) bool {
	return unsure(l.u) && l.turn.Words >= substantiveWords && !l.tainted && !slices.Contains(l.turn.Heard, b)
}

// unsureBelow is the recognizer confidence under which a learner line's words are not taken
// at their word for a demand the other side took up. On the labeled calls heard through the
// phone path (about 25 % of words wrong), 94 % of learner lines score under it, and a line
// scoring 0.7 can still have lost the one phrase that mattered ("my direct number" heard as
// "my current number"); a typed transcript, with no confidence, is read by its words alone.
const unsureBelow = 0.8

// unsure reports whether the recognizer was unsure of a learner line.
func unsure(u dialog.Utterance) bool { return u.Confidence > 0 && u.Confidence < unsureBelow }

// settled reports whether the call ended settled: a persona line settles it ("okay, that
// covers it") and nothing the persona said after it raised a demand, turned anything down or
// denied anything ("anything else?" / "no" / "cheers" keeps it settled). What the learner
// offered on the way was taken, even where the persona's next reply went straight on to the
// next thing ("who pays the fee?").
func settled(replies []reply) bool {
	for _, r := range slices.Backward(replies) {
		switch {
		case r.settles:
			return true
		case r.raises || r.refuses || r.denies:
			return false
		}
	}
	return false
}

// replyWindow is how many of the persona's next lines may take up what the learner did: the
// first reply is often a question about it ("so can you refund it?") before the yes.
const replyWindow = 2

// acceptedAfter returns the first of the persona's next replyWindow replies that accepts
// what a line with behaviours found offered. A reply that raises an objection those
// behaviours are meant to overcome pushed back instead ("Worth twenty minutes next week?" /
// "Alright. Just send me an email."), whatever word it starts with, and ends the window.
func acceptedAfter(next []reply, found map[string]bool) (reply, bool) {
	for _, r := range next[:min(len(next), replyWindow)] {
		if r.raises && answersAny(r.obj.HandledBy, found) {
			break
		}
		if r.accepts || r.echoes(found) {
			return r, true
		}
	}
	return reply{}, false
}

// answersAny reports whether one of the behaviours found is one r counts.
func answersAny(r scenario.Requirement, found map[string]bool) bool {
	for b := range found {
		if r.Answers(b) {
			return true
		}
	}
	return false
}

// echoes reports whether the reply states, in its own words, at least two of the terms a
// line offered ("Could we grab twenty minutes, Thursday at eight-fifteen?" / "Thursday,
// eight-fifteen. Twenty minutes."), or one of them and two more it settles itself ("Could
// we grab twenty minutes?" / "Thursday, ten-thirty. Twenty minutes."): it takes the meeting,
// where "Thursday?" or "Thursday at eight-fifteen? I can't." does not.
func (r reply) echoes(found map[string]bool) bool {
	if r.asks || r.refuses {
		return false
	}
	n := 0
	for b := range r.names {
		if found[b] {
			n++
		}
	}
	return n >= 2 || n >= 1 && len(r.names) >= 3
}

// unwordedQuestions counts the learner lines credited with an open question (needs:
// open_question) whose words show none: one the recognizer lost the shape of ("can i ask all
// when a customer wants to know whether voters that does not get to that") that the other
// side's reply shows was asked. The open_questions metric counts questions from the words
// alone, so it would miss what the behaviour already credits.
func unwordedQuestions(sc *scenario.Scenario, lines []line) int {
	n := 0
	for _, l := range lines {
		if l.tainted {
			continue
		}
		for name := range l.found {
			if b, _ := sc.Behaviour(name); b.Needs == scenario.NeedsOpenQuestion {
				if open, _ := scenario.CountQuestions(l.u.Text); open == 0 {
					n++
				}
				break
			}
		}
	}
	return n
}

func isEngaged(lines []line) bool {
	n, words := 0, 0
	for _, l := range lines {
		words += l.turn.Words
		if l.turn.Words >= substantiveWords && !l.tainted {
			n++
		}
	}
	return n >= engagedLines && words >= engagedWords
}

func judgeCriterion(cr *Criterion, sc *scenario.Scenario, lines []line, m Metrics, engaged bool, walkedOut bool) CriterionResult {
	res := CriterionResult{ID: cr.ID, Better: cr.Better[0]}
	if cr.Outcome && walkedOut {
		// Whatever was proposed, the other side hung up at their worst: nothing was agreed.
		res.Rationale = "the other side hung up before agreeing to anything"
		return res
	}
	var why []string
	var parts []float64
	full, half := map[string]bool{}, map[string]bool{} // behaviours heard: taken up, not
	pos, neg := 0, 0
	for _, l := range lines {
		hits, quote := l.hits(cr.Behaviours), l.u
		if l.tainted {
			hits, quote = l.sparedHits(cr)
		}
		if len(hits) > 0 {
			pos++
			for _, h := range hits {
				switch {
				case !cr.Outcome || l.accepted || slices.Contains(l.answered, h):
					full[h] = true
				case !l.refused:
					half[h] = true
				}
			}
			if cr.Outcome {
				// What the other side agreed to in its own words counts as settled, even
				// when the learner's line was misheard ("we meet on thursday" / "Thursday
				// at two. Okay."): an outcome needs both sides, and both said it.
				for _, b := range cr.Behaviours {
					if l.agreed[b] {
						full[b] = true
					}
				}
			}
			if pos <= maxQuotes {
				res.Evidence = append(res.Evidence, quoteOf(quote, true, cr.Name))
			}
		}
		if note := l.costs(cr, sc); note != "" {
			neg++
			if neg <= maxQuotes {
				res.Evidence = append(res.Evidence, quoteOf(l.u, false, note))
			}
		}
	}
	hasPos := len(cr.Behaviours) > 0
	switch {
	case hasPos && len(full)+len(half) == 0:
		res.Rationale = "not heard: " + labels(sc, cr.Behaviours)
		if neg > 0 {
			res.Rationale += fmt.Sprintf("; %d line(s) with an anti-pattern", neg)
		}
		return res
	case !hasPos && !engaged:
		res.Rationale = "too little said by the learner to judge this"
		return res
	}
	if hasPos {
		for h := range full {
			delete(half, h)
		}
		credit := (float64(len(full)) + float64(len(half))/2) / float64(cr.Want)
		parts = append(parts, clamp01(credit))
		why = append(why, fmt.Sprintf("heard: %s (%d of %d wanted)", labels(sc, keys(full, half, cr.Behaviours)),
			min(len(full)+len(half), cr.Want), cr.Want))
		if len(half) > 0 {
			why = append(why, "not taken up by the other side: "+labels(sc, keys(half, nil, cr.Behaviours)))
		}
	}
	if len(cr.Metrics) > 0 {
		worst := 1.0
		for _, t := range cr.Metrics {
			v, _ := m.Value(t.Metric)
			worst = min(worst, t.Credit(v))
			why = append(why, describeThreshold(t, v))
		}
		parts = append(parts, worst)
	}
	score := 1.0
	if len(parts) > 0 {
		score = 0
		for _, p := range parts {
			score += p
		}
		score /= float64(len(parts))
	}
	if neg > 0 {
		score -= cr.Penalty * float64(neg)
		why = append(why, fmt.Sprintf("%d line(s) with an anti-pattern", neg))
	}
	if cr.Max > 0 && pos > cr.Max {
		// Repetition cheapens what was done; it does not undo it: it costs down to the
		// mid band's floor, never below (anti-patterns above cost without a floor).
		score = max(min(score, midAt), score-cr.Penalty/2*float64(pos-cr.Max))
		why = append(why, fmt.Sprintf("repeated %d times (once or twice sounds sincere)", pos))
	}
	res.Score = round3(clamp01(score))
	if len(why) == 0 {
		why = append(why, "no anti-pattern heard")
	}
	res.Rationale = strings.Join(why, "; ")
	return res
}

// hits returns the behaviours of names credited in the line.
func (l line) hits(names []string) []string {
	var out []string
	for _, b := range names {
		if l.found[b] {
			out = append(out, b)
		}
	}
	return out
}

// sparedHits returns the behaviours of cr a tainted line earns in a sentence with no
// anti-pattern (line.spared), and the line as that sentence, to quote. A line carrying one of
// cr's own anti-patterns earns cr nothing: "I understand your frustration. That must be
// stressful." is a stock line, however it goes on; its question for her email still counts.
func (l line) sparedHits(cr *Criterion) ([]string, dialog.Utterance) {
	u := l.u
	if len(l.hits(cr.AvoidBehaviours)) > 0 {
		return nil, u
	}
	var out []string
	for _, b := range cr.Behaviours {
		if s, ok := l.spared[b]; ok {
			if out == nil {
				u.Text = s
			}
			out = append(out, b)
		}
	}
	return out, u
}

// costs returns why the line costs cr credit ("" if it does not): one of its anti-patterns,
// or one of its behaviours recited in a script or said with a sneer.
func (l line) costs(cr *Criterion, sc *scenario.Scenario) string {
	if hits := l.hits(cr.AvoidBehaviours); len(hits) > 0 {
		return "costs credit: " + labels(sc, hits)
	}
	why := l.turn.Why()
	if why == "" {
		return ""
	}
	for _, b := range cr.Behaviours {
		if slices.Contains(l.turn.Heard, b) {
			return why
		}
	}
	return ""
}

// labels names behaviours as the scenario labels them ("owned the mistake").
func labels(sc *scenario.Scenario, names []string) string {
	out := make([]string, 0, len(names))
	for _, n := range names {
		if b, ok := sc.Behaviour(n); ok && b.Label != "" {
			out = append(out, b.Label)
		} else {
			out = append(out, n)
		}
	}
	return strings.Join(out, ", ")
}

// keys returns the names in a or b, in the order of order.
func keys(a, b map[string]bool, order []string) []string {
	var out []string
	for _, n := range order {
		if a[n] || b[n] {
			out = append(out, n)
		}
	}
	return out
}

// quoteOf quotes a learner line, cut to quoteWords words.
func quoteOf(u dialog.Utterance, positive bool, note string) Quote {
	words := strings.Fields(u.Text)
	text := strings.Join(words[:min(len(words), quoteWords)], " ")
	return Quote{Speaker: u.Speaker, At: u.Start, Text: text, Positive: positive, Note: note}
}

func fmtNum(f float64) string {
	return strconv.FormatFloat(float64(int64(f*100+0.5*sign(f)))/100, 'f', -1, 64)
}

func sign(f float64) float64 {
	if f < 0 {
		return -1
	}
	return 1
}
