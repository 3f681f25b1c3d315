package scenario

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"
)

// Validate checks the scenario as a whole: required fields, ranges, references between
// behaviours, stages, objections and lines, stages that can never be reached, and lines fit
// for speech. Every problem names its line.
func (s *Scenario) Validate() error {
	if probs := s.check(); len(probs) > 0 {
		return joinProblems(probs)
	}
	return nil
}

func (s *Scenario) check() []Problem {
	ps := &problems{file: s.file}
	if s.src != nil {
		ps.root = s.src.root
	}
	v := validator{s: s, ps: ps}
	v.header()
	v.turns()
	v.mood()
	v.behaviours()
	v.stages()
	v.objections()
	v.lines()
	v.providers()
	return ps.sorted()
}

type validator struct {
	s  *Scenario
	ps *problems
}

var (
	idRE    = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)
	nameRE  = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	voiceRE = regexp.MustCompile(`^espeak:[A-Za-z0-9_+./-]+$`)
)

// FliteVoices are the voices the offline synthesizer ships.
var FliteVoices = []string{"slt", "rms", "awb", "kal", "kal16"}

func (v validator) required(val string, path ...any) {
	if strings.TrimSpace(val) == "" {
		v.ps.at(path, "%s is required", path[len(path)-1])
	}
}

func (v validator) header() {
	s := v.s
	v.required(s.ID, "id")
	if s.ID != "" && !idRE.MatchString(s.ID) {
		v.ps.at([]any{"id"}, "id %q: use lower-case letters, digits and dashes", s.ID)
	}
	v.required(s.Title, "title")
	v.required(string(s.Category), "category")
	if s.Category != "" && !s.Category.valid() {
		v.ps.at([]any{"category"}, "category %q: want support, sales or other", s.Category)
	}
	v.required(string(s.Difficulty), "difficulty")
	if s.Difficulty != "" && !s.Difficulty.valid() {
		v.ps.at([]any{"difficulty"}, "difficulty %q: want easy, medium or hard", s.Difficulty)
	}
	v.required(s.Situation, "situation")
	v.required(s.LearnerGoal, "learner_goal")
	v.required(s.Persona.Name, "persona", "name")
	v.required(s.Persona.Goal, "persona", "goal")
	v.required(s.Persona.Voice, "persona", "voice")
	if vo := s.Persona.Voice; vo != "" && !slices.Contains(FliteVoices, vo) && !voiceRE.MatchString(vo) {
		v.ps.at([]any{"persona", "voice"}, "unknown voice %q: want one of %s, or espeak:<voice>",
			vo, strings.Join(FliteVoices, ", "))
	}
}

func (v validator) turns() {
	t := v.s.Turns
	within := func(d, lo, hi time.Duration, path ...any) {
		if d < lo || d > hi {
			v.ps.at(path, "%s %v: keep it between %v and %v", path[len(path)-1], d, lo, hi)
		}
	}
	within(t.EndSilence, 200*time.Millisecond, 3*time.Second, "turns", "end_silence")
	within(t.EndSilenceDone, 150*time.Millisecond, max(t.EndSilence, 150*time.Millisecond), "turns", "end_silence_complete")
	within(t.ResumeWithin, 0, 3*time.Second, "turns", "resume_within")
	within(t.MinBargeIn, 100*time.Millisecond, 2*time.Second, "turns", "min_barge_in")
	// Asking "are you there?" too soon is a top complaint: learners need time to think.
	within(t.SilenceTimeout, 3*time.Second, time.Minute, "turns", "silence_timeout")
	within(t.MaxDuration, 30*time.Second, time.Hour, "turns", "max_duration")
	if t.PersonaBargeIn.Enabled {
		within(t.PersonaBargeIn.AfterTalk, 5*time.Second, 5*time.Minute, "turns", "persona_barge_in", "after_talk")
	}
	if t.SilencePrompts < 1 || t.SilencePrompts > 5 {
		v.ps.at([]any{"turns", "silence_prompts"}, "silence_prompts %d: keep it between 1 and 5", t.SilencePrompts)
	}
	for i, b := range t.Backchannels {
		if len(Tokenize(b)) == 0 {
			v.ps.at([]any{"turns", "backchannels", i}, "empty backchannel")
		}
	}
	for i, tr := range t.PersonaBargeIn.Triggers {
		if _, err := CompilePhrase(tr); err != nil {
			v.ps.at([]any{"turns", "persona_barge_in", "triggers", i}, "trigger: %v", err)
		}
	}
}

func (v validator) mood() {
	m := v.s.Mood
	if m.Max < 2 || m.Max > 100 {
		v.ps.at([]any{"mood", "max"}, "mood max %d: keep it between 2 and 100", m.Max)
		return
	}
	start := v.s.Persona.StartMood
	if start < 0 || start >= m.HangupAt {
		v.ps.at([]any{"persona", "start_mood"}, "start_mood %d: must be at least 0 and below hangup_at (%d)", start, m.HangupAt)
	}
	if m.HangupAt < 1 || m.HangupAt > m.Max {
		v.ps.at([]any{"mood", "hangup_at"}, "hangup_at %d: must be between 1 and max (%d)", m.HangupAt, m.Max)
	}
	type knob struct {
		name string
		x    float64
	}
	if m.MaxStep <= 0 || m.MaxStep > float64(m.Max) {
		v.ps.at([]any{"mood", "max_step"}, "max_step %v: must be above 0 and at most max (%d)", m.MaxStep, m.Max)
	}
	for _, k := range []knob{{"drift", m.Drift}, {"recovery", m.Recovery}} {
		if k.x <= 0 || k.x > 10 {
			v.ps.at([]any{"mood", k.name}, "%s %v: must be above 0 and at most 10", k.name, k.x)
		}
	}
	for _, k := range []knob{{"idle", m.Idle}, {"talked_over", m.TalkedOver}, {"monologue", m.Monologue}, {"silence", m.Silence}} {
		if k.x < 0 || k.x > 10 {
			v.ps.at([]any{"mood", k.name}, "%s %v: must be within 0..10", k.name, k.x)
		}
	}
	prev := -1
	for _, b := range m.Bands {
		path := []any{"mood", "bands", key(b.Name)}
		switch {
		case !nameRE.MatchString(b.Name) || b.Name == EnterKey || b.Name == EarlyKey:
			v.ps.at(path, "band %q: use a lower-case name other than %q or %q", b.Name, EnterKey, EarlyKey)
		case b.UpTo == prev:
			v.ps.at(path, "band %q ends at %d like the band before it", b.Name, b.UpTo)
		case b.UpTo < 0 || b.UpTo > m.Max:
			v.ps.at(path, "band %q ends at %d, outside 0..%d", b.Name, b.UpTo, m.Max)
		}
		prev = b.UpTo
	}
	if n := len(m.Bands); n > 0 && m.Bands[n-1].UpTo != m.Max {
		v.ps.at([]any{"mood", "bands"}, "the last band must end at max (%d)", m.Max)
	}
}

func (v validator) behaviours() {
	if len(v.s.Behaviours) == 0 {
		v.ps.at([]any{"behaviours"}, "behaviours are required: the persona reacts to nothing")
	}
	for _, b := range v.s.Behaviours {
		path := []any{"behaviours", key(b.Name)}
		if !nameRE.MatchString(b.Name) {
			v.ps.at(path, "behaviour %q: use lower-case letters, digits and underscores", b.Name)
		}
		if len(b.Phrases) == 0 {
			v.ps.at(path, "behaviour %q has no phrases: it can never be detected", b.Name)
		}
		for i, src := range b.Phrases {
			if _, err := CompilePhrase(src); err != nil {
				v.ps.at([]any{"behaviours", b.Name, "phrases", i}, "behaviour %q: %v", b.Name, err)
			}
		}
		if !b.Needs.valid() {
			v.ps.at([]any{"behaviours", b.Name, "needs"}, "behaviour %q: needs %q: want question, open_question, statement or commitment (or leave it out)", b.Name, b.Needs)
		}
		if b.Mood < -10 || b.Mood > 10 || b.Repeat < -10 || b.Repeat > 10 {
			v.ps.at([]any{"behaviours", b.Name, "mood"}, "behaviour %q: mood effects must be within -10..10", b.Name)
		}
		if b.List < 0 || b.List > 10 {
			v.ps.at([]any{"behaviours", b.Name, "list"}, "behaviour %q: list %d: want 2 to 10 places (or leave it out)", b.Name, b.List)
		}
		for i, src := range b.ShownBy {
			if _, err := CompilePhrase(src); err != nil {
				v.ps.at([]any{"behaviours", b.Name, "shown_by", i}, "behaviour %q: %v", b.Name, err)
			}
		}
		for i, n := range b.CorrectedBy {
			if _, found := v.s.Behaviour(n); !found || n == b.Name {
				v.ps.at([]any{"behaviours", b.Name, "corrected_by", i}, "behaviour %q: corrected_by %q: name another behaviour of this scenario", b.Name, n)
			}
		}
	}
}

// detectable reports whether a behaviour exists and has a phrase.
func (v validator) detectable(name string) bool {
	b, ok := v.s.Behaviour(name)
	return ok && len(b.Phrases) > 0
}

// requirement checks references and reports whether the requirement can ever be met.
func (v validator) requirement(r Requirement, path ...any) bool {
	ok := true
	for _, list := range []string{"all", "any"} {
		names := r.All
		if list == "any" {
			names = r.Any
		}
		for i, n := range names {
			if _, found := v.s.Behaviour(n); !found {
				v.ps.at(append(slices.Clone(path), list, i), "unknown behaviour %q", n)
				ok = false
			} else if !v.detectable(n) {
				ok = false
			}
		}
	}
	if r.Min < 0 || r.Min > 0 && len(r.Any) == 0 {
		v.ps.at(append(slices.Clone(path), "min"), "min %d needs behaviours under any", r.Min)
		ok = false
	}
	return ok
}

func (v validator) stages() {
	s := v.s
	if len(s.Stages) < 2 {
		v.ps.at([]any{"stages"}, "at least two stages are needed (an opening and a close)")
	}
	seen := map[string]bool{}
	blocked := ""
	for i, st := range s.Stages {
		path := []any{"stages", i}
		if !nameRE.MatchString(st.Name) {
			v.ps.at(append(path, "name"), "stage name %q: use lower-case letters, digits and underscores", st.Name)
		}
		if seen[st.Name] {
			v.ps.at(append(path, "name"), "stage %q defined twice", st.Name)
		}
		seen[st.Name] = true
		if blocked != "" {
			v.ps.at(append(path, "name"), "stage %q is unreachable: stage %q can never advance", st.Name, blocked)
		}
		ok := v.requirement(st.Advance, "stages", i, "advance")
		if !st.Skip.Empty() {
			if i == len(s.Stages)-1 {
				v.ps.at(append(path, "skip"), "stage %q: the last stage ends the call; it cannot be skipped", st.Name)
			}
			v.requirement(st.Skip, "stages", i, "skip")
		}
		if st.MaxMood < 0 || st.MaxMood > s.Mood.Max {
			v.ps.at(append(path, "max_mood"), "max_mood %d: must be within 0..%d", st.MaxMood, s.Mood.Max)
			ok = false
		}
		for _, o := range s.ActiveObjections() {
			if o.Stage == st.Name && !v.handleable(o) {
				ok = false
			}
		}
		if !ok && blocked == "" {
			blocked = st.Name
		}
	}
}

func (v validator) handleable(o Objection) bool {
	for _, n := range append(slices.Clone(o.HandledBy.All), o.HandledBy.Any...) {
		if !v.detectable(n) {
			return false
		}
	}
	return !o.HandledBy.Empty()
}

func (v validator) stageIndex(name string) int {
	return slices.IndexFunc(v.s.Stages, func(st Stage) bool { return st.Name == name })
}

func (v validator) objections() {
	s := v.s
	ids := map[string]bool{}
	last := 0
	for i, o := range s.Objections {
		path := []any{"objections", i}
		v.required(o.ID, append(path, "id")...)
		if ids[o.ID] {
			v.ps.at(append(path, "id"), "objection %q defined twice", o.ID)
		}
		ids[o.ID] = true
		switch si := v.stageIndex(o.Stage); {
		case o.Stage == "":
			v.ps.at(append(path, "stage"), "objection %q: stage is required", o.ID)
		case si < 0:
			v.ps.at(append(path, "stage"), "objection %q: unknown stage %q", o.ID, o.Stage)
		case si == len(s.Stages)-1:
			v.ps.at(append(path, "stage"), "objection %q: the last stage ends the call; raise it earlier", o.ID)
		case si < last:
			v.ps.at(append(path, "stage"), "objection %q: listed after an objection of a later stage; keep them in stage order", o.ID)
		default:
			last = si
		}
		if len(o.Says) == 0 {
			v.ps.at(path, "objection %q: says is required", o.ID)
		}
		if o.HandledBy.Empty() {
			v.ps.at(path, "objection %q: handled_by is required", o.ID)
		}
		v.requirement(o.HandledBy, "objections", i, "handled_by")
	}
	if s.RaiseObjections < 0 || s.RaiseObjections > len(s.Objections) {
		v.ps.at([]any{"raise_objections"}, "raise_objections %d: must be within 0..%d", s.RaiseObjections, len(s.Objections))
	}
}

func (v validator) lines() {
	s, l := v.s, v.s.Lines
	need := func(list []string, name string) {
		if len(list) == 0 {
			v.ps.at([]any{"lines", name}, "lines.%s is required", name)
		}
	}
	need(l.Greeting, "greeting")
	need(l.Silence, "silence")
	need(l.HangupAngry, "hangup_angry")
	need(l.GoodbyeResolved, "goodbye_resolved")
	need(l.Repair, "repair")
	if s.Turns.PersonaBargeIn.Enabled {
		need(l.Interrupted, "interrupted")
	}
	if slices.ContainsFunc(s.Behaviours, func(b Behaviour) bool { return b.EndsCall }) {
		need(l.Goodbye, "goodbye")
	}
	special := map[string][]string{"greeting": l.Greeting, "silence": l.Silence,
		"silence_hangup": l.SilenceHangup, "hangup_angry": l.HangupAngry,
		"goodbye_resolved": l.GoodbyeResolved, "goodbye": l.Goodbye, "repair": l.Repair,
		"interrupted": l.Interrupted, "repeat_question": l.RepeatQuestion}
	for _, name := range sortedKeys(special) {
		v.speech(special[name], "lines", name)
	}
	for _, name := range sortedKeys(l.Reactions) {
		if _, ok := s.Behaviour(name); !ok {
			v.ps.at([]any{"lines", "reactions", key(name)}, "reaction to unknown behaviour %q", name)
		}
		v.speech(l.Reactions[name], "lines", "reactions", name)
	}
	bands := map[string]bool{EnterKey: true, EarlyKey: true}
	for _, b := range s.Mood.Bands {
		bands[b.Name] = true
	}
	for _, st := range sortedKeys(l.Stages) {
		if v.stageIndex(st) < 0 {
			v.ps.at([]any{"lines", "stages", key(st)}, "lines for unknown stage %q", st)
		}
		for _, band := range sortedKeys(l.Stages[st]) {
			if !bands[band] {
				v.ps.at([]any{"lines", "stages", st, key(band)}, "unknown mood band %q (bands: %s, or %s, %s)",
					band, bandNames(s.Mood.Bands), EnterKey, EarlyKey)
			}
			v.speech(l.Stages[st][band], "lines", "stages", st, band)
		}
	}
	for i, st := range s.Stages {
		canStay := !st.Advance.Empty() || st.MaxMood < s.Mood.HangupAt
		if canStay && i < len(s.Stages)-1 && !hasBandLines(l.Stages[st.Name]) {
			v.ps.at([]any{"stages", i, "name"}, "stage %q has no lines under lines.stages.%s", st.Name, st.Name)
		}
	}
	for i, o := range s.Objections {
		v.speech(o.Says, "objections", i, "says")
		v.speech(o.Again, "objections", i, "again")
		v.speech(o.Yields, "objections", i, "yields")
	}
}

func hasBandLines(m map[string][]string) bool {
	for k, list := range m {
		if k != EnterKey && k != EarlyKey && len(list) > 0 {
			return true
		}
	}
	return false
}

// MaxLineWords keeps persona lines short so speech starts fast and sounds like a phone call.
const MaxLineWords = 25

// speech checks lines the synthesizer will read.
func (v validator) speech(list []string, path ...any) {
	for i, line := range list {
		p := append(slices.Clone(path), i)
		if strings.TrimSpace(line) == "" {
			v.ps.at(p, "empty line")
			continue
		}
		if n := len(strings.Fields(line)); n > MaxLineWords {
			v.ps.at(p, "line has %d words: keep persona lines under %d so speech starts fast", n, MaxLineWords)
		}
		if msg := unspeakable(line); msg != "" {
			v.ps.at(p, "%s", msg)
		}
	}
}

// unspeakable returns why a line reads badly aloud, or "".
func unspeakable(line string) string {
	for _, r := range line {
		switch {
		case unicode.IsDigit(r):
			return fmt.Sprintf("digit %q: spell numbers the way people say them (forty-nine ninety-nine)", r)
		case unicode.IsLetter(r), unicode.IsSpace(r), strings.ContainsRune(".,!?'’\"“”;:-—–()", r):
		default:
			return fmt.Sprintf("character %q reads badly aloud: write it out in words", r)
		}
	}
	return ""
}

func bandNames(bs []Band) string {
	var names []string
	for _, b := range bs {
		names = append(names, b.Name)
	}
	return strings.Join(names, ", ")
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
