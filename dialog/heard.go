package dialog

import (
	"slices"
	"strings"
)

// spoken is one persona sentence placed in the turn's audio, in samples from the turn's start.
type spoken struct {
	text       string
	start, end int64
	open       bool // still being synthesized: end is an estimate
}

// heardText returns what a listener heard of sentences when played samples of the turn's
// audio reached the far end, and whether that cut a sentence short. A partly played sentence
// keeps the share of its words that matches the share of its audio that was played.
func heardText(sentences []spoken, played int64) (string, bool) {
	var b strings.Builder
	truncated := false
	for _, s := range sentences {
		if played <= s.start {
			truncated = true
			break
		}
		text := s.text
		if played < s.end {
			words := strings.Fields(s.text)
			n := int(int64(len(words)) * (played - s.start) / (s.end - s.start))
			text = strings.Join(words[:n], " ")
			truncated = true
		}
		if text == "" {
			break
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(text)
		if truncated {
			break
		}
	}
	return b.String(), truncated
}

// isBackchannel reports whether text is only short acknowledgements such as "okay" or
// "right", which never interrupt the persona.
func isBackchannel(text string, backchannels []string) bool {
	t := normalize(text)
	if t == "" {
		return false
	}
	for t != "" {
		matched := false
		for _, bc := range backchannels {
			bc = normalize(bc)
			if bc != "" && (t == bc || strings.HasPrefix(t, bc+" ")) {
				t = strings.TrimSpace(t[len(bc):])
				matched = true
				break
			}
		}
		if !matched {
			return false
		}
	}
	return true
}

// containsPhrase reports whether text contains phrase as whole words.
func containsPhrase(text, phrase string) bool {
	p := normalize(phrase)
	return p != "" && strings.Contains(" "+normalize(text)+" ", " "+p+" ")
}

// normalize lowercases text and keeps letters, digits, apostrophes and single spaces.
func normalize(s string) string {
	var b strings.Builder
	space := true
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '\'':
			b.WriteRune(r)
			space = false
		case !space:
			b.WriteByte(' ')
			space = true
		}
	}
	return strings.TrimSpace(b.String())
}

// endsThought reports how a transcript ends: +1 when it reads as a finished sentence, -1
// when it trails off on a conjunction, subordinator, filler, preposition, title, copula, a
// verb left without its object or a letter spelled out (the learner is still thinking or
// about to name something), 0 otherwise.
func endsThought(text string) int {
	t := strings.TrimSpace(text)
	if t == "" {
		return 0
	}
	words := strings.Fields(normalize(t))
	if len(words) == 0 {
		return 0
	}
	last, prev := words[len(words)-1], ""
	if len(words) > 1 {
		prev = words[len(words)-2]
	}
	switch last {
	case "dr", "mr", "mrs", "ms": // "Dr." ends in a full stop and goes on with a name
		return -1
	}
	if len(last) == 1 && last != "a" && last != "i" && last[0] >= 'a' && last[0] <= 'z' {
		return -1 // spelling or a reference, a letter at a time: "so that's K... A, R, E, N"
	}
	if strings.HasSuffix(t, ".") || strings.HasSuffix(t, "?") || strings.HasSuffix(t, "!") {
		return 1
	}
	if openClause(words) {
		return -1
	}
	if questionTag(words) || passiveParticle(words) {
		return 0
	}
	switch last {
	case "to", "of", "for", "with", "at", "from", "about", "into", "than", "as", "without", "between",
		"past", "near", "behind", "opposite", "beside", "towards", "toward", "via", "including",
		"during", "within", "across":
		if strandedPreposition(words) {
			return 0
		}
		return -1
	case "by": // "back in your account by... Thursday"; not "stand by", "pop by", "good by(e)"
		switch prev {
		case "stand", "standing", "drop", "pop", "come", "swing", "stop", "get", "go", "pass",
			"good", "okay", "ok", "thanks", "right", "alright": // the last six: "bye" heard as "by"
			return 0
		}
		return -1
	case "on", "in": // "booked with Dr Patel on", "the card ending in"; not "hold on", "booked in"
		if particleVerbs[prev] || last == "in" && inParticles[prev] || strandedPreposition(words) {
			return 0
		}
		return -1
	case "not": // "that's not... what we want"; not "I hope not", "of course not"
		switch prev {
		case "hope", "why", "course", "certainly", "probably", "definitely", "absolutely", "maybe",
			"perhaps", "or", "guess", "think", "believe", "afraid", "if", "suppose", "apparently",
			"evidently", "obviously", "clearly", "sadly", "unfortunately", "hopefully":
			return 0
		}
		if len(words) > 2 && isPronoun(prev) && tagAuxiliaries[words[len(words)-3]] {
			return 0 // a tag: "that's a bit painful, is it not"
		}
		return -1
	case "is", "are", "was", "were": // "the next slot is", "what I'll do is"; not "where it is"
		// "it really is" and "we know where the trucks are" end there too.
		if isPronoun(prev) || len(words) > 2 && verbAdverbs[prev] && isPronoun(words[len(words)-3]) ||
			embeddedWh(words) {
			return 0
		}
		return -1
	case "me":
		if prev == "let" { // "let me... check"
			return -1
		}
	case "doctor": // "with doctor... Patel", not "you should see a doctor"
		if determiners[prev] {
			return 0
		}
		return -1
	case "then": // "and then...", "if it's Friday, then..."; not "see you Friday then", "okay then"
		if opensConsequent(words) {
			return -1
		}
		return 0
	case "so": // "so... the refund"; not "twenty minutes or so", "I think so"
		switch prev {
		case "or", "think", "hope", "afraid", "guess", "believe", "suppose", "said", "saying":
			return 0
		}
		return -1
	case "like": // "it's like...", "something like..."; not the tag in "five working days, like"
		// nor "what does your calendar look like"
		if likeOpens[prev] && !slices.Contains(words[max(0, len(words)-8):len(words)-2], "what") {
			return -1
		}
		return 0
	case "really": // "it's really... good", "we really..."; not "Doctor Patel, really", "not really"
		if reallyOpens[prev] && !(prev == "you" && slices.Contains(words, "thank")) {
			return -1
		}
		return 0
	case "before": // "a form before... you see the GP"; not "I've told you before", "the day before"
		if adverbialBefore[prev] {
			return 0
		}
		return -1
	case "until", "unless", "although", "whereas", "whether":
		return -1
	case "bring", "put", "send", "give", "grab", "fetch": // "while I bring... your details up"
		return -1
	case "need", "needs", "want", "wants": // "we just need... a photo ID"; not "if you need", "all I need"
		if wantsObject(words) {
			return -1
		}
	case "and", "but", "or", "because", "um", "uh", "er", "erm", "if", "the", "a",
		"an", "my", "your", "our", "i", "i'm", "we", "when", "which", "just", "very":
		return -1
	case "you", "they", "he", "she":
		// A clause opened and left with its subject alone: "...when you", "so that they";
		// not "thank you", "see you", "I'll call you".
		if (subordinators[prev] || whWords[prev]) && !(prev == "after" && lookVerbs[words[max(0, len(words)-3)]]) {
			return -1 // not "look after you"
		}
		if last == "you" {
			return 1
		}
	case "thanks", "it", "that", "today", "now", "help", "please", "right", "okay":
		return 1
	}
	return 0
}

// wantsObject reports whether words, ending in "need" or "want", leave the verb waiting for
// its object: after a subject other than "you", maybe with a modal or an adverb between ("we
// just need", "do that, we just need", "I'll need"), unless what opens the clause before the
// subject is its object or a subordinator ("that's all I need", "whatever we need",
// "anything else we need", "if we need").
func wantsObject(words []string) bool {
	j := len(words) - 2
	for j >= 0 && (verbAdverbs[words[j]] || words[j] == "will" || words[j] == "would") {
		j--
	}
	if j < 0 {
		return false
	}
	switch words[j] {
	case "i", "we", "they", "i'll", "we'll", "they'll", "i'd", "we'd", "they'd":
	default:
		return false
	}
	if j == 0 {
		return true
	}
	switch w := words[j-1]; w {
	case "all", "whatever", "else", "where", "when", "whenever", "if", "once", "unless", "until",
		"because", "before", "after", "while":
		return false
	default:
		return !whWords[w] && !indefinites[w]
	}
}

// openClause reports whether words end in a clause opened and left before its verb: a wh
// word and a noun phrase ("do you know what the charge"), or a relative clause's subject
// after its noun ("could you read me the date it", "the person you").
func openClause(words []string) bool {
	n := len(words)
	if n < 3 {
		return false
	}
	last := words[n-1]
	if whWords[words[n-3]] && determiners[words[n-2]] && !copulas[last] &&
		!(words[n-3] == "what" && (words[n-2] == "a" || words[n-2] == "an")) { // not "what a mess"
		return true
	}
	// Not after "that" or "this", which stand alone as often: "that suits you".
	d := words[n-3]
	return (subjects[last] || last == "it") && determiners[d] && d != "that" && d != "this" &&
		!determiners[words[n-2]] && !isPronoun(words[n-2])
}

// opensConsequent reports whether words, ending in "then", end where the next clause begins:
// after a conjunction ("and then"), alone, or after a clause opened by "if", "when" or "once"
// among the words before ("if that slot's gone then"). Elsewhere "then" closes a sentence:
// "see you Friday then", "right then", "until then".
func opensConsequent(words []string) bool {
	n := len(words)
	if n < 2 {
		return true
	}
	switch prev := words[n-2]; prev {
	case "and", "so", "but", "or", "because":
		return true
	default:
		if isFiller(prev) {
			return true
		}
	}
	for i := n - 2; i >= 0 && i >= n-9; i-- {
		switch words[i] {
		case "if", "when", "once":
			return true
		}
	}
	return false
}

// strandedPreposition reports whether words, ending in a preposition, end a relative or wh
// clause whose preposition has its object before it: "the payment which I never agreed to",
// "what are you calling about", "the card you were charged on". The clause opens with which,
// who, whom or what and a subject (or an auxiliary and a subject), or with a subject right
// after "one" or a noun phrase ("the card you"); nothing after it is "is", "and" or "but";
// and the word before "to" is not one that takes an infinitive ("which I wanted to" trails
// off). "That" does not open one: "I told them that I would pay for" goes on as often as it
// ends.
func strandedPreposition(words []string) bool {
	words = expandWh(words)
	n := len(words)
	if n < 3 || words[n-1] == "to" && takesInfinitive[words[n-2]] {
		return false
	}
	from := n - 3
	if strings.Contains(words[n-2], "'") { // "the plan you're on": subject and verb in one word
		from = n - 2
	}
	for i := from; i >= 0 && i >= n-9; i-- {
		switch w := words[i]; {
		case whWords[w]:
			j := i + 1
			switch {
			case words[j] == "one" && j+1 < n-1: // "which one are you..."
				j++
			case determiners[words[j]] && j+2 < n-1: // "what the charge is for"
				return true
			case j+2 < n-1 && auxiliaries[words[j+1]] && isPronoun(words[j+2]): // "which card would you..."
				j++
			case j+2 == n-1 && !isPronoun(words[j]) && copulas[words[j+1]]: // "which lights are on"
				return true
			case j+1 < n-1 && isPronoun(words[j+1]) && !isPronoun(words[j]) && !auxiliaries[words[j]] &&
				!strings.HasSuffix(words[j], "ed") && !whVerbs[words[j]]: // "which package you're on", not "which meant I was charged for"
				return true
			}
			if auxiliaries[words[j]] {
				j++
			}
			return j < n-1 && isPronoun(words[j])
		case copulas[w]:
			// The clause's own verb ("what are you", "the card you were charged on") reads
			// on; any other "is" is a main clause of its own.
			if i > 0 && (whWords[words[i-1]] || subjects[words[i-1]]) || i > 1 && whWords[words[i-2]] {
				continue
			}
			return false
		case w == "and" || w == "but" || w == "so" || w == "because":
			return false
		case i >= 1 && (relativeSubject(w) || determiners[w]) && afterIndefinite(words[:i]):
			// "is there anything else I can help with", "something you're worried about",
			// "something your team deals with"
			return true
		case i >= 2 && relativeSubject(w) && (words[i-1] == "one" || determiners[words[i-2]] || i >= 3 && determiners[words[i-3]]):
			// A relative clause without its wh word: "the card you were charged on", "the
			// one you asked about", "the phone number we text it to", "the account it came
			// out of", "the prescription you're calling about".
			return true
		}
	}
	return false
}

// afterIndefinite reports whether words end in an indefinite pronoun, "else" after one
// included ("anything else"), which a relative clause can follow with no wh word.
func afterIndefinite(words []string) bool {
	n := len(words)
	if n > 1 && words[n-1] == "else" {
		n--
	}
	return indefinites[words[n-1]]
}

// relativeSubject reports whether word can open a relative clause with no wh word after a
// noun phrase: a personal pronoun or "it", contracted or not ("the number you'd like us to
// call you back on").
func relativeSubject(word string) bool {
	w, _, _ := strings.Cut(word, "'")
	return subjects[w] || w == "it" || indefinites[w] // "the bit nobody budgets for"
}

// expandWh splits a wh word contracted with "is" ("what's it about") into the two words the
// clause rules read.
func expandWh(words []string) []string {
	for i, w := range words {
		b, ok := strings.CutSuffix(w, "'s")
		if !ok { // recognizers drop the apostrophe: "whats it about"
			b, ok = strings.CutSuffix(w, "s")
		}
		if ok && whWords[b] {
			out := append(slices.Clip(words[:i]), b, "is")
			return append(out, expandWh(words[i+1:])...)
		}
	}
	return words
}

// embeddedWh reports whether words, ending in "is", "are", "was" or "were", end a wh clause
// that is the object of the sentence, with its own subject: "we know where the trucks are",
// "I just told you what the problem is". A wh word that opens the sentence or a clause after
// a conjunction makes the clause the subject of a verb still to come: "what I'll do is...",
// "so what the charge is...".
func embeddedWh(words []string) bool {
	n := len(words)
	for i := n - 3; i >= 1 && i >= n-8; i-- {
		switch w := words[i]; {
		case whWords[w] || w == "how":
			p := words[i-1]
			return !clauseOpeners[p] && !isFiller(p)
		case copulas[w] || clauseOpeners[w]:
			return false
		}
	}
	return false
}

// questionTag reports whether words end in a tag or an inverted question after a clause:
// "I'm not getting anywhere, am I", "let's get it sorted, shall we", "have I got one or
// haven't I". "Can I" and "could we" open requests ("so can I... take your name") and do not
// count, nor does an auxiliary and subject after a conjunction or a wh word.
func questionTag(words []string) bool {
	n := len(words)
	if n < 4 {
		return false
	}
	switch words[n-1] {
	case "i", "we", "they", "he", "she":
	default:
		return false
	}
	p := words[n-3]
	return tagAuxiliaries[words[n-2]] && !clauseOpeners[p] && !isFiller(p) && !whWords[p] &&
		p != "why" && p != "how" && p != "when"
}

// passiveParticle reports whether words end in a passive's particle, the thing done before
// it: "get my knee looked at", "it's all taken care of", "I want it seen to"; not "I've
// looked at" or "I'll take care of", which wait for their object.
func passiveParticle(words []string) bool {
	n := len(words)
	if n < 3 {
		return false
	}
	pair, before := words[n-2]+" "+words[n-1], words[n-3]
	switch pair {
	case "care of":
		return before == "taken"
	case "looked at", "looked into", "seen to", "dealt with", "paid for", "sorted for":
		w, _, _ := strings.Cut(before, "'")
		return !subjects[w] && !clauseOpeners[before] && !isFiller(before) &&
			!perfectAuxiliaries[before] && !strings.HasSuffix(before, "'ve")
	}
	return false
}

// isPronoun reports whether word is a subject pronoun ("it", "that" and "there" included),
// contracted or not.
func isPronoun(word string) bool {
	w, _, _ := strings.Cut(word, "'")
	return subjects[w] || w == "it" || w == "that" || w == "this" || w == "there"
}

// Word classes the end-of-turn rule reads, by the last words of a partial transcript.
var (
	subjects    = wordSet("i you we they he she") // personal pronouns that begin a clause
	determiners = wordSet("the a an this that those these your my our their his her any some")
	indefinites = wordSet(`anything something everything nothing anyone someone everyone anybody nobody
		somebody everybody`)
	whWords = wordSet("which who whom what where") // open a clause that can strand a preposition
	// subordinators open a clause that needs its verb after its subject: "when you...".
	subordinators = wordSet(`when if because once before after until till while whenever unless
		although though so that and but`)
	copulas = wordSet("is are was were")
	// verbAdverbs stand between a subject and its verb: "we just need", "it really is".
	verbAdverbs = wordSet(`just also still really only definitely first actually certainly always
		honestly truly`)
	// likeOpens: "like" after these begins a comparison or an example ("it's like", "something
	// like"); after anything else it is a tag that ends the sentence ("...working days, like").
	likeOpens = wordSet(`is was were be been being it's that's there's what's looks look looked
		looking feels feel felt feeling seems seem seemed sounds sound sounded something anything
		nothing things stuff just more exactly kind sort kinda sorta bit um uh and`)
	// adverbialBefore: "before" after these ends the sentence ("never before", "the day before",
	// "I've told you before").
	adverbialBefore = wordSet(`ever never day week month year night time times once twice as just
		long seen done told said heard been had happened called rang tried mentioned you it that
		this them him her me us one to`)
	// clauseOpeners begin a clause or a sentence: a wh word after one opens a subject clause
	// ("so what I'll do is..."), an auxiliary and subject after one a question ("so can I").
	clauseOpeners = wordSet(`and but so or because then well okay ok right yeah yes no now look
		basically honestly actually anyway just`)
	// tagAuxiliaries make a tag or an inverted question with a subject after a clause.
	tagAuxiliaries = wordSet(`am do does did is was are were have has had shall will would haven't
		hasn't hadn't don't doesn't didn't isn't aren't wasn't weren't won't wouldn't can't couldn't
		shouldn't`)
	perfectAuxiliaries = wordSet("have has had") // and any "'ve": "I've looked at..."
	// reallyOpens: "really" after these intensifies what comes next ("it's really... good",
	// "we really..."); after anything else it ends the sentence ("Doctor Patel, really").
	reallyOpens = wordSet(`is are was were be been am it's that's i'm we're you're they're he's
		she's there's i you we they he she it i'd we'd i'll we'll you'll just so very and but a
		would will do don't didn't can can't could should`)
	lookVerbs = wordSet("look looks looked looking")
	// whVerbs follow "which" or "what" as the clause's own verb, not a noun: "which meant I".
	whVerbs = wordSet("means meant made makes left leaves got gets went goes happens happened")
	// inParticles take "in" as a particle as well as particleVerbs: "pencil that in", "all the
	// way in", "it plugs in", "customers calling in".
	inParticles = wordSet("that this way plugs calling ringing phoning phone comes locked lock")
	auxiliaries = wordSet("am are is was were do did does have has had can could would will should")
	// particleVerbs take "on" or "in" as a particle that ends the phrase ("hold on", "log in",
	// "you're booked in", "later on"), not a preposition waiting for its object; pronouns
	// count: "fill it in", "put you in".
	particleVerbs = wordSet(`hold carry go going come coming log logged move moving later early turn
		turned switch switched keep hang booked book pop popped fill filled fit check checked drop
		dropped sign signed plug plugged call called ring rang dial dialled dialed put get got let stay
		staying there here now it you them him her me us one so again pencil pencilled squeeze squeezed`)
	// takesInfinitive: "to" after these more likely starts an infinitive ("wanted to", "going
	// to", "happy to") than a preposition.
	takesInfinitive = wordSet(`want wants wanted wanna need needs needed going gonna have has had got
		like liked love try tried trying able unable supposed meant hope hoped hoping plan planned
		planning decide decided managed expect expected happy willing ready glad pleased about due
		likely sure how where when whether ought used`)
)

// wordSet is the set of the space-separated words in s.
func wordSet(s string) map[string]bool {
	set := map[string]bool{}
	for _, w := range strings.Fields(s) {
		set[w] = true
	}
	return set
}

// continuesLine reports whether text begins, past any filler ("um, and then"), with a word
// that continues the sentence before it ("and", "but", "so", "or", "because", "then",
// "which", "who", "until", "although"...). "That" does not count: it begins answers
// ("that's fine", "that would be great") as often as it continues a sentence ("... that
// nobody called back"). A preposition or particle ("up on the system", "to the card") is
// not a word of its own here: it does not begin a turn (beginsTurn), which goesOn also reads.
func continuesLine(text string) bool {
	switch firstWord(text) {
	case "and", "but", "so", "or", "nor", "because", "cause", "'cause", "cos", "then", "which", "who",
		"whose", "whom", "until", "unless", "although", "though", "while", "whereas", "plus":
		return true
	}
	return false
}

// firstWord returns text's first word past any filler, normalized, or "" when it has none.
func firstWord(text string) string {
	for _, w := range strings.Fields(normalize(text)) {
		if !isFiller(w) {
			return w
		}
	}
	return ""
}

// isFiller reports whether word is a hesitation sound that says nothing of how a sentence goes.
func isFiller(word string) bool {
	switch word {
	case "um", "uh", "er", "erm", "hmm", "mm":
		return true
	}
	return false
}

// beginsTurn reports whether text begins, past any filler, the way a turn of its own does: a
// response word ("yes", "okay", "right", "sorry"), a subject and its verb ("I can", "that's",
// "it'll"), a question word or an auxiliary that opens a question ("can you", "is it"), or
// an imperative that opens a request ("let me"). No words yet counts as a turn of its own.
func beginsTurn(text string) bool {
	w, _, _ := strings.Cut(firstWord(text), "'")
	switch w {
	case "":
		return true
	case "yes", "yeah", "yep", "yup", "no", "nope", "okay", "ok", "right", "sure", "well", "alright",
		"great", "perfect", "lovely", "fine", "good", "sorry", "oh", "ah", "aha", "hmm", "mm", "thanks",
		"thank", "hello", "hi", "look", "listen", "let", "please", "actually", "anyway", "now",
		"i", "we", "you", "they", "he", "she", "it", "that", "this", "there", "what", "when", "where",
		"why", "how", "who", "which", "is", "are", "was", "were", "do", "does", "did", "can", "could",
		"would", "will", "should", "shall", "may", "might", "have", "has", "my", "your", "our", "the", "a":
		return true
	}
	return false
}
