package scenario

import "strings"

// Question detection works on recognized text, which has no punctuation: a question is a
// clause that starts (at the start of a line, after punctuation, or after a discourse word
// such as "and", "so", "okay") with a question word (open) or with an auxiliary verb followed
// by a subject (closed). A "?" in the text also ends a clause.
var (
	openStarts = map[string]bool{"what": true, "how": true, "why": true, "when": true, "where": true, "which": true, "who": true}
	// openLeads are open questions phrased as requests or as wondering aloud ("I'm curious
	// how your customers find out").
	openLeads = [][]string{{"tell", "me"}, {"walk", "me", "through"}, {"help", "me", "understand"}, {"talk", "me", "through"},
		{"i", "am", "curious"}, {"i", "wonder"}, {"i", "would", "love", "to", "know"}, {"i", "would", "like", "to", "know"},
		{"i", "would", "like", "to", "understand"}}
	auxiliaries = map[string]bool{"is": true, "are": true, "do": true, "does": true, "did": true, "can": true, "could": true, "would": true, "will": true, "have": true, "has": true, "may": true, "should": true, "shall": true, "was": true, "were": true}
	subjects    = map[string]bool{"you": true, "your": true, "i": true, "we": true, "it": true, "that": true, "this": true, "there": true, "they": true, "he": true, "she": true, "now": true, "the": true, "anything": true, "tomorrow": true}
	discourse   = map[string]bool{"and": true, "so": true, "but": true, "okay": true, "ok": true, "right": true, "now": true, "then": true, "well": true, "also": true, "great": true, "perfect": true, "sure": true, "alright": true, "um": true, "uh": true, "yes": true, "yeah": true, "no": true, "hi": true, "hello": true, "hey": true, "oh": true}
	// notQuestion follows a question word in a statement: "what i can do is", "how it works is".
	notQuestion = map[string]bool{"i": true, "we": true, "it": true, "this": true}
)

// CountQuestions returns the open and closed questions in one learner line. A comma also
// ends a clause (written text has them; recognizers give none), and asking leave to ask
// ("can I ask, though, how does that...") is not a question of its own: the one it
// introduces is.
func CountQuestions(text string) (open, closed int) {
	afterComma := false
	for text != "" {
		clause, delim := text, byte(0)
		if i := strings.IndexAny(text, "?.!;,"); i >= 0 {
			clause, delim, text = text[:i], text[i], text[i+1:]
		} else {
			text = ""
		}
		o, c := countClause(Tokenize(clause), afterComma)
		open, closed = open+o, closed+c
		afterComma = delim == ','
	}
	return open, closed
}

// relativeWhich reports whether a clause that began at a comma opens with "which": a
// relative clause ("we've an office in Leeds, which is great", "I've refunded it, which
// means you'll see it Friday"), not a question.
func relativeWhich(toks []string, afterComma bool) bool {
	return afterComma && len(toks) > 0 && toks[0] == "which"
}

// countClause counts the questions of one clause (afterComma: see relativeWhich).
func countClause(toks []string, afterComma bool) (open, closed int) {
	prevQuestion, asked := -10, -1
	for i := range toks {
		if i == 0 && relativeWhich(toks, afterComma) {
			continue
		}
		if i-prevQuestion < 3 || i < asked {
			continue // "so what do you" is one question
		}
		start := i == 0 || discourse[toks[i-1]] || i == asked
		if n := askLeave(toks[i:]); n > 0 && start {
			asked = i + n // the question it asks leave for starts after it
			continue
		}
		switch questionAt(toks, i, start) {
		case 1:
			open++
			prevQuestion = i
		case 2:
			closed++
			prevQuestion = i
		}
	}
	return open, closed
}

// askLeave returns how many words of toks ask leave to ask a question ("can i ask you", "may
// i ask"), or 0.
func askLeave(toks []string) int {
	if len(toks) < 3 || (toks[0] != "can" && toks[0] != "could" && toks[0] != "may") || toks[1] != "i" || toks[2] != "ask" {
		return 0
	}
	if len(toks) > 3 && toks[3] == "you" {
		return 4
	}
	return 3
}

// questionAt classifies the words from toks[i]: 0 no question, 1 open, 2 closed. At a
// clause start a question word or an auxiliary with any subject opens a question; inside a
// clause only the unmistakable forms count ("... what do you", "... can i"). A practical
// question ("what's the best email?", "how about Wednesday at two?") is closed.
func questionAt(toks []string, i int, clauseStart bool) int {
	k := questionKind(toks, i, clauseStart)
	if k == 1 && practical(toks[i:]) {
		return 2
	}
	return k
}

// practical reports whether the question at toks[0] asks how the other side is, for a
// contact detail or about a slot ("how are you doing today", "what's the best email", "how
// about Wednesday", "what time works", "when are you free"): a question, but not one that
// explores the other side's situation.
func practical(toks []string) bool {
	if len(toks) < 2 || !openStarts[toks[0]] {
		return false
	}
	if toks[0] == "how" && smallTalk(toks[1:]) {
		return true
	}
	if slotWords[toks[1]] && (len(toks) == 2 || toks[2] != "of") || days[toks[1]] || len(toks) > 2 && (toks[1] == "is" || toks[1] == "does") && days[toks[2]] {
		return true // "how about", "what time", "which day" (not "what time of day"), "how is tuesday at ten"
	}
	for k := 2; k < min(len(toks), 5); k++ {
		if slotNouns[toks[k]] && slotQualifiers[toks[k-1]] {
			return true // "what's a good week for you", "what's the best time to call"
		}
	}
	if toks[0] == "when" {
		for _, t := range toks[1:min(len(toks), 5)] {
			if t == "free" || t == "available" || t == "suits" || t == "works" || t == "good" {
				return true // "when are you free", "when suits you", "when is good"
			}
		}
	}
	for k := 1; k < min(len(toks), 7); k++ {
		if contactWords[toks[k]] && (k+1 == len(toks) || toks[k+1] != "of" && toks[k+1] != "one") {
			return true // "what is the best email", "what's a good number to reach you on"
		}
	}
	return false
}

// smallTalk reports whether the words after "how" only ask after the other side ("are you
// doing today", "is it going", "yall doin"): a greeting. "how are you handling those
// calls" asks something.
func smallTalk(toks []string) bool {
	if len(toks) == 0 || len(toks) > 5 {
		return false
	}
	for _, t := range toks {
		if !greetingWords[t] {
			return false
		}
	}
	return true
}

var (
	greetingWords = map[string]bool{"are": true, "is": true, "you": true, "yall": true, "ya": true, "it": true,
		"going": true, "doing": true, "doin": true, "today": true, "things": true, "your": true, "day": true,
		"been": true, "have": true, "keeping": true, "everything": true, "the": true, "week": true,
		"morning": true, "afternoon": true, "treating": true, "life": true}
	slotWords = map[string]bool{"about": true, "bout": true, "time": true, "times": true, "day": true,
		"days": true, "date": true}
	days = map[string]bool{"monday": true, "tuesday": true, "wednesday": true, "thursday": true, "friday": true,
		"saturday": true, "sunday": true, "tomorrow": true, "mondays": true, "tuesdays": true, "wednesdays": true,
		"thursdays": true, "fridays": true}
	slotNouns = map[string]bool{"time": true, "day": true, "week": true, "date": true, "slot": true,
		"morning": true, "afternoon": true, "moment": true}
	slotQualifiers = map[string]bool{"good": true, "best": true, "convenient": true, "better": true,
		"free": true, "quiet": true, "suitable": true}
	contactWords = map[string]bool{"email": true, "address": true, "number": true, "mobile": true,
		"cell": true, "extension": true, "inbox": true}
)

func questionKind(toks []string, i int, clauseStart bool) int {
	t, next := toks[i], ""
	if i+1 < len(toks) {
		next = toks[i+1]
	}
	if openStarts[t] && hedgeAdverbs[next] && i+2 < len(toks) {
		next = toks[i+2] // "what actually happens", "how exactly does it"
	}
	for _, lead := range openLeads {
		if clauseStart && hasPrefix(toks[i:], lead) {
			return 1
		}
	}
	switch {
	case t == "when" && clauseStart && !auxiliaries[next]:
		return 0 // "when a customer rings, what happens?": the question is what follows
	case openStarts[t] && clauseStart && next != "" && !notQuestion[next]:
		return 1
	case openStarts[t] && (auxiliaries[next] || next == "happened" || next == "happens") && !reported[prev(toks, i)]:
		return 1
	case openStarts[t] && auxiliaries[next] && i+2 < len(toks) && askedSubjects[toks[i+2]]:
		// "when a customer wants to know where their stuff is what do they do": a question
		// word, an auxiliary and its subject ask, whatever came before.
		return 1
	case auxiliaries[t] && clauseStart && subjects[next]:
		return 2
	case auxiliaries[t] && personal[next] && !openStarts[prev(toks, i)] && !(t == "is" && pointers[prev(toks, i)]):
		return 2
	}
	return 0
}

// hedgeAdverbs may sit between a question word and its verb: "what actually happens".
var hedgeAdverbs = map[string]bool{"actually": true, "really": true, "exactly": true, "usually": true,
	"normally": true, "typically": true, "generally": true}

// reported words before a question word make it part of a statement: "i can see what
// happened", "that is what happened"; so does a preposition, whose object it begins
// ("buried in where's-my-load calls", which the tokenizer reads as "in where is my load").
var reported = map[string]bool{"see": true, "know": true, "tell": true, "mean": true, "understand": true,
	"wonder": true, "ask": true, "is": true, "was": true, "hear": true, "show": true, "explain": true,
	"sure": true, "about": true, "exactly": true, "saw": true, "heard": true, "asked": true,
	"through": true, "in": true, "of": true, "with": true, "for": true, "from": true, "into": true}

// askedSubjects follow a question word and its auxiliary in a question only.
var askedSubjects = map[string]bool{"you": true, "they": true, "we": true, "he": true, "she": true, "that": true, "your": true}

// personal subjects make an auxiliary a question anywhere: "do you", "can i", "could we".
var personal = map[string]bool{"you": true, "your": true, "i": true, "we": true}

// pointers before "is" are its subject, so it is not inverted: "that's you booked in with
// Doctor Patel", "it's you I need to thank". (Before another auxiliary, in a recognizer's
// unpunctuated line, one may end a sentence: "...milk it can i ask what made you".)
var pointers = map[string]bool{"that": true, "it": true, "this": true}

func prev(toks []string, i int) string {
	if i == 0 {
		return ""
	}
	return toks[i-1]
}

func hasPrefix(toks, lead []string) bool {
	if len(toks) < len(lead) {
		return false
	}
	for i, w := range lead {
		if toks[i] != w {
			return false
		}
	}
	return true
}

// practicalClause reports whether the question in a clause is practical: its first question
// word starts one (see practical).
func practicalClause(toks []string) bool {
	for i, t := range toks {
		if openStarts[t] {
			return practical(toks[i:])
		}
	}
	return false
}
