package scenario

import (
	"slices"
	"strings"
)

// A learner turn is read sentence by sentence, and each sentence clause by clause, because
// the same words mean different things in different clauses: "there is no refund" is not a
// refund, "do you want a refund?" is not one either, and "I've refunded it" is.
//
// Sentences end at . ? ! and ; (recognizers without punctuation give one sentence per line).
// Clauses end at commas, at conjunctions (and, but, so, because...) and where a new "I" or
// "we" starts a statement. Phrases match within a sentence; what a match means (negated,
// asked, promised) is read from its clause.

// sentence is one sentence of a turn: its tokens and, per token, what governs it.
type sentence struct {
	toks []string
	// neg[i] is the index of the negation trigger whose scope covers token i, -1 for none,
	// or outside for a sentence negated as a whole ("A refund? Dream on.").
	neg []int
	// clause[i] numbers the clause token i belongs to.
	clause []int
	// asked[c], hedged[c] and promised[c] describe clause c.
	asked, hedged, promised, offered []bool
}

// outside marks a token negated from outside any phrase that could match it.
const outside = -2

// unpunctuated reports whether text has no punctuation to read it by: a recognizer's.
func unpunctuated(text string) bool { return !strings.ContainsAny(text, ".?!,;") }

// readSentences splits text into sentences and reads each one's clauses and negations.
func readSentences(text string) []sentence {
	var out []sentence
	bare := unpunctuated(text)
	for _, raw := range splitSentences(text) {
		s := readSentence(raw.text, raw.asked)
		if len(s.toks) == 0 {
			continue
		}
		if bare {
			boundScopes(s.neg)
		}
		out = append(out, s)
	}
	negatePostTriggers(out)
	return out
}

type rawSentence struct {
	text  string
	asked bool // ended with a question mark
}

func splitSentences(text string) []rawSentence {
	var out []rawSentence
	start := 0
	for i, r := range text {
		switch r {
		case '.', '?', '!', ';':
			out = append(out, rawSentence{text[start:i], r == '?'})
			start = i + 1
		}
	}
	return append(out, rawSentence{text: text[start:]})
}

// readSentence tokenizes one sentence, cutting it into clauses.
func readSentence(text string, asked bool) sentence {
	var s sentence
	c := 0
	var commaAt []bool // commaAt[c]: clause c begins right after a comma
	for piece := range strings.SplitSeq(text, ",") {
		toks := Tokenize(piece)
		if len(toks) == 0 {
			continue
		}
		if len(s.toks) > 0 {
			c++ // a comma ends a clause
		}
		commaAt = append(commaAt, len(s.toks) > 0)
		for i, t := range toks {
			if i > 0 && startsClause(toks, i) {
				c++
				commaAt = append(commaAt, false)
			}
			s.toks = append(s.toks, t)
			s.clause = append(s.clause, c)
		}
	}
	n := c + 1
	if len(s.toks) == 0 {
		return s
	}
	s.asked, s.hedged, s.promised, s.offered = make([]bool, n), make([]bool, n), make([]bool, n), make([]bool, n)
	for c := range n {
		from, to := s.span(c)
		toks := s.toks[from:to]
		s.asked[c] = isAsked(toks, commaAt[c]) || asked && c == n-1
		s.hedged[c] = hasAny(toks, hedges)
		s.offered[c] = s.asked[c] && isOffer(toks)
		s.promised[c] = hasAny(toks, commitMarkers) || yesDoing(toks)
		if c > 0 && (toks[0] == "and" || toks[0] == "then") {
			// "can I go ahead and refund that": the offer carries over.
			s.offered[c] = s.offered[c] || s.offered[c-1]
			s.promised[c] = s.promised[c] || s.promised[c-1] || s.offered[c-1]
		}
	}
	s.neg = negationScopes(s.toks, s.clause)
	return s
}

// span returns the token range of clause c.
func (s *sentence) span(c int) (from, to int) {
	from = slices.Index(s.clause, c)
	if from < 0 {
		return 0, 0
	}
	to = from
	for to < len(s.clause) && s.clause[to] == c {
		to++
	}
	return from, to
}

// conjunctions end a clause: the words after them are a new statement.
var conjunctions = map[string]bool{"and": true, "but": true, "so": true, "because": true, "cause": true,
	"however": true, "although": true, "though": true, "yet": true, "then": true, "or": true,
	"while": true, "whereas": true, "otherwise": true}

// startsClause reports whether toks[i] starts a new clause: a conjunction, "I"/"we", or a
// pronoun followed by its verb, as the subject of a new statement (not after an auxiliary,
// as in "can I", nor after a word that takes a clause, as in "the reason I").
func startsClause(toks []string, i int) bool {
	t, prev := toks[i], toks[i-1]
	if conjunctions[t] {
		return true
	}
	// With no punctuation (a recognizer's text), a question word or an interjection after a
	// complete phrase starts something new: "all that way for nothing sorry about that
	// what's your name" is three clauses, and "nothing" negates none of the later two.
	if (questionWords[t] || interjections[t]) && !auxiliaries[prev] && !conjunctions[prev] && !prepositions[prev] &&
		!intensifiers[prev] && prev != "not" && prev != "never" && prev != "no" && prev != "i" && prev != "we" &&
		(prev == "that" || !clauseTakers[prev] && (apologyWords[t] || !pronouns[prev])) {
		return true
	}
	// "... it won't show your numbers are you free friday": an auxiliary before "you" or
	// "we" after a complete phrase opens a question, and the negation before it stays behind.
	if auxiliaries[t] && i+1 < len(toks) && (toks[i+1] == "you" || toks[i+1] == "we") &&
		!auxiliaries[prev] && !modals[prev] && !questionWords[prev] && !conjunctions[prev] && !clauseTakers[prev] &&
		!pronouns[prev] && !prepositions[prev] && !discourse[prev] && prev != "i" && prev != "we" && prev != "not" &&
		prev != "never" && prev != "why" {
		return true
	}
	// "... no excuses for that i'm sorry": "that" after a preposition is the end of a
	// phrase, not the start of a clause.
	objectThat := prev == "that" && i >= 2 && prepositions[toks[i-2]]
	// "who pays that / we do i'm refunding it", "... and then nobody did that's on me": a
	// subject and an auxiliary alone end a clause, and the statement after them starts another.
	opens := t == "i" || t == "we" || pronouns[t] && i+1 < len(toks) && (auxiliaries[toks[i+1]] || modals[toks[i+1]])
	if opens && auxiliaries[prev] && i >= 2 && answerers[toks[i-2]] && (i == 2 || !auxiliaries[toks[i-3]]) {
		return true
	}
	// "no okay that covers it": a "no" that answers "anything else?" is a word of its own.
	if i == 1 && prev == "no" && answerWords[t] {
		return true
	}
	if auxiliaries[prev] || conjunctions[prev] || clauseTakers[prev] && !objectThat || openStarts[prev] {
		return false
	}
	if t == "i" || t == "we" {
		return true
	}

	// "... nobody called you back that is our mistake": a subject with its verb.
	return pronouns[t] && i+1 < len(toks) && (auxiliaries[toks[i+1]] || modals[toks[i+1]])
}

// answerers can answer with an auxiliary alone: "we do", "I will", "they have".
var answerers = map[string]bool{"i": true, "we": true, "you": true, "they": true, "he": true, "she": true,
	"nobody": true, "somebody": true, "someone": true, "everyone": true, "everybody": true}

// answerWords after an opening "no" start the answer's next clause ("no, okay, that's it").
var answerWords = map[string]bool{"okay": true, "ok": true, "alright": true, "that": true, "i": true}

var (
	questionWords = map[string]bool{"what": true, "when": true, "where": true, "who": true, "which": true, "how": true}
	interjections = map[string]bool{"sorry": true, "thanks": true, "okay": true, "ok": true, "alright": true, "anyway": true}
	// apologyWords start a clause after a pronoun too ("a wasted trip for you sorry about
	// that"), where "okay" does not ("is it okay").
	apologyWords = map[string]bool{"sorry": true, "thanks": true}
	intensifiers = map[string]bool{"so": true, "very": true, "really": true, "truly": true, "terribly": true,
		"too": true, "be": true, "feel": true, "felt": true, "am": true, "is": true, "are": true, "was": true}
	prepositions = map[string]bool{"of": true, "to": true, "for": true, "about": true, "on": true, "in": true,
		"at": true, "from": true, "with": true, "by": true, "into": true, "over": true, "is": true, "was": true}
	pronouns = map[string]bool{"it": true, "that": true, "this": true, "there": true, "they": true,
		"he": true, "she": true, "you": true}
	modals = map[string]bool{"had": true, "might": true, "must": true, "am": true}
)

// clauseTakers are words after which "I"/"we" continues the same clause.
var clauseTakers = map[string]bool{"that": true, "reason": true, "what": true, "if": true, "when": true,
	"than": true, "as": true, "until": true, "before": true, "after": true, "where": true, "how": true,
	"think": true, "guess": true, "hope": true, "know": true, "sure": true, "believe": true, "wish": true,
	"whether": true, "unless": true, "once": true, "soon": true, "let": true, "say": true, "said": true,
	"saying": true, "mean": true, "suggest": true, "suggesting": true, "claim": true, "thought": true,
	"wonder": true, "ask": true, "asked": true, "tell": true, "told": true, "see": true, "check": true,
	"explain": true, "understand": true, "remember": true, "matter": true, "decide": true, "show": true}

// isAsked reports whether a clause asks something: it opens with a question word or an
// auxiliary and a subject (after discourse words), or holds an unmistakable question form.
// afterComma says the clause began at a comma (see relativeWhich).
func isAsked(toks []string, afterComma bool) bool {
	for i := range toks {
		if i == 0 && relativeWhich(toks, afterComma) {
			continue
		}
		if questionAt(toks, i, i == 0 || discourse[toks[i-1]]) != 0 {
			return true
		}
	}
	return false
}

// isOffer reports whether an asked clause offers to act ("can I refund that for you?",
// "shall we book Thursday?"): the learner proposes to do it, the other side only agrees.
func isOffer(toks []string) bool {
	for i := 0; i+1 < len(toks); i++ {
		if offerAux[toks[i]] && (toks[i+1] == "i" || toks[i+1] == "we") {
			return true
		}
	}
	return false
}

var offerAux = map[string]bool{"can": true, "could": true, "shall": true, "should": true, "may": true}

// hedges make a clause conditional or tentative: not a commitment.
var hedges = [][]string{{"if"}, {"maybe"}, {"might"}, {"perhaps"}, {"possibly"}, {"hopefully"},
	{"unless"}, {"try", "to"}, {"could", "be"}, {"would", "you", "like"}, {"do", "you", "want"},
	{"want", "me", "to"}, {"not", "sure"}, {"i", "think"}, {"i", "guess"}, {"in", "theory"}, {"supposed", "to"}}

// commitMarkers make a clause a commitment: someone (I, we, the system) does or has done it.
var commitMarkers = [][]string{{"i"}, {"we"}, {"let", "me"}, {"let", "us"}, {"lets"}, {"will"},
	{"going", "to"}, {"have"}, {"has"}, {"been"}, {"already"}, {"just"}, {"done"}, {"now"},
	{"today"}, {"processed"}, {"on", "its", "way"}, {"is", "booked"}, {"are", "booked"}, {"your", "booked"}, {"all", "booked"},
	{"you", "booked", "in"},
	// The deed stated as done: "that's the duplicate reversed", "it's gone back".
	{"reversed"}, {"refunded"}, {"cancelled"}, {"credited"}, {"gone", "back"}}

// yesDoing reports whether a clause agrees and names the deed under way, its "I'm" left
// unsaid: "yes, refunding the second one now", "sure, cancelling that for you".
func yesDoing(toks []string) bool {
	if len(toks) < 2 || !fillerYes[toks[0]] {
		return false
	}
	v := toks[1]
	return len(v) > 5 && strings.HasSuffix(v, "ing") && v != "nothing" && v != "something" && v != "everything"
}

func hasAny(toks []string, seqs [][]string) bool {
	for i := range toks {
		for _, s := range seqs {
			if hasPrefix(toks[i:], s) {
				return true
			}
		}
	}
	return false
}

// Negation follows NegEx (Chapman et al., 2001): a trigger negates what follows it in its
// clause; pseudo-triggers look like negations and are not; post-triggers negate what came
// before them.
var (
	negationTriggers = map[string]bool{"not": true, "no": true, "never": true, "cannot": true,
		"nothing": true, "nobody": true, "none": true, "neither": true, "nor": true, "without": true,
		"refuse": true, "refused": true, "unable": true, "hardly": true, "nope": true}
	pseudoTriggers = [][]string{{"no", "problem"}, {"no", "worries"}, {"no", "wonder"}, {"not", "only"},
		{"not", "just"}, {"no", "doubt"}, {"not", "a", "problem"}, {"no", "trouble"}, {"never", "mind"},
		{"no", "matter"}, {"cannot", "believe"}, {"can", "not", "believe"}, {"could", "not", "believe"},
		{"not", "blame"}, {"not", "surprised"}, {"not", "at", "all"}, {"why", "not"}, {"if", "not"},
		{"or", "not"}, {"oh", "no"}, {"not", "to", "worry"}, {"no", "that", "is", "it"}, {"do", "not", "worry"}, {"no", "hassle"},
		{"yeah", "no"}, {"yes", "no"}} // "yeah no, fair play": a yes, in many an English
	postTriggers = [][]string{{"dream", "on"}, {"not", "going", "to", "happen"}, {"not", "happening"},
		{"no", "chance"}, {"no", "way"}, {"not", "a", "chance"}, {"yeah", "right"}, {"as", "if"},
		{"in", "your", "dreams"}, {"fat", "chance"}, {"good", "luck", "with", "that"}, {"forget", "it"},
		{"off", "the", "table"}, {"out", "of", "the", "question"}, {"nope"}}
)

// negationScopes returns, per token, the trigger that negates it (-1 for none): from a
// trigger to the end of its clause. A post-trigger inside a clause negates the clause's
// words before it.
func negationScopes(toks []string, clause []int) []int {
	neg := make([]int, len(toks))
	for i := range neg {
		neg[i] = -1
	}
	for i := 0; i < len(toks); i++ {
		if n := prefixLen(toks[i:], postTriggers); n > 0 && i > 0 {
			for j := i - 1; j >= 0 && clause[j] == clause[i]; j-- {
				neg[j] = outside
			}
		}
		if !negationTriggers[toks[i]] {
			continue
		}
		if toks[i] == "no" && i+1 < len(toks) && (isCount(toks[i+1]) || determiners[toks[i+1]] || callsToListen[toks[i+1]]) {
			// "oh no, forty minutes in a taxi" heard without its "oh": a "no" before a count
			// is an exclamation ("no one" is a negation, and "one" is not a count here). So
			// is one before a determiner, which the quantifier "no" would take the place of
			// ("no, the wasted trip, that's rotten", "no, my mistake"), or before a call to
			// listen ("no, listen, that story with the rent, I get that").
			continue
		}
		if n := prefixLen(toks[i:], pseudoTriggers); n > 0 || pseudoBefore(toks, i) {
			i += max(n, 1) - 1
			continue
		}
		for j := i + 1; j < len(toks) && clause[j] == clause[i]; j++ {
			if neg[j] == -1 {
				neg[j] = i
			}
		}
	}
	// "I don't need to know how many calls you get or what they cost you": a negation
	// carries over "or" and "nor" into the clause they open.
	for j := 1; j < len(toks); j++ {
		if (toks[j] == "or" || toks[j] == "nor") && clause[j] != clause[j-1] && neg[j-1] >= 0 {
			for k := j; k < len(toks) && clause[k] == clause[j]; k++ {
				if neg[k] == -1 {
					neg[k] = neg[j-1]
				}
			}
		}
	}
	return neg
}

// determiners cannot follow the quantifier "no" ("no the trip" is not English).
var determiners = map[string]bool{"the": true, "a": true, "an": true, "this": true, "these": true, "those": true,
	"my": true, "your": true, "our": true, "his": true, "her": true, "their": true}

// callsToListen are words a speaker opens with after an exclaimed "no": "no, listen", "no,
// honestly".
var callsToListen = map[string]bool{"listen": true, "look": true, "wait": true, "honestly": true, "seriously": true}

// isCount reports whether tok is a number word from two up.
func isCount(tok string) bool {
	return slices.Contains(ones[2:], tok) || slices.Contains(tens[2:], tok) || tok == "hundred"
}

// bareScope bounds a negation's reach in a recognizer's text, which has no punctuation to end
// it (NegEx's word window): in "the second charge should never have gone through on your card
// this morning refunding it now" the refund is not negated.
const bareScope = 7

// boundScopes cuts every negation scope in neg to bareScope tokens after its trigger.
func boundScopes(neg []int) {
	for j, g := range neg {
		if g >= 0 && j-g > bareScope {
			neg[j] = -1
		}
	}
}

// pseudoBefore reports whether the trigger at i ends a pseudo-trigger ("why not", "or not").
func pseudoBefore(toks []string, i int) bool {
	for _, p := range pseudoTriggers {
		if k := i - len(p) + 1; k >= 0 && k < i && slices.Equal(toks[k:i+1], p) {
			return true
		}
	}
	return false
}

func prefixLen(toks []string, seqs [][]string) int {
	for _, s := range seqs {
		if hasPrefix(toks, s) {
			return len(s)
		}
	}
	return 0
}

// negatePostTriggers negates a whole sentence answered by a post-trigger sentence: "A
// refund? Dream on."
func negatePostTriggers(ss []sentence) {
	for k := 1; k < len(ss); k++ {
		if prefixLen(ss[k].toks, postTriggers) == 0 {
			continue
		}
		for i := range ss[k-1].neg {
			ss[k-1].neg[i] = outside
		}
	}
}

// methodCues are a trainer's names for techniques, said to the customer instead of done: a
// learner narrating the checklist ("permission based opener", "now I'm acknowledging",
// "next open question", "quantifying the pain", "an empathy statement").
var methodCues = [][]string{{"open", "question"}, {"closed", "question"}, {"permission", "based"},
	{"quantifying"}, {"acknowledging"}, {"empathy", "statement"}, {"ownership", "statement"},
	{"active", "listening"}, {"tying", "the", "offer"}, {"closing", "for", "a"}, {"rapport", "building"}}

// sarcasmCues mark a turn that says nice words and means the opposite.
var sarcasmCues = [][]string{{"what", "a", "tragedy"}, {"boo", "hoo"}, {"cry", "me", "a", "river"},
	{"like", "i", "care"}, {"yeah", "right"}, {"big", "deal"}, {"my", "heart", "bleeds"},
	{"poor", "you"}, {"get", "over", "it"}, {"dream", "on"}, {"as", "if"}, {"whatever", "you", "say"},
	{"oh", "boo"}, {"so", "sad"}, {"who", "cares"}, {"in", "your", "dreams"}, {"world", "ending"}}
