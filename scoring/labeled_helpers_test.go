package scoring

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/sparlab/spar/configs"
	"github.com/sparlab/spar/dialog"
	"github.com/sparlab/spar/dialog/scenario"
	"github.com/sparlab/spar/dialog/store"
)

// labeled is one hand-labeled call in testdata/labeled/<half>: a transcript as a recognizer
// would give it, the outcome, and what a trainer expects from the score.
type labeled struct {
	Name      string   `yaml:"name"`
	Half      string   `yaml:"-"` // tune, heldout or phone: the folder it was read from
	Scenario  string   `yaml:"scenario"`
	Level     string   `yaml:"level"`  // good, borderline, mediocre, poor, adversarial: how the labeler judged it
	Writer    string   `yaml:"writer"` // the agent's voice the writer played (terse, warm...)
	Noise     string   `yaml:"noise"`  // clean, asr (hand-written recognizer noise) or phone (heard through the phone path)
	Source    string   `yaml:"source"` // for phone copies: the half the original came from
	Status    string   `yaml:"status"`
	Goal      bool     `yaml:"goal"`
	EndReason string   `yaml:"end_reason"`
	Events    []string `yaml:"events"` // "<sec> mood <n>", "<sec> stage <name>", "<sec> barge_in <speaker>", "<sec> silence"
	Lines     []string `yaml:"lines"`  // "L|P <start> <end> <text>"; "L@0.42 ..." gives the recognizer's confidence
	Expect    struct {
		Pass  bool              `yaml:"pass"`
		Bands map[string]string `yaml:"bands"`
		Why   string            `yaml:"why"`
	} `yaml:"expect"`
}

func sec(t *testing.T, s string) time.Duration {
	t.Helper()
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatalf("bad seconds %q: %v", s, err)
	}
	return time.Duration(f * float64(time.Second))
}

// call builds the sealed record and timeline the engine would have produced.
func (l *labeled) call(t *testing.T) (*store.Record, []dialog.Event) {
	t.Helper()
	rec := &store.Record{ID: l.Name, Scenario: l.Scenario, Learner: "learner-1", Status: l.Status,
		Goal: l.Goal, EndReason: l.EndReason}
	if rec.Status == "" {
		rec.Status = store.StatusSealed
	}
	events := []dialog.Event{{Kind: dialog.EventCallStart, Detail: "webrtc"}}
	for _, s := range l.Lines {
		f := strings.SplitN(s, " ", 4)
		if len(f) == 3 {
			f = append(f, "") // the recognizer heard nothing
		}
		if len(f) != 4 {
			t.Fatalf("%s: bad line %q", l.Name, s)
		}
		u := dialog.Utterance{Text: f[3], Start: sec(t, f[1]), End: sec(t, f[2])}
		who, conf, ok := strings.Cut(f[0], "@")
		if ok {
			c, err := strconv.ParseFloat(conf, 64)
			if err != nil || c <= 0 || c > 1 || who != "L" {
				t.Fatalf("%s: bad confidence in %q", l.Name, s)
			}
			u.Confidence = c
		}
		switch who {
		case "L":
			u.Speaker = dialog.SpeakerLearner
			events = append(events, learnerEvents(u)...)
			rec.Turns++
		case "P", "P~":
			u.Speaker, u.Truncated = dialog.SpeakerPersona, f[0] == "P~"
			events = append(events, dialog.Event{Kind: dialog.EventPersonaHeard, Speaker: u.Speaker, At: u.Start, Dur: u.End - u.Start, Text: u.Text})
		default:
			t.Fatalf("%s: bad speaker in %q", l.Name, s)
		}
		rec.Transcript = append(rec.Transcript, u)
		rec.Duration = max(rec.Duration, u.End+time.Second)
	}
	// As a transcript file is scored (TranscriptFile.Call): a line that cut the other side
	// off is a barge-in, unless the file gives its own.
	if !slices.ContainsFunc(l.Events, func(s string) bool { return strings.Contains(s, "barge_in") }) {
		events = append(events, fileOverlaps(rec.Transcript)...)
	}
	for _, s := range l.Events {
		f := strings.Fields(s)
		kinds := map[string]dialog.EventKind{"mood": dialog.EventMood, "stage": dialog.EventStage,
			"barge_in": dialog.EventBargeIn, "silence": dialog.EventSilence}
		e := dialog.Event{At: sec(t, f[0]), Kind: kinds[f[1]]}
		switch e.Kind {
		case dialog.EventMood:
			e.Mood, _ = strconv.Atoi(f[2])
			rec.FinalMood = e.Mood
		case dialog.EventStage:
			e.Stage = f[2]
			rec.FinalStage = e.Stage
		case dialog.EventBargeIn:
			e.Speaker = f[2]
		case dialog.EventSilence:
		default:
			t.Fatalf("%s: bad event %q", l.Name, s)
		}
		events = append(events, e)
	}
	slices.SortStableFunc(events, func(a, b dialog.Event) int { return int(a.At - b.At) })
	events = append(events, dialog.Event{Kind: dialog.EventCallEnd, At: rec.Duration, Detail: rec.EndReason})
	return rec, events
}

// loadLabeled reads the tuning half, which the unit tests use as fixtures.
func loadLabeled(t *testing.T) []*labeled { return loadHalf(t, "tune") }

// loadHalf reads one folder of testdata/labeled: tune, heldout or phone.
func loadHalf(t *testing.T, half string) []*labeled {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join("testdata/labeled", half, "*.yaml"))
	if len(files) == 0 {
		t.Fatalf("no labeled transcripts in testdata/labeled/%s", half)
	}
	var out []*labeled
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		l := new(labeled)
		if err := yaml.Unmarshal(data, l); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		l.Name = strings.TrimSuffix(filepath.Base(f), ".yaml")
		l.Half = half
		out = append(out, l)
	}
	return out
}

// shipped loads the built-in rubrics and scenarios.
func shipped(t testing.TB) (*Rubrics, *scenario.Catalog) {
	t.Helper()
	rs, err := LoadRubrics(configs.Rubrics, "rubrics")
	if err != nil {
		t.Fatal(err)
	}
	cat, err := scenario.Load(configs.Scenarios, "scenarios")
	if err != nil {
		t.Fatal(err)
	}
	return rs, cat
}

// callFor assembles a Call for a labeled transcript.
func callFor(t *testing.T, l *labeled, rs *Rubrics, cat *scenario.Catalog) *Call {
	t.Helper()
	rec, events := l.call(t)
	r, err := rs.Get(l.Scenario)
	if err != nil {
		t.Fatal(err)
	}
	sc, _ := cat.Get(l.Scenario)
	c := &Call{Record: rec, Events: events, Scenario: sc, Rubric: r}
	c.Metrics = Compute(c)
	return c
}

func fmtCard(c *Scorecard) string {
	var b strings.Builder
	fmt.Fprintf(&b, "overall %d pass %v flags %v\n", c.Overall, c.Pass, c.Flags)
	for _, cr := range c.Criteria {
		fmt.Fprintf(&b, "  %-14s %.2f %-4s %s\n", cr.ID, cr.Score, Band(cr.Score), cr.Rationale)
	}
	return b.String()
}
