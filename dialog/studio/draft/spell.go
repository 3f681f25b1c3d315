package draft

import (
	"regexp"
	"strconv"
	"strings"
)

var numRE = regexp.MustCompile(`(\$)?(\d+)(?:\.(\d{1,2}))?`)

var (
	ones = []string{"zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
		"eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"}
	tens = []string{"", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"}
)

// spell writes the numbers of a line the persona says as words, the way people say them
// (lint refuses digits in spoken lines): "$7.50" is "seven dollars fifty".
func spell(s string) string {
	s = numRE.ReplaceAllStringFunc(s, func(m string) string {
		p := numRE.FindStringSubmatch(m)
		out := " " + words(p[2])
		if p[1] == "$" {
			out += " dollars"
		}
		if p[3] != "" {
			if p[1] == "$" {
				out += " " + words(p[3])
			} else {
				out += " point " + words(p[3])
			}
		}
		return out + " "
	})
	s = strings.Join(strings.Fields(s), " ")
	return strings.NewReplacer(" ,", ",", " .", ".", " ?", "?", " !", "!").Replace(s)
}

// words spells a whole number; above 9999 it is read digit by digit.
func words(digits string) string {
	n, err := strconv.Atoi(digits)
	if err != nil || n > 9999 {
		var out []string
		for _, d := range digits {
			out = append(out, ones[d-'0'])
		}
		return strings.Join(out, " ")
	}
	var out []string
	if n >= 1000 {
		out = append(out, ones[n/1000], "thousand")
		n %= 1000
	}
	if n >= 100 {
		out = append(out, ones[n/100], "hundred")
		n %= 100
	}
	switch {
	case n >= 20 && n%10 != 0:
		out = append(out, tens[n/10]+"-"+ones[n%10])
	case n >= 20:
		out = append(out, tens[n/10])
	case n > 0 || len(out) == 0:
		out = append(out, ones[n])
	}
	return strings.Join(out, " ")
}
