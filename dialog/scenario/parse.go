package scenario

import (
	"cmp"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"time"

	"gopkg.in/yaml.v3"
)

// Parse reads one scenario file strictly: YAML syntax errors, unknown or duplicate keys,
// values of the wrong type and unreadable durations are errors naming the line. name is used
// in messages. Parse does not check cross references: call Validate (Load and Lint do).
func Parse(name string, data []byte) (*Scenario, error) {
	s, probs := parse(name, data)
	if len(probs) > 0 {
		return nil, joinProblems(probs)
	}
	return s, nil
}

func joinProblems(probs []Problem) error {
	errs := []error{ErrInvalid}
	for _, p := range probs {
		errs = append(errs, p)
	}
	return errors.Join(errs...)
}

// parse returns the scenario (nil when the file cannot be read as one) and the problems met.
func parse(name string, data []byte) (*Scenario, []Problem) {
	ps := &problems{file: name}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		ps.list = append(ps.list, syntaxProblem(name, err))
		return nil, ps.list
	}
	if len(doc.Content) == 0 {
		ps.add(nil, "empty file: a scenario needs at least id, title, persona, behaviours, stages and lines")
		return nil, ps.list
	}
	root := doc.Content[0]
	ps.root = root
	src := &source{name: name, root: root}
	if root.Kind != yaml.MappingNode {
		ps.add(root, "a scenario file is a mapping of keys (id, title, persona, ...)")
		return nil, ps.list
	}
	checkSchema(ps, root, reflectFile, "scenario")
	if err := root.Decode(&src.f); err != nil && len(ps.list) == 0 {
		// The schema walk catches what Decode rejects; this is a safety net.
		ps.add(root, "%v", err)
	}
	s := resolve(src, Difficulty(src.f.Difficulty), ps)
	return s, ps.sorted()
}

var lineRE = regexp.MustCompile(`line (\d+)(?:, column (\d+))?`)

func syntaxProblem(name string, err error) Problem {
	p := Problem{File: name, Line: 1, Col: 1, Msg: err.Error()}
	if m := lineRE.FindStringSubmatch(err.Error()); m != nil {
		p.Line, _ = strconv.Atoi(m[1])
		if m[2] != "" {
			p.Col, _ = strconv.Atoi(m[2])
		}
	}
	return p
}

// WithDifficulty rebuilds the scenario from its file at another difficulty: values the file
// sets stay, the rest come from DefaultProfile(d).
func (s *Scenario) WithDifficulty(d Difficulty) (*Scenario, error) {
	if !d.valid() {
		return nil, fmt.Errorf("scenario %s: %w: difficulty %q", s.ID, ErrInvalid, d)
	}
	ps := &problems{file: s.file, root: s.src.root}
	out := resolve(s.src, d, ps)
	if len(ps.list) > 0 {
		return nil, joinProblems(ps.sorted())
	}
	return out, nil
}

// resolve applies defaults for difficulty d. Problems that stop a value being built (a bad
// duration) are reported here; the rest are Validate's.
func resolve(src *source, d Difficulty, ps *problems) *Scenario {
	f := &src.f
	prof := DefaultProfile(d)
	s := &Scenario{
		ID: f.ID, Title: f.Title, Category: Category(f.Category), Difficulty: d,
		Situation: f.Situation, LearnerGoal: f.LearnerGoal, Words: f.Words,
		file: src.name, src: src, compiled: &compiled{},
	}
	s.Persona = Persona{Name: f.Persona.Name, Voice: f.Persona.Voice, Backstory: f.Persona.Backstory,
		Goal: f.Persona.Goal}

	t := f.Turns
	dur := func(v string, def time.Duration, path ...any) time.Duration {
		if v == "" {
			return def
		}
		x, err := time.ParseDuration(v)
		if err != nil {
			ps.at(path, "%s: %q is not a duration (write e.g. 700ms, 8s, 5m)", path[len(path)-1], v)
			return def
		}
		return x
	}
	s.Turns = Turns{
		EndSilence:     dur(t.EndSilence, DefaultEndSilence, "turns", "end_silence"),
		ResumeWithin:   dur(t.ResumeWithin, DefaultResumeWithin, "turns", "resume_within"),
		MinBargeIn:     dur(t.MinBargeIn, DefaultMinBargeIn, "turns", "min_barge_in"),
		Backchannels:   orDefault(t.Backchannels, DefaultBackchannels),
		SilenceTimeout: dur(t.SilenceTimeout, prof.SilenceTimeout, "turns", "silence_timeout"),
		SilencePrompts: deref(t.SilencePrompts, prof.SilencePrompts),
		MaxDuration:    dur(t.MaxDuration, DefaultMaxDuration, "turns", "max_duration"),
		PersonaBargeIn: PersonaBargeIn{
			Enabled:   deref(t.PersonaBargeIn.Enabled, prof.PersonaBargeIn),
			AfterTalk: dur(t.PersonaBargeIn.AfterTalk, prof.AfterTalk, "turns", "persona_barge_in", "after_talk"),
			Triggers:  t.PersonaBargeIn.Triggers,
		},
	}

	// Unset, the shorter end silence is never longer than the scenario's own.
	s.Turns.EndSilenceDone = dur(t.EndSilenceDone, min(DefaultEndSilenceComplete, s.Turns.EndSilence), "turns", "end_silence_complete")

	m := f.Mood
	s.Mood = Mood{
		Max:   deref(m.Max, DefaultMoodMax),
		Drift: deref(m.Drift, prof.Drift), Recovery: deref(m.Recovery, prof.Recovery),
		Idle: deref(m.Idle, 1), TalkedOver: deref(m.TalkedOver, 1),
		Monologue: deref(m.Monologue, 1), Silence: deref(m.Silence, 1),
		MaxStep: deref(m.MaxStep, DefaultMaxStep),
	}
	s.Mood.HangupAt = deref(m.HangupAt, s.Mood.Max)
	s.Mood.Bands = resolveBands(m.Bands, s.Mood.Max)
	s.Persona.StartMood = deref(f.Persona.StartMood, s.Mood.Max/2)

	for _, name := range mapKeys(src.root, "behaviours") {
		b, ok := f.Behaviours[name]
		if !ok {
			continue
		}
		rep := 0.0 // kind words lose their effect when repeated...
		if b.Mood > 0 {
			rep = b.Mood // ...provocations keep provoking
		}
		label := b.Label
		if label == "" {
			label = name
		}
		s.Behaviours = append(s.Behaviours, Behaviour{Name: name, Label: label, Phrases: b.Phrases,
			Needs: Needs(b.Needs), Mood: b.Mood, Repeat: deref(b.Repeat, rep), EndsCall: b.EndsCall,
			CorrectedBy: b.CorrectedBy, ShownBy: b.ShownBy, List: b.List})
	}
	for _, st := range f.Stages {
		s.Stages = append(s.Stages, Stage{Name: st.Name, Advance: resolveReq(st.Advance),
			Skip: resolveReq(st.Skip), MaxMood: deref(st.MaxMood, s.Mood.Max)})
	}
	for _, o := range f.Objections {
		s.Objections = append(s.Objections, Objection{ID: o.ID, Stage: o.Stage, Says: o.Says,
			Again: o.Again, Yields: o.Yields, HandledBy: resolveReq(o.HandledBy)})
	}
	s.RaiseObjections = deref(f.RaiseObjections, prof.Raised(len(f.Objections)))

	l := f.Lines
	s.Lines = Lines{Greeting: l.Greeting, Silence: l.Silence, SilenceHangup: l.SilenceHangup,
		HangupAngry: l.HangupAngry, GoodbyeResolved: l.GoodbyeResolved, Goodbye: l.Goodbye,
		Repair: l.Repair, Interrupted: l.Interrupted, RepeatQuestion: l.RepeatQuestion,
		Reactions: l.Reactions, Stages: l.Stages}
	pr := f.Providers
	s.Providers = Providers{Persona: pr.Persona, STT: pr.STT, TTS: pr.TTS, Voice: pr.Voice}
	return s
}

func resolveReq(r fileRequirement) Requirement {
	min := 0
	if len(r.Any) > 0 {
		min = 1
	}
	return Requirement{All: r.All, Any: r.Any, Min: deref(r.Min, min)}
}

// resolveBands orders the file's bands by their upper bound; without any, calm, annoyed and
// angry split the scale at thirty and sixty-five percent.
func resolveBands(bands map[string]int, max int) []Band {
	if len(bands) == 0 {
		return []Band{{"calm", max * 3 / 10}, {"annoyed", max * 65 / 100}, {"angry", max}}
	}
	out := make([]Band, 0, len(bands))
	for name, upto := range bands {
		out = append(out, Band{name, upto})
	}
	sortBands(out)
	return out
}

func deref[T any](p *T, def T) T {
	if p == nil {
		return def
	}
	return *p
}

func orDefault(v, def []string) []string {
	if len(v) == 0 {
		return def
	}
	return v
}

var reflectFile = reflect.TypeOf(file{})

func sortBands(b []Band) {
	slices.SortFunc(b, func(x, y Band) int { return cmp.Or(cmp.Compare(x.UpTo, y.UpTo), cmp.Compare(x.Name, y.Name)) })
}
