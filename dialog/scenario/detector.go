package scenario

// Detector finds a scenario's behaviours in what the learner said. The persona uses it to
// react; scoring reuses it to quote evidence.
type Detector struct {
	names   []string
	phrases [][]Phrase
}

// Detector compiles the scenario's behaviours. A phrase that does not compile is skipped
// (Validate reports it).
func (s *Scenario) Detector() *Detector {
	d := &Detector{}
	for _, b := range s.Behaviours {
		var ps []Phrase
		for _, src := range b.Phrases {
			if p, err := CompilePhrase(src); err == nil {
				ps = append(ps, p)
			}
		}
		d.names = append(d.names, b.Name)
		d.phrases = append(d.phrases, ps)
	}
	return d
}

// Detect returns the names of the behaviours found in text, in the scenario's order.
func (d *Detector) Detect(text string) []string {
	return d.DetectTokens(Tokenize(text))
}

// DetectTokens is Detect on text already passed through Tokenize.
func (d *Detector) DetectTokens(toks []string) []string {
	var found []string
	for i, ps := range d.phrases {
		for _, p := range ps {
			if p.Match(toks) {
				found = append(found, d.names[i])
				break
			}
		}
	}
	return found
}

// Phrases returns every phrase the learner is expected to say (as plain words) plus the
// persona's name and the scenario's product words, without duplicates, for recognizers that
// take keyword hints.
func (s *Scenario) Phrases() []string {
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
		for _, src := range b.Phrases {
			if p, err := CompilePhrase(src); err == nil {
				add(p.Plain())
			}
		}
	}
	return out
}
