package scenario

import (
	"slices"
	"sync"
)

// Detector finds a scenario's behaviours in what the learner said. It is the one
// definition of each behaviour: the persona reacts to what it finds and the rubric grades
// it, so the two never disagree about what happened.
type Detector struct {
	names   []string
	phrases [][]Phrase
	needs   []Needs
	mood    []float64
	ends    []bool // the behaviour ends the call (accepting a brush-off)
	list    []int  // Behaviour.List
}

// compiled is what a scenario's calls share: its phrases compiled once, on first use (about
// three thousand objects per call when each call compiled its own).
type compiled struct {
	once     sync.Once
	det      *Detector
	triggers []Phrase
	phrases  []string
	shown    [][]Phrase // each behaviour's ShownBy, by index
}

// get compiles s's phrases the first time it is called. A Scenario not made by Parse (a
// literal in a test) compiles them on every call.
func (s *Scenario) get() *compiled {
	c := s.compiled
	if c == nil {
		c = &compiled{}
	}
	c.once.Do(func() {
		c.det = s.compileDetector()
		c.triggers = compileAll(s.Turns.PersonaBargeIn.Triggers)
		c.phrases = s.plainPhrases()
		for _, b := range s.Behaviours {
			c.shown = append(c.shown, compileAll(b.ShownBy))
		}
	})
	return c
}

// Detector returns the scenario's behaviour detector. It is read-only: calls share it. A
// phrase that does not compile is skipped (Validate reports it).
func (s *Scenario) Detector() *Detector { return s.get().det }

// ShownBy returns the behaviours a persona line shows the learner's line before it did
// (Behaviour.ShownBy), in scenario order.
func (s *Scenario) ShownBy(text string) []string {
	toks := Tokenize(text)
	var out []string
	for i, ps := range s.get().shown {
		if slices.ContainsFunc(ps, func(p Phrase) bool { return p.Match(toks) }) {
			out = append(out, s.Behaviours[i].Name)
		}
	}
	return out
}

// BargeInTriggers returns the compiled persona barge-in trigger phrases, shared read-only.
func (s *Scenario) BargeInTriggers() []Phrase { return s.get().triggers }

func (s *Scenario) compileDetector() *Detector {
	d := &Detector{}
	for _, b := range s.Behaviours {
		d.names = append(d.names, b.Name)
		ps := compileAll(b.Phrases)
		if b.Mood > 0 { // a provocation: charged only for the words as written
			for i := range ps {
				ps[i].exact = true
			}
		}
		d.phrases = append(d.phrases, ps)
		d.needs = append(d.needs, b.Needs)
		d.mood = append(d.mood, b.Mood)
		d.ends = append(d.ends, b.EndsCall)
		d.list = append(d.list, b.List)
	}
	return d
}

// compileAll compiles each source, skipping those that do not compile.
func compileAll(srcs []string) []Phrase {
	var ps []Phrase
	for _, src := range srcs {
		if p, err := CompilePhrase(src); err == nil {
			ps = append(ps, p)
		}
	}
	return ps
}

// Detect returns the names of the behaviours found in text, in the scenario's order, as
// Understand credits them.
func (d *Detector) Detect(text string) []string { return d.Understand(text).Found }

// Phrases returns every phrase the learner is expected to say (as plain words) plus the
// persona's name and the scenario's product words, without duplicates, for recognizers that
// take keyword hints. The slice is shared: do not modify it.
func (s *Scenario) Phrases() []string { return s.get().phrases }

func (s *Scenario) plainPhrases() []string {
	seen := map[string]bool{}
	var out []string
	add := func(p string) {
		if p != "" && !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	add(s.Persona.Name)
	for _, w := range s.Words {
		add(w)
	}
	for _, b := range s.Behaviours {
		for _, p := range compileAll(b.Phrases) {
			add(p.Plain())
		}
	}
	return out
}
