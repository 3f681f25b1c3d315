package draft

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"regexp"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/sparlab/spar/configs"
	"github.com/sparlab/spar/dialog/studio"
)

// Kind picks the template.
type Kind string

// Kinds.
const (
	Support Kind = "support"
	Sales   Kind = "sales"
	Other   Kind = "other"
)

// templates are the built-in scenarios each kind starts from.
var templates = map[Kind]string{Support: "double-charge", Sales: "cold-call-vendor", Other: "lost-appointment"}

// MaxObjections bounds the objections taken from the material.
const MaxObjections = 4

// MaxMaterial bounds the material read.
const MaxMaterial = 256 << 10

// ErrInput wraps every problem with the request.
var ErrInput = errors.New("draft: bad input")

// Input is what the trainer gives.
type Input struct {
	ID         string // the new scenario's id
	Title      string // empty: the material's first line
	Kind       Kind
	Difficulty string // easy, medium, hard; empty: the template's
	Material   string
}

// Fact is one persona fact and the sentence of the material it came from.
type Fact = studio.Fact

// Pair is a question the persona asks and the answer the material gives.
type Pair struct {
	Says   string `json:"says"`
	Answer string `json:"answer"`
}

// Draft is a scenario and rubric ready for the studio's editor, with what was taken from
// the material.
type Draft struct {
	Scenario []byte   `json:"scenario"`
	Rubric   []byte   `json:"rubric"`
	Facts    []Fact   `json:"facts"`
	Pairs    []Pair   `json:"pairs"`
	Words    []string `json:"words"`
	// Rejected are the LLM's facts whose source sentence is not in the material: left out.
	Rejected []Fact `json:"rejected,omitempty"`
	// Turns are the material read as a call transcript; empty when it is not one.
	Turns []Turn `json:"turns,omitempty"`
	// Better are the agent's best lines on the call, made the rubric's better lines.
	Better []string `json:"better,omitempty"`
}

// Offline is the offline drafter (Make) behind the interface the LLM drafter shares.
type Offline struct{}

// Make drafts with Make.
func (Offline) Make(_ context.Context, in Input) (*Draft, error) { return Make(in) }

// Make drafts a scenario from in.Material.
func Make(in Input) (*Draft, error) {
	scen, rub, err := template(in)
	if err != nil {
		return nil, err
	}
	lines := cleanLines(in.Material)
	d := &Draft{Words: names(lines), Turns: callTurns(lines)}
	var yields []string
	title := in.Title
	if d.Turns != nil {
		d.Pairs, yields = callPairs(d.Turns)
		d.Facts = callFacts(d.Turns)
		d.Better = bestAgentLines(d.Turns)
		if title == "" {
			for _, t := range d.Turns {
				if t.Customer {
					title = "From a real call: " + t.Text
					break
				}
			}
		}
	} else {
		d.Pairs, d.Facts = pairs(lines), facts(lines)
	}
	if title == "" {
		title = strings.TrimLeft(lines[0], "# ")
	}
	if len(title) > 80 {
		title = title[:80]
	}
	tf, _ := studio.Fields(scen, nil)
	story := tf["persona.backstory"]
	if d.Turns != nil {
		story = strings.TrimSpace(story) + "\n" + callBackstory(d.Turns)
	}
	set := map[string]string{"id": in.ID, "title": title,
		"situation": situation(title, d.Facts), "persona.backstory": backstory(story, d.Facts, d.Turns != nil)}
	if in.Difficulty != "" {
		set["difficulty"] = in.Difficulty
	}
	if d.Turns != nil && tf["persona.start_mood"] != "" {
		set["persona.start_mood"] = startMood(tf["persona.start_mood"], moodScale(scen), d.Turns)
	}
	if scen, err = studio.SetFields(scen, set); err != nil {
		return nil, err
	}
	if d.Scenario, err = withPairs(scen, d.Pairs, d.Words); err != nil {
		return nil, err
	}
	if d.Turns != nil {
		if d.Scenario, err = withCallLines(d.Scenario, d.Turns, yields); err != nil {
			return nil, err
		}
	}
	if rub, err = studio.SetFields(rub, map[string]string{"scenario": in.ID, "title": title}); err != nil {
		return nil, err
	}
	if d.Rubric, err = rubricWithPairs(rub, d.Pairs, d.Better); err != nil {
		return nil, err
	}
	return d, nil
}

// checkInput checks in and returns its kind's template scenario.
// template checks in and returns the built-in scenario and rubric its kind starts from.
func template(in Input) (scen, rub []byte, err error) {
	tpl, err := checkInput(in)
	if err != nil {
		return nil, nil, err
	}
	if scen, err = fs.ReadFile(configs.Scenarios, "scenarios/"+tpl+".yaml"); err != nil {
		return nil, nil, err
	}
	if rub, err = fs.ReadFile(configs.Rubrics, "rubrics/"+tpl+".yaml"); err != nil {
		return nil, nil, err
	}
	return scen, rub, nil
}

func checkInput(in Input) (string, error) {
	tpl, ok := templates[in.Kind]
	switch {
	case !ok:
		return "", fmt.Errorf("%w: kind %q: want support, sales or other", ErrInput, in.Kind)
	case strings.TrimSpace(in.Material) == "":
		return "", fmt.Errorf("%w: material: paste some text", ErrInput)
	case len(in.Material) > MaxMaterial:
		return "", fmt.Errorf("%w: material: at most %d KiB", ErrInput, MaxMaterial>>10)
	case in.Difficulty != "" && in.Difficulty != "easy" && in.Difficulty != "medium" && in.Difficulty != "hard":
		return "", fmt.Errorf("%w: difficulty %q: want easy, medium or hard", ErrInput, in.Difficulty)
	}
	return tpl, nil
}

// cleanLines splits the material into trimmed non-empty lines, HTML tags removed.
func cleanLines(s string) []string {
	s = tagRE.ReplaceAllString(s, "\n")
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.Join(strings.Fields(l), " "); l != "" {
			out = append(out, l)
		}
	}
	return out
}

var (
	tagRE     = regexp.MustCompile(`<[^>]*>`)
	qPrefixRE = regexp.MustCompile(`(?i)^(q|question)\s*[:.)-]\s*`)
	aPrefixRE = regexp.MustCompile(`(?i)^(a|answer)\s*[:.)-]\s*`)
	ifSaysRE  = regexp.MustCompile(`(?i)^if (?:the |a )?(?:customer|caller|prospect|client|they) (?:says|asks|tells you)[,:]?\s*"?([^"]+?)"?,?\s+(?:then )?(?:say|answer|reply|tell them)[,:]?\s*"?([^"]+?)"?\.?$`)
	speakerRE = regexp.MustCompile(`^([A-Za-z][A-Za-z .'-]{0,30}):\s+(.+)$`)
	customers = regexp.MustCompile(`(?i)^(customer|caller|prospect|client|patient|c)$`)
	sentRE    = regexp.MustCompile(`(?:[^.!?]|[.!?]\S)+[.!?]?`) // "$7.50" is not two sentences
	factRE    = regexp.MustCompile(`(?i)(\d|\$|€|£|percent|\b(within|days?|weeks?|hours?|months?|policy|must|only|never|always|deadline|refund|fee|monday|tuesday|wednesday|thursday|friday|saturday|sunday|january|february|march|april|may|june|july|august|september|october|november|december)\b)`)
	wordRE    = regexp.MustCompile(`[A-Za-z][A-Za-z'-]*|\d+`)
)

// pairs finds question/answer pairs in the three shapes the package doc lists.
func pairs(lines []string) []Pair {
	var out []Pair
	add := func(says, answer string) {
		says, answer = strings.TrimSpace(says), strings.TrimSpace(answer)
		if says != "" && answer != "" && len(out) < MaxObjections {
			out = append(out, Pair{Says: says, Answer: answer})
		}
	}
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		if m := ifSaysRE.FindStringSubmatch(l); m != nil {
			add(m[1], m[2])
			continue
		}
		if m := speakerRE.FindStringSubmatch(l); m != nil && customers.MatchString(strings.TrimSpace(m[1])) && !qPrefixRE.MatchString(l) {
			if strings.Contains(m[2], "?") && i+1 < len(lines) {
				if n := speakerRE.FindStringSubmatch(lines[i+1]); n != nil && !customers.MatchString(strings.TrimSpace(n[1])) {
					add(m[2], n[2])
					i++
				}
			}
			continue
		}
		q := qPrefixRE.MatchString(l)
		if !q && !strings.HasSuffix(l, "?") || i+1 >= len(lines) {
			continue
		}
		var ans []string
		for j := i + 1; j < len(lines) && !strings.HasSuffix(lines[j], "?") && !qPrefixRE.MatchString(lines[j]); j++ {
			ans = append(ans, aPrefixRE.ReplaceAllString(lines[j], ""))
			i = j
			if len(ans) == 2 {
				break
			}
		}
		if len(ans) > 0 {
			add(strings.TrimLeft(qPrefixRE.ReplaceAllString(l, ""), "# "), strings.Join(ans, " ")) // "### Why...?": a heading
		}
	}
	return out
}

// facts are the sentences with numbers, dates, deadlines and policy words, each once.
func facts(lines []string) []Fact {
	var out []Fact
	seen := map[string]bool{}
	for _, l := range lines {
		answer := aPrefixRE.MatchString(l)
		if !answer && speakerRE.MatchString(l) || qPrefixRE.MatchString(l) || ifSaysRE.MatchString(l) ||
			strings.HasSuffix(l, "?") || strings.HasPrefix(l, "#") {
			continue // questions and dialogue are pairs, not facts
		}
		for _, s := range sentRE.FindAllString(aPrefixRE.ReplaceAllString(l, ""), -1) {
			s = strings.TrimSpace(s)
			if len(s) < 12 || seen[s] || !factRE.MatchString(s) {
				continue
			}
			seen[s] = true
			out = append(out, Fact{Text: s, Source: l})
			if len(out) == 8 {
				return out
			}
		}
	}
	return out
}

// notNames are capitalised words that start sentences and questions, not names.
var notNames = map[string]bool{"why": true, "what": true, "how": true, "if": true, "when": true, "where": true,
	"who": true, "before": true, "after": true, "please": true, "thanks": true, "hi": true, "hello": true,
	"honestly": true, "look": true, "well": true, "okay": true, "yes": true, "no": true}

// names are capitalised words (products, companies, people) found not at the start of a
// sentence, or at the start more than once.
func names(lines []string) []string {
	var order []string
	inside, count := map[string]bool{}, map[string]int{}
	for _, l := range lines {
		if m := speakerRE.FindStringSubmatch(l); m != nil {
			l = m[2]
		}
		for _, s := range sentRE.FindAllString(l, -1) {
			for i, w := range wordRE.FindAllString(s, -1) {
				lw := strings.ToLower(w)
				if len(w) < 3 || w[0] < 'A' || w[0] > 'Z' || strings.ToUpper(w) == w || strings.Contains(w, "'") || stopwords[lw] || notNames[lw] {
					continue
				}
				if count[w] == 0 {
					order = append(order, w)
				}
				count[w]++
				inside[w] = inside[w] || i > 0
			}
		}
	}
	var out []string
	for _, w := range order {
		if (inside[w] || count[w] > 1) && len(out) < 12 {
			out = append(out, w)
		}
	}
	return out
}

func situation(title string, fs []Fact) string {
	var b strings.Builder
	b.WriteString("Practice: " + title + ". Handle the caller using your team's own policy.\n")
	for _, f := range fs {
		b.WriteString("- " + f.Text + "\n")
	}
	return b.String()
}

// backstory is the template's backstory and the facts: what the persona knows from the
// material, or what the caller said on a real call.
func backstory(tpl string, fs []Fact, call bool) string {
	if len(fs) == 0 {
		return tpl
	}
	var b strings.Builder
	if call {
		b.WriteString(strings.TrimSpace(tpl) + "\nWhat the caller said on the call:\n")
	} else {
		b.WriteString(strings.TrimSpace(tpl) + "\nWhat she knows from the company's own material:\n")
	}
	for _, f := range fs {
		b.WriteString("- " + f.Text + "\n")
	}
	return b.String()
}

// stopwords are skipped when an answer's phrase is chosen.
var stopwords = map[string]bool{"the": true, "and": true, "you": true, "your": true, "our": true, "that": true,
	"this": true, "with": true, "for": true, "are": true, "can": true, "will": true, "have": true, "has": true,
	"from": true, "they": true, "them": true, "their": true, "yes": true, "not": true, "but": true, "all": true,
	"any": true, "was": true, "were": true, "been": true, "into": true, "its": true, "it's": true, "we're": true,
	"just": true, "what": true, "when": true, "which": true, "who": true, "how": true, "there": true, "then": true,
	"also": true, "about": true, "would": true, "could": true, "should": true, "may": true, "might": true}

// phraseOf is the answer's first three content words, lower case: a tolerant phrase (see
// scenario.Phrase) the learner's own wording of the answer is likely to contain.
func phraseOf(answer string) string {
	var ws []string
	for _, w := range wordRE.FindAllString(strings.ToLower(answer), -1) {
		w = strings.Trim(w, "'-")
		if len(w) >= 3 && !stopwords[w] && !slices.Contains(ws, w) {
			ws = append(ws, w)
		}
		if len(ws) == 3 {
			break
		}
	}
	return strings.Join(ws, " ")
}

type behaviour struct {
	Label   string   `yaml:"label"`
	Phrases []string `yaml:"phrases"`
	Mood    float64  `yaml:"mood"`
}

type requirement struct {
	Any []string `yaml:"any,flow"`
}

type objection struct {
	ID        string      `yaml:"id"`
	Stage     string      `yaml:"stage"`
	Says      []string    `yaml:"says"`
	Again     []string    `yaml:"again"`
	Yields    []string    `yaml:"yields"`
	HandledBy requirement `yaml:"handled_by,flow"`
}

// withPairs replaces the template's objections with the material's, each handled by a new
// behaviour, and adds the names to words.
func withPairs(scen []byte, ps []Pair, words []string) ([]byte, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(scen, &doc); err != nil {
		return nil, err
	}
	root := doc.Content[0]
	stage := ""
	if obj := value(root, "objections"); obj != nil && len(obj.Content) > 0 {
		if s := value(obj.Content[0], "stage"); s != nil {
			stage = s.Value
		}
	}
	if len(ps) > 0 && stage != "" {
		beh := value(root, "behaviours")
		var objs []objection
		for i, p := range ps {
			name := fmt.Sprintf("answers_%d", i+1)
			phrase := phraseOf(p.Answer)
			if phrase == "" {
				continue
			}
			var n yaml.Node
			if err := n.Encode(behaviour{Label: "answered: " + short(p.Says), Phrases: []string{phrase}, Mood: -1}); err != nil {
				return nil, err
			}
			beh.Content = append(beh.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: name}, &n)
			objs = append(objs, objection{ID: fmt.Sprintf("material_%d", i+1), Stage: stage, Says: []string{spell(p.Says)},
				Again: []string{"You didn't answer me. " + spell(p.Says)}, Yields: []string{"Okay. That makes sense."},
				HandledBy: requirement{Any: []string{name}}})
		}
		if len(objs) > 0 {
			var n yaml.Node
			if err := n.Encode(objs); err != nil {
				return nil, err
			}
			setValue(root, "objections", &n)
		}
	}
	if w := value(root, "words"); w != nil && w.Kind == yaml.SequenceNode {
		for _, name := range words {
			w.Content = append(w.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: name})
		}
	}
	return encode(&doc)
}

// rubricWithPairs adds a criterion crediting the material's answers, its better lines the
// answers themselves and then the agent's best lines on a real call (better).
func rubricWithPairs(rub []byte, ps []Pair, better []string) ([]byte, error) {
	if len(ps) == 0 {
		return rub, nil
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(rub, &doc); err != nil {
		return nil, err
	}
	root := doc.Content[0]
	type criterion struct {
		ID          string   `yaml:"id"`
		Name        string   `yaml:"name"`
		Weight      float64  `yaml:"weight"`
		Description string   `yaml:"description"`
		Better      []string `yaml:"better"`
		Behaviours  []string `yaml:"behaviours,flow"`
		Want        int      `yaml:"want"`
	}
	c := criterion{ID: "material_answers", Name: "Answered with the team's own policy", Weight: 15,
		Description: "Gives the answers the team's material gives to the caller's questions."}
	for i, p := range ps {
		if phraseOf(p.Answer) == "" {
			continue
		}
		c.Behaviours = append(c.Behaviours, fmt.Sprintf("answers_%d", i+1))
		c.Better = append(c.Better, p.Answer)
	}
	if len(c.Behaviours) == 0 {
		return rub, nil
	}
	if len(better) > 0 {
		c.Name, c.Description = "Answered as the agent did on the real call", "Gives the answers the agent gave to the caller's questions on the real call, and says what calmed the caller down."
		for _, b := range better {
			if !slices.Contains(c.Better, b) {
				c.Better = append(c.Better, b)
			}
		}
	}
	c.Want = min(2, len(c.Behaviours))
	var n yaml.Node
	if err := n.Encode(c); err != nil {
		return nil, err
	}
	crit := value(root, "criteria")
	if crit == nil {
		return nil, errors.New("draft: template rubric has no criteria")
	}
	crit.Content = append(crit.Content, &n)
	return encode(&doc)
}

func short(s string) string {
	if len(s) > 60 {
		return s[:57] + "..."
	}
	return s
}

func value(m *yaml.Node, key string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

func setValue(m *yaml.Node, key string, v *yaml.Node) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			v.HeadComment = m.Content[i+1].HeadComment
			m.Content[i+1] = v
			return
		}
	}
	m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: key}, v)
}

func encode(doc *yaml.Node) ([]byte, error) {
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(doc); err != nil {
		return nil, err
	}
	return buf.Bytes(), enc.Close()
}
