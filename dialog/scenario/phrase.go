package scenario

import (
	"fmt"
	"slices"
	"strings"
)

// Phrase is one compiled detector phrase. Syntax, one word at a time:
//
//	sorry                      a word
//	(get|have)                 one of several words
//	(i have|there is)          alternatives may be several words
//	[so]  [so|really]          optional
//	*                          any one word
//	!(minutes|calls)           last only: the match may not be followed by one of these
//	                           ("at three" is a time, "at three minutes each" is not)
//
// Matching is tolerant because transcripts are imperfect: words match in order with at most
// one stray word between them; a phrase of four or more required words survives one inner
// word lost or misrecognized (its first and last words must be there, a hedge or negation
// such as "might" or "not" is never the lost one, and a person such as "you" or "our" may
// be misheard but not dropped); words match through simple suffixes (refund, refunded), an
// edit distance of one for words of five letters or more (about, bout; not in a
// provocation, see exact), and a word split in two (re fund). A negation (not, never,
// no...) just before the match or among the stray words cancels it: "not our fault" is not
// "our fault".
type Phrase struct {
	src    string
	words  []pword
	slack  int  // inner required words that may be lost
	negate bool // the phrase itself starts with a negation
	// notBefore holds the words that may not follow a match (a trailing "!(...)").
	notBefore pword
	// exact turns off the one-edit tolerance: a provocation (a behaviour that angers the
	// other side, Mood > 0: blame, jargon, "calm down") is charged to the learner only for
	// words heard as written, never for a near miss the recognizer may have made of an
	// innocent word ("batch" is not "bitch"). Suffixes that keep the tense and split words
	// still match ("happens" is not "happened"), and the words that may not follow
	// (notBefore) stay tolerant: they spare the learner.
	exact bool
}

type pword struct {
	alts     [][]string // each alternative, tokenized
	optional bool
	any      bool
}

// maxGap is how many stray tokens may sit between two matched words.
const maxGap = 1

// CompilePhrase parses one phrase.
func CompilePhrase(s string) (Phrase, error) {
	p := Phrase{src: s}
	required := 0
	words, err := splitWords(s)
	if err != nil {
		return Phrase{}, err
	}
	if n := len(words); n > 1 && strings.HasPrefix(words[n-1], "!(") {
		if p.notBefore, err = compileWord(words[n-1][1:]); err != nil {
			return Phrase{}, err
		}
		words = words[:n-1]
	}
	for _, w := range words {
		if strings.HasPrefix(w, "!") {
			return Phrase{}, fmt.Errorf("phrase %q: a !(...) group must come last, after a word", s)
		}
		pw, err := compileWord(w)
		if err != nil {
			return Phrase{}, err
		}
		if !pw.optional {
			required++
		}
		p.words = append(p.words, pw)
	}
	if required == 0 {
		return Phrase{}, fmt.Errorf("phrase %q has no required word", s)
	}
	anyOnly := true
	for _, w := range p.words {
		if !w.any {
			anyOnly = false
		}
	}
	if anyOnly {
		return Phrase{}, fmt.Errorf("phrase %q matches anything", s)
	}
	if required >= 4 {
		p.slack = 1
	}
	if w := p.words[0]; !w.any && negationTriggers[w.alts[0][0]] {
		p.negate = true
	}
	return p, nil
}

func compileWord(w string) (pword, error) {
	var pw pword
	if w == "*" {
		pw.any = true
		return pw, nil
	}
	body := w
	switch {
	case strings.HasPrefix(w, "[") && strings.HasSuffix(w, "]"):
		pw.optional = true
		body = w[1 : len(w)-1]
	case strings.HasPrefix(w, "(") && strings.HasSuffix(w, ")"):
		body = w[1 : len(w)-1]
	}
	if strings.ContainsAny(body, "[]()*") {
		return pw, fmt.Errorf("%q: groups cannot nest, and * stands alone for any word", w)
	}
	for _, alt := range strings.Split(body, "|") {
		toks := Tokenize(alt)
		if len(toks) == 0 {
			return pw, fmt.Errorf("word %q: empty alternative", w)
		}
		pw.alts = append(pw.alts, toks)
	}
	return pw, nil
}

// splitWords splits a phrase at spaces outside ( ) and [ ] groups.
func splitWords(s string) ([]string, error) {
	var words []string
	var cur strings.Builder
	closer := rune(0)
	for _, r := range s {
		switch {
		case closer == 0 && (r == '(' || r == '['):
			closer = map[rune]rune{'(': ')', '[': ']'}[r]
		case closer != 0 && r == closer:
			closer = 0
		case closer == 0 && (r == ')' || r == ']'):
			return nil, fmt.Errorf("phrase %q: %q without its opening bracket", s, r)
		case closer == 0 && (r == ' ' || r == '\t'):
			if cur.Len() > 0 {
				words = append(words, cur.String())
				cur.Reset()
			}
			continue
		}
		cur.WriteRune(r)
	}
	if closer != 0 {
		return nil, fmt.Errorf("phrase %q: missing %q", s, closer)
	}
	if cur.Len() > 0 {
		words = append(words, cur.String())
	}
	return words, nil
}

// String returns the phrase as written.
func (p Phrase) String() string { return p.src }

// Plain returns the phrase as plain words (first alternatives, optional words kept, "*"
// dropped), for recognizers that take keyword hints.
func (p Phrase) Plain() string {
	var out []string
	for _, w := range p.words {
		if !w.any {
			out = append(out, w.alts[0]...)
		}
	}
	return strings.Join(out, " ")
}

// Match reports whether the phrase occurs in the tokens (see Tokenize).
func (p Phrase) Match(toks []string) bool {
	return p.find(toks, nil)
}

// find reports whether the phrase occurs in toks at a place ok accepts (nil accepts any):
// ok gets the matched tokens' range [from, to).
func (p Phrase) find(toks []string, ok func(from, to int) bool) bool {
	m := matcher{p: p, toks: toks, ok: ok, seen: make(map[state]bool)}
	return m.match(0, 0, p.slack, false, 0)
}

// matcher is one Match call. Optional words and "*" branch, so failed states are remembered:
// the work stays proportional to words x tokens whatever a trainer writes.
type matcher struct {
	p    Phrase
	toks []string
	ok   func(from, to int) bool
	seen map[state]bool
}

type state struct {
	wi, ti, slack, from int
	anchored            bool
}

// match tries to place word wi at or after token ti. Once a word has matched (anchored),
// the next must follow within maxGap tokens.
func (m *matcher) match(wi, ti, slack int, anchored bool, from int) bool {
	p, toks := m.p, m.toks
	if wi == len(p.words) {
		if ti < len(toks) && len(p.notBefore.alts) > 0 && p.notBefore.at(toks, ti, false) > 0 {
			return false
		}
		return m.ok == nil || m.ok(from, ti)
	}
	st := state{wi, ti, slack, from, anchored}
	if m.seen[st] {
		return false
	}
	w := p.words[wi]
	if w.optional && m.match(wi+1, ti, slack, anchored, from) {
		return true
	}
	hi := len(toks)
	if anchored {
		hi = min(hi, ti+1+maxGap)
	}
	for k := ti; k < hi; k++ {
		if !anchored && !p.negate && m.ok == nil && k > 0 && negationTriggers[toks[k-1]] {
			continue // "not our fault"; a reader with clauses (ok) scopes negation itself
		}
		if anchored && k > ti && negationTriggers[toks[k-1]] {
			break // a negation among the stray words
		}
		start := from
		if !anchored {
			start = k
		}
		if n := w.at(toks, k, p.exact); n > 0 && m.match(wi+1, k+n, slack, true, start) {
			return true
		}
	}
	// A lost or misrecognized inner word: the gap allowed before the next word covers a
	// stand-in. The first and last words must be heard. A person ("you", "our") may be
	// misheard but never dropped: "don't you want" is not "don't want". A negation or a hedge
	// is never the stand-in: "we would ring you back" is not "we will ring you back".
	if !w.optional && slack > 0 && anchored && wi < p.lastRequired() && !w.hedges() && !w.contrasts(toks, ti) {
		next := ti
		if w.personal() {
			next = ti + 1
		}
		hedged := ti < len(toks) && hedgeWords[toks[ti]]
		standIn := !hedged && (next == ti || ti < len(toks) && !negationTriggers[toks[ti]])
		if standIn && m.match(wi+1, next, slack-1, anchored, from) {
			return true
		}
	}
	m.seen[st] = true
	return false
}

func (p Phrase) lastRequired() int {
	for i := len(p.words) - 1; i >= 0; i-- {
		if !p.words[i].optional {
			return i
		}
	}
	return -1
}

// persons are words whose choice changes who is meant: a misrecognition of one is never
// taken as another ("your fault" is not "our fault").
var persons = map[string]bool{"i": true, "me": true, "my": true, "we": true, "us": true, "our": true,
	"you": true, "your": true, "they": true, "their": true, "them": true, "he": true, "his": true,
	"she": true, "her": true, "it": true}

// hedgeWords, like the negation triggers, carry a phrase's meaning on their own: "you might
// have got it wrong" blames, "you have got it on paper" does not; "the calls do not come in"
// is the offer, "one of those calls comes in" is not. A phrase never matches with one of
// them lost.
var hedgeWords = map[string]bool{"might": true, "may": true, "must": true, "probably": true,
	"should": true, "could": true, "would": true}

// hedges reports whether every alternative of w carries a hedge or a negation.
func (w pword) hedges() bool {
	return w.every(func(alt []string) bool {
		return slices.ContainsFunc(alt, func(t string) bool { return hedgeWords[t] || negationTriggers[t] })
	})
}

// personal reports whether w names a person (every alternative one person word).
func (w pword) personal() bool {
	return w.every(func(alt []string) bool { return len(alt) == 1 && persons[alt[0]] })
}

// every reports whether w has alternatives and ok holds for each.
func (w pword) every(ok func(alt []string) bool) bool {
	return len(w.alts) > 0 && !slices.ContainsFunc(w.alts, func(alt []string) bool { return !ok(alt) })
}

// contrasts reports whether the token at k would stand in for w as another person.
func (w pword) contrasts(toks []string, k int) bool {
	if k >= len(toks) || !persons[toks[k]] {
		return false
	}
	for _, alt := range w.alts {
		if len(alt) == 1 && persons[alt[0]] {
			return true
		}
	}
	return false
}

// at returns how many tokens at toks[k:] the word consumes, 0 for no match; exact allows
// no edit.
func (w pword) at(toks []string, k int, exact bool) int {
	if w.any {
		return 1
	}
	for _, alt := range w.alts {
		if len(alt) == 1 {
			if tokenEq(alt[0], toks[k], exact) {
				return 1
			}
			if k+1 < len(toks) && len(alt[0]) >= 5 && joinEq(alt[0], toks[k]+toks[k+1]) {
				return 2 // "re fund"
			}
			continue
		}
		if k+len(alt) <= len(toks) && seqEq(alt, toks[k:k+len(alt)], exact) {
			return len(alt)
		}
	}
	return 0
}

func seqEq(a, b []string, exact bool) bool {
	for i := range a {
		if !tokenEq(a[i], b[i], exact) {
			return false
		}
	}
	return true
}

// joinEq compares a phrase token with two transcript tokens run together: exactly or through
// a suffix, never by an edit as well ("back and" is not "backend").
func joinEq(p, joined string) bool {
	return p == joined || len(p) >= 4 && stem(p) == stem(joined)
}

// tokenEq compares a phrase token with a transcript token; exact allows no edit.
func tokenEq(p, t string, exact bool) bool {
	if p == t {
		return true
	}
	if len(p) >= 4 && len(t) >= 4 && stem(p) == stem(t) {
		// Heard as written keeps the tense: "it happens" plays a problem down, "why it
		// happened" asks about it.
		return !exact || pastTense(p) == pastTense(t)
	}
	if exact {
		return false
	}
	// One edit only: two would make "frustrating" match "frustration". A changed, lost or
	// added first letter is another word, not a misrecognition: "worry" is not "sorry",
	// "over" is not "cover"; only a first vowel may go unsaid ("bout" for "about").
	if p[0] != t[0] && !(len(t) == len(p)-1 && strings.ContainsRune("aeiou", rune(p[0])) && p[1:] == t) {
		return false
	}
	return len(p) >= 5 && len(t) >= 4 && abs(len(p)-len(t)) <= 1 && editDistance(p, t) <= 1
}

var suffixes = []string{"ing", "ed", "es", "s", "ly", "e"}

// pastTense reports whether stem takes an "-ed" off w: "happened", not "need".
func pastTense(w string) bool { return strings.HasSuffix(w, "ed") && stem(w) != w }

func stem(w string) string {
	for _, s := range suffixes {
		if strings.HasSuffix(w, s) && len(w)-len(s) >= 3 {
			return w[:len(w)-len(s)]
		}
	}
	return w
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// editDistance is the Levenshtein distance of two short ASCII-ish words.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
