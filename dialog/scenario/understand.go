package scenario

import (
	"fmt"
	"slices"
	"strings"
)

// Needs says in what kind of clause a behaviour's phrases count.
type Needs string

// What a behaviour needs (file key needs:).
const (
	// NeedsSaid: anywhere it is not negated (the default).
	NeedsSaid Needs = ""
	// NeedsQuestion: in a question ("what's the email on the account?").
	NeedsQuestion Needs = "question"
	// NeedsOpenQuestion: in a question that explores, not a practical one (how the other
	// side is, a contact detail, a slot: "how are you doing?", "what's the best email?",
	// "how about Wednesday?"; see practical).
	NeedsOpenQuestion Needs = "open_question"
	// NeedsStatement: in a statement, not a question ("it will be back by Friday").
	NeedsStatement Needs = "statement"
	// NeedsCommitment: something done or promised, not asked about, hedged or negated ("I've
	// refunded it", "I'll book you in", "can I refund that for you?"); not "do you want a
	// refund?", "maybe a refund could...", "refunds take time" or "there is no refund".
	NeedsCommitment Needs = "commitment"
)

func (n Needs) valid() bool {
	return n == NeedsSaid || n == NeedsQuestion || n == NeedsOpenQuestion || n == NeedsStatement || n == NeedsCommitment
}

// Stuffing: a turn that stacks this many positive behaviours, or this many in fewer than
// wordsPerBehaviour words each, reads as a script recited at the caller, not a
// conversation. Neither the persona nor the scorer credits it. Behaviours whose words were
// there but did not count (negated, asked) are stacked too: a recognizer that mishears a
// script must not make it pass. Behaviours read from the very same words stack once.
// Natural lines in the labeled calls carry at most six, in fifty words or more: a close
// that sums up the email ("the refund, the fee credit, my name and number") and the fix.
const (
	stuffedAt         = 7
	stackedAt         = 5
	wordsPerBehaviour = 6
)

// barrageAt questions in one turn fire them at the other side without waiting for an answer
// ("what does your process look like, how many calls, how many hours, what's the cost?"):
// nothing kind in the turn is credited, as in a script. Natural lines in the labeled calls
// ask at most three.
const barrageAt = 4

// Turn is what the detector understood of one learner turn.
type Turn struct {
	// Found are the behaviours credited, once each however many phrases the turn stuffs in,
	// in the scenario's order. Empty when the turn is Scripted or Sarcastic, apart from
	// provocations (behaviours with a positive mood effect), which always count.
	Found []string
	// Heard are the positive behaviours whose words were there but were not credited:
	// negated ("there is no refund"), asked when a commitment was needed, or in a scripted or
	// sarcastic turn. For the timeline and the scorecard's rationale.
	Heard []string
	// Scripted is set when the turn stacks many positive behaviours (Stacked of them) in few
	// words.
	Scripted bool
	Stacked  int
	// Barrage is the number of questions in a turn that asks barrageAt or more.
	Barrage int
	// Sarcastic is set when the turn carries a sarcasm cue ("what a tragedy", "dream on").
	Sarcastic bool
	// Narrated is set when the turn names the method instead of using it ("now I'm
	// acknowledging that", "next open question", "quantifying the pain").
	Narrated bool
	Words    int
}

// Why says in words why a turn earned nothing, or "".
func (t Turn) Why() string {
	switch {
	case t.Sarcastic:
		return "sounded sarcastic"
	case t.Scripted:
		return fmt.Sprintf("sounded scripted: %d behaviours stacked in %d words", t.Stacked, t.Words)
	case t.Barrage > 0:
		return fmt.Sprintf("fired %d questions without waiting for an answer", t.Barrage)
	case t.Narrated:
		return "named the technique instead of using it"
	}
	return ""
}

// Understand reads one learner turn: which behaviours it carries, clause by clause, with
// negation, questions and commitments taken into account.
func (d *Detector) Understand(text string) Turn {
	ss := readSentences(text)
	var t Turn
	for _, s := range ss {
		t.Words += len(s.toks)
		if hasAny(s.toks, sarcasmCues) {
			t.Sarcastic = true
		}
		if hasAny(s.toks, methodCues) {
			t.Narrated = true
		}
	}
	var (
		credit    []int  // behaviours credited, by index
		positives int    // positive behaviours carried, for stuffing
		stacked   []span // the words they were carried by
	)
	for i := range d.phrases {
		v := d.find(i, ss)
		switch v {
		case credited:
			credit = append(credit, i)
		case uncredited:
			if d.mood[i] <= 0 {
				t.Heard = append(t.Heard, d.names[i])
			}
		}
		if v != absent && d.mood[i] < 0 && d.stacks(i, ss, &stacked) {
			positives++
		}
	}
	credit = d.dropPivots(credit, ss)
	t.Scripted = positives >= stuffedAt || positives >= stackedAt && t.Words < wordsPerBehaviour*positives
	if t.Scripted {
		t.Stacked = positives
	}
	if open, closed := CountQuestions(text); open+closed >= barrageAt {
		t.Barrage = open + closed
	}
	for _, i := range credit {
		// A script, a barrage or a sneer earns nothing kind; its provocations still count.
		if (t.Scripted || t.Barrage > 0 || t.Sarcastic || t.Narrated) && d.mood[i] <= 0 {
			t.Heard = append(t.Heard, d.names[i])
			continue
		}
		t.Found = append(t.Found, d.names[i])
	}
	return t
}

// span is a match's words: sentence k, tokens from:to.
type span struct{ k, from, to int }

// stacks reports whether behaviour i's matches bring words to the stack that the behaviours
// already on it (spans) did not, and adds them. Two behaviours read from the same words
// ("thank you for calling" greets and thanks) are one thing said, not two stacked.
func (d *Detector) stacks(i int, ss []sentence, spans *[]span) bool {
	n := len(*spans)
	fresh := false
	d.each(i, ss, func(k, from, to int, _ bool) bool {
		same := slices.ContainsFunc((*spans)[:n], func(s span) bool { return s == span{k, from, to} })
		fresh = fresh || !same
		*spans = append(*spans, span{k, from, to})
		return false
	})
	return fresh
}

type verdict int

const (
	absent verdict = iota
	uncredited
	credited
)

// dropPivots drops from credit each behaviour that ends the call when a step forward
// follows it in the same turn: "I'll let you go, could we grab twenty minutes next week?",
// "sorry to bother you, have you got two minutes?" and "I'll send the email, but Thursday
// at eleven?" pivot; they do not take the brush-off.
func (d *Detector) dropPivots(credit []int, ss []sentence) []int {
	return slices.DeleteFunc(credit, func(i int) bool {
		if !d.ends[i] {
			return false
		}
		lastK, lastTo := -1, 0
		d.each(i, ss, func(k, _, to int, counts bool) bool {
			if counts && (k > lastK || k == lastK && to > lastTo) {
				lastK, lastTo = k, to
			}
			return false
		})
		for _, j := range credit {
			if d.mood[j] > 0 || d.ends[j] {
				continue
			}
			// A neutral step (a day, a time) moves forward only when asked: "Tuesday at
			// ten, or Thursday at eleven?", not "I'll send it over and ring you Tuesday".
			if d.each(j, ss, func(k, from, _ int, counts bool) bool {
				return counts && (k > lastK || k == lastK && from >= lastTo) && (d.mood[j] < 0 || ss[k].asked[ss[k].clause[from]])
			}) {
				return true
			}
		}
		return false
	})
}

// each calls fn with every match of behaviour i's phrases (sentence k, tokens from:to), and
// whether it counts where it stands, until fn returns true; it reports whether fn did.
func (d *Detector) each(i int, ss []sentence, fn func(k, from, to int, counts bool) bool) bool {
	for k := range ss {
		s := &ss[k]
		for _, p := range d.phrases[i] {
			if p.find(s.toks, func(from, to int) bool {
				// A provocation quoted from what someone else said ("you got told someone would
				// get back to you") names the caller's grievance; it is not the learner's own.
				counts := s.counts(d.needs[i], from, to) && !(d.mood[i] > 0 && s.reported(from))
				return fn(k, from, to, counts)
			}) {
				return true
			}
		}
	}
	return false
}

// find looks for behaviour i's phrases sentence by sentence: credited when a match sits
// where the behaviour counts, uncredited when its words were only heard elsewhere.
func (d *Detector) find(i int, ss []sentence) verdict {
	if d.list[i] > 1 {
		return d.findList(i, ss)
	}
	v := absent
	if d.each(i, ss, func(_, _, _ int, counts bool) bool {
		if !counts {
			v = uncredited
		}
		return counts
	}) {
		return credited
	}
	return v
}

// findList credits behaviour i where its phrases count at d.list[i] different places of the
// turn (Behaviour.List); fewer is no list, and not heard.
func (d *Detector) findList(i int, ss []sentence) verdict {
	type place struct{ k, from int }
	seen := map[place]bool{}
	if d.each(i, ss, func(k, from, _ int, counts bool) bool {
		if counts {
			seen[place{k, from}] = true
		}
		return len(seen) >= d.list[i]
	}) {
		return credited
	}
	return absent
}

// counts reports whether a match over toks[from:to] counts for a behaviour that needs n:
// none of its words negated from before the match, and its clause of the kind n asks for.
func (s *sentence) counts(n Needs, from, to int) bool {
	for k := from; k < to; k++ {
		if g := s.neg[k]; g == outside || g >= 0 && g < from {
			return false
		}
	}
	c := s.clause[from]
	switch n {
	case NeedsQuestion:
		return s.asked[c] || s.asked[s.clause[to-1]]
	case NeedsOpenQuestion:
		for _, k := range []int{c, s.clause[to-1]} {
			if from, to := s.span(k); s.asked[k] && !practicalClause(s.toks[from:to]) {
				return true
			}
		}
		return false
	case NeedsStatement:
		return !s.asked[c]
	case NeedsCommitment:
		if to < len(s.toks) && paperwork[s.toks[to]] {
			return false // "a refund request", "the booking team": a form or a team, not the act
		}
		return !s.hedged[c] && (s.offered[c] || !s.asked[c] && s.promised[c])
	}
	return true
}

// reported reports whether the words from toks[from] are someone else's speech reported: a
// reporting verb just before them whose subject is not the speaker ("you were told", "the
// last agent promised", "they said"; not "I said").
func (s *sentence) reported(from int) bool {
	for k := max(0, from-reportReach); k < from; k++ {
		if reportCues[s.toks[k]] && (k == 0 || !selfSubjects[s.toks[k-1]]) {
			return true
		}
	}
	return false
}

// reportReach is how many words before a match a reporting verb may sit.
const reportReach = 4

var (
	reportCues   = map[string]bool{"told": true, "said": true, "promised": true, "saying": true}
	selfSubjects = map[string]bool{"i": true, "we": true}
)

// paperwork are nouns that turn a commitment's words into a thing filed or handed on.
var paperwork = map[string]bool{"request": true, "requests": true, "team": true, "department": true,
	"form": true, "ticket": true, "claim": true, "application": true, "queue": true}

// acceptCues and refuseCues read the other side's answer to a proposal or a fix.
var (
	acceptCues = [][]string{{"okay"}, {"ok"}, {"good"}, {"great"}, {"thank"}, {"thanks"}, {"fine"},
		{"perfect"}, {"brilliant"}, {"lovely"}, {"yes"}, {"yeah"}, {"yep"}, {"sure"}, {"alright"},
		{"all", "right"}, {"works"}, {"deal"}, {"helps"}, {"relief"}, {"wonderful"}, {"appreciate"},
		{"excellent"}, {"cheers"}, {"right", "then"}, {"go", "on", "then"}, {"sounds", "good"}, {"that", "is", "everything"},
		{"that", "is", "all"}, {"no", "that", "is", "it"}, {"go", "ahead"}, {"pencil", "me", "in"}, {"see", "you"}, {"book", "it"},
		{"that", "will", "do"}, {"suits", "me"}}
)

// refuseWords are what a reply turns down when a negation governs them: "I didn't agree to
// anything", "I'm not interested", "I won't be there".
var refuseWords = map[string]bool{"agree": true, "agreed": true, "accept": true, "accepted": true,
	"interested": true, "there": true, "booked": true, "book": true}

// denyWords are what a reply says it never said: "I didn't say that", "I never mentioned
// twenty hours", "I never told you that".
var denyWords = map[string]bool{"said": true, "say": true, "mention": true, "mentioned": true, "told": true}

// Refuses reports whether a reply turns down or denies what was just claimed or proposed
// ("I didn't agree to anything.", "Don't send an invite, I won't be there.", "No thanks.",
// "I never said that"): stronger than not taking it up.
func Refuses(text string) bool {
	ss := readSentences(text)
	if negatesAny(ss, refuseWords) || negatesAny(ss, denyWords) {
		return true
	}
	for _, s := range ss {
		for k, t := range s.toks {
			if k+1 < len(s.toks) && t == "no" && (s.toks[k+1] == "thanks" || s.toks[k+1] == "thank") {
				return true
			}
		}
	}
	return false
}

// Denies reports whether a reply denies saying what the line before it put in its mouth.
func Denies(text string) bool { return negatesAny(readSentences(text), denyWords) }

// negatesAny reports whether a negation governs one of words in ss.
func negatesAny(ss []sentence, words map[string]bool) bool {
	for _, s := range ss {
		for k, t := range s.toks {
			if words[t] && s.neg[k] != -1 {
				return true
			}
		}
	}
	return false
}

// settleCues close a call with everything taken: "Okay, that covers it.", "That sounds
// fine, then. Thank you.", "That's all I needed." A bare "Sure. Bye." does not.
var settleCues = [][]string{{"that", "covers", "it"}, {"that", "covers", "everything"}, {"that", "sounds", "fine"},
	{"that", "is", "everything"}, {"that", "is", "all", "i", "needed"}, {"that", "is", "what", "i", "needed"},
	{"that", "is", "sorted"}, {"all", "sorted"}, {"that", "is", "all", "i", "wanted"}, {"that", "works"}}

// Settles reports whether the other side's closing line settles the call: a settle cue that
// no negation governs. Everything the learner offered and the other side did not turn down
// is then taken up, even where the reply right after it moved on to the next thing.
func Settles(text string) bool { return hasCue(readSentences(text), settleCues, false) }

// Accepts reports whether a reply accepts what was offered ("Oh, thank goodness.", "Thursday
// at two works.", "No, that's everything, thanks."): an acceptance cue that no negation
// governs ("no thanks", "that's not good enough" do not accept).
func Accepts(text string) bool {
	ss := readSentences(text)
	for _, s := range ss {
		if len(s.toks) == 1 && s.toks[0] == "right" {
			return true // "Right. And who pays the fee?": taken, and on to the next thing
		}
	}
	return hasCue(ss, acceptCues, true) && !signOff(ss)
}

// signOff reports whether a reply is only a word and a goodbye ("Yeah. Bye."): the other
// side leaving, not agreeing.
func signOff(ss []sentence) bool {
	bye := false
	for _, s := range ss {
		for _, t := range s.toks {
			switch {
			case t == "bye" || t == "goodbye":
				bye = true
			case !fillerYes[t]:
				return false
			}
		}
	}
	return bye
}

var fillerYes = map[string]bool{"yeah": true, "yes": true, "yep": true, "yup": true, "sure": true,
	"ok": true, "okay": true, "alright": true, "fine": true, "right": true, "then": true}

// conditions make a whole sentence conditional: "If Thursday works, it works." accepts nothing.
var conditions = [][]string{{"if"}, {"unless"}, {"maybe"}, {"might"}, {"perhaps"}, {"possibly"}}

// hasCue reports whether sentences ss hold one of cues that no negation governs, nor, when
// firm, in a conditional sentence.
func hasCue(ss []sentence, cues [][]string, firm bool) bool {
	for _, s := range ss {
		if firm && hasAny(s.toks, conditions) {
			continue
		}
		for i := range s.toks {
			n := prefixLen(s.toks[i:], cues)
			if n > 0 && !slices.ContainsFunc(s.neg[i:i+n], func(g int) bool { return g != -1 }) {
				return true
			}
		}
	}
	return false
}

// Stretches splits a line with no punctuation (a recognizer's) at every match of the
// behaviours bad names, a word of margin each side, and returns the stretches of its own
// words left between them: "i apologize for the inconvenience that second charge is an
// error on our side" gives "second charge is an error on our side" when the stock phrase is
// bad. Text with punctuation has sentences to read instead, and text with no match is one
// stretch: both give nil.
func (d *Detector) Stretches(text string, bad func(name string) bool) []string {
	if !unpunctuated(text) {
		return nil
	}
	words := strings.Fields(text)
	var toks []string
	var owner []int // the word each token came from
	for w, word := range words {
		for _, t := range Tokenize(word) {
			toks, owner = append(toks, t), append(owner, w)
		}
	}
	cut := make([]bool, len(words))
	matched := false
	for i, name := range d.names {
		if !bad(name) {
			continue
		}
		for _, p := range d.phrases[i] {
			p.find(toks, func(from, to int) bool {
				matched = true
				for k := max(0, owner[from]-1); k <= min(len(words)-1, owner[to-1]+1); k++ {
					cut[k] = true
				}
				return false // every match
			})
		}
	}
	if !matched {
		return nil
	}
	var out []string
	start := -1
	for w := 0; w <= len(words); w++ {
		switch {
		case w < len(words) && !cut[w]:
			if start < 0 {
				start = w
			}
		case start >= 0:
			out = append(out, strings.Join(words[start:w], " "))
			start = -1
		}
	}
	return out
}
