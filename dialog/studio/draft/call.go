package draft

import (
	"regexp"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// A call transcript ("Agent: ..." / "Customer: ...", "Learner: ..." / "Persona: ...", or the
// one-speaker "Speaker: ..." lines of a transcribed recording) is drafted from the customer's
// side: her first line greets, her questions and push-backs are the objections (the agent's
// reply the expected answer, her next line what she says when it is handled), her mood over
// the call sets the starting mood and is told in her backstory, her last line (when calm)
// ends a resolved call, and her facts (numbers, dates, amounts) are her backstory. The
// agent's best lines (those after which she calmed down, or that answered her) are the
// rubric's better lines.

// Turn is one line of a call transcript.
type Turn struct {
	Customer bool   `json:"customer"`
	Text     string `json:"text"`
	// Heat is how upset the line sounds: its angry cues less its calm ones.
	Heat int `json:"heat"`
}

var (
	agentLabels = regexp.MustCompile(`(?i)^(agent|learner|rep|representative|advisor|adviser|sales ?rep|salesperson|seller|support|operator|associate|a)$`)
	custLabels  = regexp.MustCompile(`(?i)^(customer|caller|prospect|client|patient|persona|buyer|member|c)$`)
	oneSpeaker  = regexp.MustCompile(`(?i)^speaker$`)
	pushbackRE  = regexp.MustCompile(`(?i)\b(already (use|have|got)|not interested|too (expensive|much|pricey)|send (me )?(an? |some )?(email|brochure|info|information|details)|(no|don't have) time|busy|don't need|why would|why (is|was|did|do|does|are|were)|can't|cannot|still|again|cancel|charged|twice|wrong|waiting|ridiculous|unacceptable|how (long|much|come|do|does|can)|what (is|are|was|about|happens)|when (will|do|does|can|is)|can (i|you)|could (i|you)|will (i|you|it)|is (it|this|that|there)|do (i|you))\b`)
	questionRE  = regexp.MustCompile(`(?i)^(why|what|how|when|where|who|which|can|could|will|would|is|are|do|does|did|should|have|has)\b`)
	hotRE       = regexp.MustCompile(`(?i)(!|\b(ridiculous|unacceptable|angry|furious|frustrat\w*|annoy\w*|again|still|third time|second time|cancel|waste|wasting|not happy|terrible|awful|joke|seriously|never|sick of|fed up|complain\w*|twice|wrong|no time|not interested|busy)\b)`)
	coolRE      = regexp.MustCompile(`(?i)\b(thanks?|thank you|great|perfect|okay|ok|sounds good|works|appreciate\w*|fine|good|sure|that helps|helpful|makes sense|lovely|brilliant|alright|all right)\b`)
	empathyRE   = regexp.MustCompile(`(?i)\b(sorry|i understand|understood|makes sense|fair|i hear you|i get (that|it)|let me|i can|i will|i'll|what would|how (do|does|would)|tell me)\b`)
	accountRE   = regexp.MustCompile(`(?i)\b(dollars?|pounds?|euros?|order|account|charged|twice|invoice|bill|contract|renewal|subscription|card|payment|delivery|parcel)\b`)
)

// callTurns reads lines as a call transcript; nil when they are not one (fewer than three
// speaker lines, or they are under two thirds of the lines). Who is the customer: the
// labels say (Customer, Caller, Prospect, Persona... against Agent, Learner, Rep...); of two
// other labels the one who speaks first is the agent; one speaker throughout (a transcribed
// recording) is taken as turns taken in turn, the agent first.
func callTurns(lines []string) []Turn {
	type said struct{ who, text string }
	var ss []said
	for _, l := range lines {
		if m := speakerRE.FindStringSubmatch(l); m != nil {
			ss = append(ss, said{strings.TrimSpace(m[1]), strings.TrimSpace(m[2])})
		}
	}
	if len(ss) < 3 || 3*len(ss) < 2*len(lines) {
		return nil
	}
	var labels []string
	seen := map[string]bool{}
	for _, s := range ss {
		if l := strings.ToLower(s.who); !seen[l] {
			seen[l] = true
			labels = append(labels, l)
		}
	}
	isCustomer := func(i int, who string) bool {
		switch {
		case custLabels.MatchString(who):
			return true
		case agentLabels.MatchString(who):
			return false
		case len(labels) == 1 || oneSpeaker.MatchString(who):
			return i%2 == 1
		}
		// Two unknown labels, or one known and names: the other side of the known one, else
		// whoever did not speak first.
		for _, l := range labels {
			if custLabels.MatchString(l) {
				return false
			}
			if agentLabels.MatchString(l) {
				return true
			}
		}
		return !strings.EqualFold(who, labels[0])
	}
	out := make([]Turn, len(ss))
	for i, s := range ss {
		out[i] = Turn{Customer: isCustomer(i, s.who), Text: s.text, Heat: heat(s.text)}
	}
	if !slices.ContainsFunc(out, func(t Turn) bool { return t.Customer }) {
		return nil
	}
	return out
}

// heat is a line's angry cues less its calm ones.
func heat(s string) int {
	return len(hotRE.FindAllString(s, -1)) - len(coolRE.FindAllString(s, -1))
}

// isObjection: a question, or a push-back.
func isObjection(s string) bool {
	return strings.Contains(s, "?") || questionRE.MatchString(s) || pushbackRE.MatchString(s)
}

// callPairs are the customer's questions and push-backs with the agent's next line, and the
// customer's line after that when it is calmer (what she says when it is handled).
func callPairs(ts []Turn) (ps []Pair, yields []string) {
	for i := 0; i+1 < len(ts) && len(ps) < MaxObjections; i++ {
		t := ts[i]
		if !t.Customer || !isObjection(t.Text) || ts[i+1].Customer {
			continue
		}
		ps = append(ps, Pair{Says: t.Text, Answer: ts[i+1].Text})
		y := ""
		if i+2 < len(ts) && ts[i+2].Customer && ts[i+2].Heat < max(t.Heat, 1) && !isObjection(ts[i+2].Text) {
			y = ts[i+2].Text
		}
		yields = append(yields, y)
		i++
	}
	return ps, yields
}

// callFacts are the customer's sentences with numbers, amounts, dates or account words (a
// transcribed recording spells numbers out: "charged twice on my order" still counts).
func callFacts(ts []Turn) []Fact {
	var out []Fact
	for _, t := range ts {
		if !t.Customer {
			continue
		}
		for _, s := range sentRE.FindAllString(t.Text, -1) {
			s = strings.TrimSpace(s)
			if len(s) >= 12 && (factRE.MatchString(s) || accountRE.MatchString(s)) && len(out) < 8 {
				out = append(out, Fact{Text: s, Source: t.Text})
			}
		}
	}
	return out
}

// bestAgentLines are up to four of the agent's lines, in call order, that the customer
// answered more calmly than she spoke before, or that answered her question with empathy
// or a plan.
func bestAgentLines(ts []Turn) []string {
	type scored struct {
		i, score int
	}
	// prevs[i] and nexts[i]: the customer's lines before and after line i, -1 when none.
	prevs, nexts := make([]int, len(ts)), make([]int, len(ts))
	for i, last := 0, -1; i < len(ts); i++ {
		prevs[i] = last
		if ts[i].Customer {
			last = i
		}
	}
	for i, last := len(ts)-1, -1; i >= 0; i-- {
		nexts[i] = last
		if ts[i].Customer {
			last = i
		}
	}
	var ss []scored
	for i, t := range ts {
		if t.Customer || len(t.Text) < 12 {
			continue
		}
		score := 0
		prev, next := prevs[i], nexts[i]
		if prev >= 0 && next >= 0 {
			switch d := ts[prev].Heat - ts[next].Heat; {
			case d > 0:
				score += 2
			case d < 0:
				score -= 2
			}
		}
		if prev >= 0 && isObjection(ts[prev].Text) {
			score++
		}
		if empathyRE.MatchString(t.Text) {
			score++
		}
		if score > 0 {
			ss = append(ss, scored{i, score})
		}
	}
	slices.SortStableFunc(ss, func(a, b scored) int { return b.score - a.score })
	ss = ss[:min(4, len(ss))]
	slices.SortFunc(ss, func(a, b scored) int { return a.i - b.i })
	var out []string
	for _, s := range ss {
		out = append(out, ts[s.i].Text)
	}
	return out
}

// moodWord names a heat for the backstory.
func moodWord(h int) string {
	switch {
	case h >= 2:
		return "angry"
	case h == 1:
		return "irritated"
	case h == 0:
		return "neutral"
	}
	return "calm"
}

// callBackstory tells the customer's side of the call: how the caller's mood went, in their
// words.
func callBackstory(ts []Turn) string {
	var cust []Turn
	for _, t := range ts {
		if t.Customer {
			cust = append(cust, t)
		}
	}
	first, last := cust[0], cust[len(cust)-1]
	var b strings.Builder
	b.WriteString("On the real call the caller started " + moodWord(first.Heat) + " (\"" + short(first.Text) + "\")")
	if len(cust) > 1 {
		b.WriteString(" and ended " + moodWord(last.Heat) + " (\"" + short(last.Text) + "\")")
	}
	b.WriteString(".\n")
	return b.String()
}

// startMood moves the template's starting mood by the heat of her first two lines, within
// 1 and the scale's max less 2.
func startMood(tpl string, scale int, ts []Turn) string {
	m, err := strconv.ParseFloat(tpl, 64)
	if err != nil {
		return tpl
	}
	h, n := 0, 0
	for _, t := range ts {
		if t.Customer && n < 2 {
			h += t.Heat
			n++
		}
	}
	m = min(max(m+float64(h), 1), float64(max(scale-2, 1)))
	return strconv.FormatFloat(m, 'f', -1, 64)
}

// withCallLines sets the persona's greeting to the customer's first line, her resolved
// goodbye to her last one when it is calm, and each objection's yield to what she said when
// it was answered.
func withCallLines(scen []byte, ts []Turn, yields []string) ([]byte, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(scen, &doc); err != nil {
		return nil, err
	}
	root := doc.Content[0]
	var cust []Turn
	for _, t := range ts {
		if t.Customer {
			cust = append(cust, t)
		}
	}
	seq := func(s string) *yaml.Node {
		return &yaml.Node{Kind: yaml.SequenceNode, Content: []*yaml.Node{{Kind: yaml.ScalarNode, Value: spell(s)}}}
	}
	if lines := value(root, "lines"); lines != nil && lines.Kind == yaml.MappingNode {
		setValue(lines, "greeting", seq(cust[0].Text))
		if last := cust[len(cust)-1]; len(cust) > 1 && last.Heat < 0 {
			setValue(lines, "goodbye_resolved", seq(last.Text))
		}
	}
	if objs := value(root, "objections"); objs != nil && objs.Kind == yaml.SequenceNode {
		for i, o := range objs.Content {
			if i < len(yields) && yields[i] != "" {
				setValue(o, "yields", seq(yields[i]))
			}
		}
	}
	return encode(&doc)
}

// moodScale reads mood.max from a scenario; 10 when absent.
func moodScale(scen []byte) int {
	var doc yaml.Node
	if yaml.Unmarshal(scen, &doc) != nil || len(doc.Content) == 0 {
		return 10
	}
	if m := value(value(doc.Content[0], "mood"), "max"); m != nil {
		if n, err := strconv.Atoi(m.Value); err == nil {
			return n
		}
	}
	return 10
}

// CallTurns reads material as a call transcript, as Make does; nil when it is not one.
func CallTurns(material string) []Turn { return callTurns(cleanLines(material)) }
