package scenario

import (
	"strconv"
	"strings"
	"unicode"
)

// Tokenize turns a transcript (or a phrase word) into the tokens detectors compare: lower
// case, punctuation dropped, apostrophes removed, common contractions expanded the same way
// on both sides ("I'm", "im" -> "i am"), digits split from letters and small numbers spelled
// out ("5pm" -> "five pm"), because recognizers differ on all of these.
func Tokenize(text string) []string {
	var toks []string
	var cur []rune
	kind := 0 // 1 letter, 2 digit
	apostrophe := false
	flush := func() {
		if len(cur) == 0 {
			return
		}
		tok := string(cur)
		if exp, ok := apostropheOnly[tok]; ok && apostrophe {
			toks = append(toks, strings.Fields(exp)...)
		} else {
			toks = appendToken(toks, tok, kind == 2)
		}
		cur, apostrophe = cur[:0], false
	}
	for _, r := range strings.ToLower(text) {
		switch {
		case r == '\'' || r == '’' || r == '‘':
			// "don't" -> "dont": keep the word whole.
			apostrophe = apostrophe || len(cur) > 0
		case unicode.IsLetter(r):
			if kind == 2 {
				flush()
			}
			kind = 1
			cur = append(cur, r)
		case unicode.IsDigit(r):
			if kind == 1 {
				flush()
			}
			kind = 2
			cur = append(cur, r)
		default:
			flush()
			kind = 0
		}
	}
	flush()
	return toks
}

func appendToken(toks []string, tok string, digits bool) []string {
	if digits {
		if n, err := strconv.Atoi(tok); err == nil && n < 100 {
			return append(toks, strings.Fields(numberWords(n))...)
		}
		return append(toks, tok)
	}
	if exp, ok := contractions[tok]; ok {
		return append(toks, strings.Fields(exp)...)
	}
	return append(toks, tok)
}

// contractions maps apostrophe-less forms to their expansion. Forms that are also common
// words ("ill", "were", "id", "lets", "well", "wed") are left out on purpose; "its" is far
// more often "it's" in speech.
var contractions = map[string]string{
	"im": "i am", "ive": "i have", "youve": "you have", "youll": "you will",
	"weve": "we have", "thats": "that is", "its": "it is",
	// Homophones recognizers confuse: one spelling on both sides.
	"youre": "your", "theyre": "there", "their": "there",
	"whats": "what is", "theres": "there is", "heres": "here is", "dont": "do not",
	"doesnt": "does not", "didnt": "did not", "cant": "cannot", "wont": "will not",
	"isnt": "is not", "arent": "are not", "wasnt": "was not", "shouldnt": "should not",
	"wouldnt": "would not", "couldnt": "could not", "havent": "have not", "hasnt": "has not",
	"itll": "it will", "thatll": "that will", "youd": "you would",
	"theyll": "they will", "hes": "he is", "shes": "she is",
	"somebodyll": "somebody will", "someonell": "someone will",
	"hows": "how is", "wheres": "where is", "whos": "who is", "whens": "when is",
	// An indefinite pronoun's "'s" (possessive or "is") keeps the pronoun: "it's nobody's
	// fault" is negated by its "nobody" like "nobody did".
	"nobodys": "nobody", "somebodys": "somebody", "someones": "someone", "everyones": "everyone",
	"everybodys": "everybody", "anyones": "anyone", "anybodys": "anybody",
	// Spoken forms: "I'm not gonna knock them" is "not going to".
	"gonna": "going to", "wanna": "want to", "gotta": "got to",
}

// apostropheOnly are contractions that are also common words without their apostrophe:
// expanded only when the apostrophe was written ("we'll" is "we will", "well" is well).
var apostropheOnly = map[string]string{"ill": "i will", "well": "we will", "id": "i would",
	"wed": "we would", "lets": "let us", "shell": "she will", "hell": "he will", "were": "we are"}

var ones = []string{"zero", "one", "two", "three", "four", "five", "six", "seven", "eight",
	"nine", "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen",
	"seventeen", "eighteen", "nineteen"}
var tens = []string{"", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"}

func numberWords(n int) string {
	if n < 20 {
		return ones[n]
	}
	if n%10 == 0 {
		return tens[n/10]
	}
	return tens[n/10] + " " + ones[n%10]
}
