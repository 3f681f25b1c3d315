package scenario_test

import (
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sparlab/spar/configs"
	"github.com/sparlab/spar/dialog/scenario"
)

func catalog(t *testing.T) *scenario.Catalog {
	t.Helper()
	c, err := scenario.Load(configs.Scenarios, "scenarios")
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestCatalogShipped(t *testing.T) {
	c := catalog(t)
	var ids []string
	for _, s := range c.List() {
		ids = append(ids, s.ID)
	}
	want := []string{"cold-call-vendor", "double-charge", "double-charge-hard", "lost-appointment"}
	if !slices.Equal(ids, want) {
		t.Fatalf("List ids = %v, want %v", ids, want)
	}
	if title, ok := c.Title("double-charge"); !ok || title != "Charged twice for a renewal" {
		t.Errorf("Title = %q, %v", title, ok)
	}
	if _, ok := c.Get("nope"); ok {
		t.Error("Get found an unknown id")
	}
	cats := map[scenario.Category]bool{}
	diffs := map[scenario.Difficulty]bool{}
	for _, s := range c.List() {
		cats[s.Category], diffs[s.Difficulty] = true, true
	}
	if !cats[scenario.Support] || !cats[scenario.Sales] || len(diffs) != 3 {
		t.Errorf("shipped categories %v, difficulties %v: want support and sales at all three levels", cats, diffs)
	}
}

// TestParseRoundTrip parses each shipped file, rebuilds it at its own difficulty from what
// was kept, and checks the two agree, and that values the file sets survived.
func TestParseRoundTrip(t *testing.T) {
	for _, s := range catalog(t).List() {
		t.Run(s.ID, func(t *testing.T) {
			data, err := configs.Scenarios.ReadFile(s.File())
			if err != nil {
				t.Fatal(err)
			}
			again, err := scenario.Parse(s.File(), data)
			if err != nil {
				t.Fatal(err)
			}
			same, err := again.WithDifficulty(s.Difficulty)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(exported(s), exported(same)) {
				t.Errorf("rebuilt scenario differs from the parsed one")
			}
			if len(s.Behaviours) == 0 || len(s.Stages) < 3 || len(s.Lines.Greeting) == 0 {
				t.Errorf("scenario lost content: %d behaviours, %d stages", len(s.Behaviours), len(s.Stages))
			}
			if s.Turns.EndSilence < 500*time.Millisecond || s.Turns.MaxDuration != 8*time.Minute {
				t.Errorf("turns = %+v", s.Turns)
			}
		})
	}
}

// exported copies the comparable, exported view of a scenario.
func exported(s *scenario.Scenario) []any {
	return []any{s.ID, s.Title, s.Category, s.Difficulty, s.Situation, s.LearnerGoal, s.Persona,
		s.Words, s.Turns, s.Mood, s.Behaviours, s.Stages, s.Objections, s.RaiseObjections, s.Lines}
}

func TestDifficultyChangesBehaviourNotLabel(t *testing.T) {
	s, _ := catalog(t).Get("cold-call-vendor")
	easy, err := s.WithDifficulty(scenario.Easy)
	if err != nil {
		t.Fatal(err)
	}
	hard, err := s.WithDifficulty(scenario.Hard)
	if err != nil {
		t.Fatal(err)
	}
	if !(len(easy.ActiveObjections()) < len(s.ActiveObjections()) && len(s.ActiveObjections()) < len(hard.ActiveObjections())) {
		t.Errorf("objections raised: easy %d, medium %d, hard %d", len(easy.ActiveObjections()),
			len(s.ActiveObjections()), len(hard.ActiveObjections()))
	}
	if !(easy.Turns.SilenceTimeout > hard.Turns.SilenceTimeout && easy.Turns.PersonaBargeIn.AfterTalk > hard.Turns.PersonaBargeIn.AfterTalk) {
		t.Errorf("patience: easy %+v, hard %+v", easy.Turns, hard.Turns)
	}
	if easy.Turns.PersonaBargeIn.Enabled || !hard.Turns.PersonaBargeIn.Enabled {
		t.Errorf("persona barge-in: easy %v, hard %v", easy.Turns.PersonaBargeIn.Enabled, hard.Turns.PersonaBargeIn.Enabled)
	}
	if !(easy.Mood.Drift < hard.Mood.Drift && easy.Mood.Recovery > hard.Mood.Recovery) {
		t.Errorf("mood: easy %+v, hard %+v", easy.Mood, hard.Mood)
	}
	if _, err := s.WithDifficulty("brutal"); err == nil {
		t.Error("WithDifficulty accepted an unknown difficulty")
	}
}

func TestFileOverridesDifficultyDefault(t *testing.T) {
	data := minimal + "turns:\n  silence_timeout: 20s\nmood:\n  drift: 2\n"
	s, err := scenario.Parse("x.yaml", []byte(data))
	if err != nil {
		t.Fatal(err)
	}
	hard, err := s.WithDifficulty(scenario.Hard)
	if err != nil {
		t.Fatal(err)
	}
	if hard.Turns.SilenceTimeout != 20*time.Second || hard.Mood.Drift != 2 {
		t.Errorf("hard lost the file's values: %v, %v", hard.Turns.SilenceTimeout, hard.Mood.Drift)
	}
	if hard.Mood.Recovery != scenario.DefaultProfile(scenario.Hard).Recovery {
		t.Errorf("hard recovery = %v, want the hard default", hard.Mood.Recovery)
	}
}

const minimal = `id: minimal
title: Minimal
category: other
difficulty: easy
situation: A caller.
learner_goal: Say sorry.
persona: {name: Pat, voice: "espeak:en-us", goal: An apology.}
behaviours:
  apologize: {phrases: [sorry], mood: -1}
stages:
  - name: opening
  - name: close
    advance: {all: [apologize]}
lines:
  greeting: ["Hello."]
  silence: ["Hello?"]
  hangup_angry: ["Bye."]
  goodbye_resolved: ["Thanks, bye."]
  repair: ["Sorry?"]
`

func TestParseStrictErrorsNameTheLine(t *testing.T) {
	_, err := scenario.Parse("x.yaml", []byte(minimal+"colour: blue\n"))
	if err == nil || !strings.Contains(err.Error(), `x.yaml:20:1: unknown key "colour"`) {
		t.Fatalf("err = %v", err)
	}
	s, err := scenario.Parse("x.yaml", []byte(minimal))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Validate(); err != nil {
		t.Fatalf("minimal scenario: %v", err)
	}
}

func TestPhrasesForRecognizer(t *testing.T) {
	s, _ := catalog(t).Get("double-charge")
	ph := s.Phrases()
	for _, want := range []string{"Dana Reyes", "Brightwave", "calm down", "business days", "i understand your frustration"} {
		if !slices.Contains(ph, want) {
			t.Errorf("Phrases() lacks %q", want)
		}
	}
	seen := map[string]bool{}
	for _, p := range ph {
		if seen[p] || strings.ContainsAny(p, "()[]|*") {
			t.Errorf("phrase %q duplicated or still in phrase syntax", p)
		}
		seen[p] = true
	}
}

// TestCompiledOnceShared: calls share one compiled detector, made once even when many calls
// start at the same moment (run with -race).
func TestCompiledOnceShared(t *testing.T) {
	s, _ := catalog(t).Get("double-charge")
	dets := make([]*scenario.Detector, 8)
	var wg sync.WaitGroup
	for i := range dets {
		wg.Go(func() { dets[i] = s.Detector(); _ = s.Phrases(); _ = s.BargeInTriggers() })
	}
	wg.Wait()
	for _, d := range dets[1:] {
		if d != dets[0] {
			t.Fatal("each call compiled its own detector")
		}
	}
	if got := dets[0].Detect("I'm so sorry, I understand your frustration"); len(got) == 0 {
		t.Error("the shared detector finds nothing in an empathy line")
	}
	hard, err := s.WithDifficulty(scenario.Hard)
	if err != nil {
		t.Fatal(err)
	}
	if hard.Detector() == dets[0] {
		t.Error("a scenario at another difficulty shares the first one's detector")
	}
}

// TestEndSilenceComplete: turns.end_silence_complete defaults to the shorter of 350 ms and
// end_silence, and may not exceed end_silence.
func TestEndSilenceComplete(t *testing.T) {
	for yaml, want := range map[string]time.Duration{
		"":                                       scenario.DefaultEndSilenceComplete,
		"turns: {end_silence: 250ms}\n":          250 * time.Millisecond,
		"turns: {end_silence_complete: 300ms}\n": 300 * time.Millisecond,
	} {
		s, err := scenario.Parse("x.yaml", []byte(minimal+yaml))
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Validate(); err != nil {
			t.Errorf("%q: %v", yaml, err)
		}
		if s.Turns.EndSilenceDone != want {
			t.Errorf("%q: end_silence_complete %v, want %v", yaml, s.Turns.EndSilenceDone, want)
		}
	}
	s, err := scenario.Parse("x.yaml", []byte(minimal+"turns: {end_silence: 500ms, end_silence_complete: 600ms}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Validate(); err == nil || !strings.Contains(err.Error(), "end_silence_complete") {
		t.Errorf("end_silence_complete over end_silence: %v", err)
	}
}

// TestResumeWithin: turns.resume_within defaults to 1 s, 0s turns it off, and it is at most
// 3 s.
func TestResumeWithin(t *testing.T) {
	for yaml, want := range map[string]time.Duration{
		"":                                scenario.DefaultResumeWithin,
		"turns: {resume_within: 0s}\n":    0,
		"turns: {resume_within: 600ms}\n": 600 * time.Millisecond,
	} {
		s, err := scenario.Parse("x.yaml", []byte(minimal+yaml))
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Validate(); err != nil {
			t.Errorf("%q: %v", yaml, err)
		}
		if s.Turns.ResumeWithin != want {
			t.Errorf("%q: resume_within %v, want %v", yaml, s.Turns.ResumeWithin, want)
		}
	}
	s, err := scenario.Parse("x.yaml", []byte(minimal+"turns: {resume_within: 5s}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Validate(); err == nil || !strings.Contains(err.Error(), "resume_within") {
		t.Errorf("resume_within 5s: %v", err)
	}
}
