package scoring

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/sparlab/spar/dialog"
	"github.com/sparlab/spar/dialog/scenario"
	"github.com/sparlab/spar/dialog/store"
)

// TestMetricsGolden computes the metrics of labeled calls and compares them with
// testdata/metrics/<name>.golden.json (go test -update rewrites them; review the diff).
func TestMetricsGolden(t *testing.T) {
	rs, cat := shipped(t)
	want := map[string]bool{"rw-dc-good": true, "rw-dc-poor": true, "rw-cc-mediocre": true, "rw-dch-good": true, "rw-la-poor": true}
	for _, l := range loadLabeled(t) {
		if !want[l.Name] {
			continue
		}
		t.Run(l.Name, func(t *testing.T) {
			c := callFor(t, l, rs, cat)
			got, err := json.MarshalIndent(c.Metrics, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			golden(t, "testdata/metrics/"+l.Name+".golden.json", append(got, '\n'))
		})
	}
}

func TestMetricsDefinitions(t *testing.T) {
	s := func(f float64) time.Duration { return time.Duration(f * float64(time.Second)) }
	u := func(who string, a, b float64, text string) dialog.Utterance {
		return dialog.Utterance{Speaker: who, Start: s(a), End: s(b), Text: text}
	}
	P, L := dialog.SpeakerPersona, dialog.SpeakerLearner
	rec := &store.Record{Duration: s(40), FinalMood: 2, Goal: true, Transcript: []dialog.Utterance{
		u(P, 0, 4, "hello"),
		u(L, 5, 9, "um hi what happened"),              // 1 s latency (from speech.start at 4.5)
		u(L, 10, 16, "uh um er so sorry you know"),     // joined monologue 5..16; a filler cluster
		u(P, 17, 20, "i was charged twice"),            // no speech.start after it before the next persona line
		u(P, 25, 27, "are you there"),                  // dead air 20..25
		u(L, 27.5, 30, "can i have your email please"), // latency from the line end: 0.5 s
	}}
	events := []dialog.Event{
		{Kind: dialog.EventSpeechStart, At: s(4.5)},
		{Kind: dialog.EventSpeechStart, At: s(10)},
		{Kind: dialog.EventSpeechStart, At: s(27.5)},
		{Kind: dialog.EventBargeIn, Speaker: L}, {Kind: dialog.EventBargeIn, Speaker: P}, {Kind: dialog.EventBargeIn, Speaker: P},
		{Kind: dialog.EventMood, At: s(1), Mood: 6}, {Kind: dialog.EventMood, At: s(20), Mood: 2},
		{Kind: dialog.EventStage, At: s(1), Stage: "opening"}, {Kind: dialog.EventStage, At: s(10), Stage: "complaint"},
		{Kind: dialog.EventSilence, At: s(24)},
	}
	m := Compute(&Call{Record: rec, Events: events})
	checks := []struct {
		name      string
		got, want any
	}{
		{"learner talk", m.LearnerTalk, s(12.5)},
		{"persona talk", m.PersonaTalk, s(9)},
		{"talk ratio", m.TalkRatio, 0.581},
		{"words", m.LearnerWords, 17},
		{"wpm", m.WordsPerMinute, 81.6},
		{"longest monologue", m.LongestMonologue, s(11)},
		{"monologue at", m.LongestMonologueAt, s(5)},
		{"learner interruptions", m.LearnerInterruptions, 1},
		{"persona interruptions", m.PersonaInterruptions, 2},
		{"latencies", len(m.Latencies), 2},
		{"latency median", m.LatencyMedian, s(0.5)},
		{"dead air", m.DeadAir, s(5)},
		{"dead air count", m.DeadAirCount, 1},
		{"silence prompts", m.SilencePrompts, 1},
		{"open questions", m.OpenQuestions, 1},
		{"closed questions", m.ClosedQuestions, 1},
		{"fillers", m.Fillers, 5},
		{"filler clusters", m.FillerClusters, 1},
		{"start mood", m.StartMood, 6},
		{"final mood", m.FinalMood, 2},
		{"stages", len(m.Stages), 2},
		{"complaint time", m.Stages[1].Dur, s(30)},
		{"opening time", m.Stages[0].Dur, s(9)},
	}
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) {
			if c.got != c.want {
				t.Errorf("got %v, want %v", c.got, c.want)
			}
		})
	}
}

func TestCountQuestions(t *testing.T) {
	tests := []struct {
		text         string
		open, closed int
	}{
		{"what happened", 1, 0},
		{"okay and how does that work today", 1, 0},
		{"walk me through what happens when one comes in", 1, 0},
		{"can i have your email please", 0, 1},
		{"is that okay", 0, 1},
		{"so what do you need", 1, 0},
		{"i can see what happened", 0, 0},
		{"what i can do is refund it", 0, 0},
		{"thanks for calling my name is sam what happened", 1, 0},
		{"that is what happened", 0, 0},
		{"i have refunded it do you want the reference", 0, 1},
		{"let me check how do you spell that", 1, 0},
		{"i know what you mean", 0, 0},
		{"sorry. what happened? is that okay?", 1, 1},
		{"i refunded it", 0, 0},
		{"Can I ask, though, when a customer wants to know where their load is, how does that get to them?", 1, 0},
		{"can i ask you what made you pick them", 1, 0},
		{"can i ask you a question", 0, 0},
		{"If you had to put a number on it, how many of those calls in a day?", 1, 0},
		{"Fair enough, do they look it up themselves?", 0, 1},
		{"so when a customer wants to know where their stuff is what do they do", 1, 0},
		{"that is what they do", 0, 0},
		// Practical questions (how the other side is, a contact detail, a slot) are closed.
		{"Hey Glen, how y'all doin' today?", 0, 1},
		{"how are you doing today", 0, 1},
		{"how are you handling those calls today", 1, 0},
		{"what's the best email for the invite?", 0, 1},
		{"what's a good number to reach you on", 0, 1},
		{"what is the number of calls you get", 1, 0},
		{"How 'bout Wednesday at two?", 0, 1},
		{"what about thursday", 0, 1},
		{"what time works for you", 0, 1},
		{"what time of day do the calls peak", 1, 0},
		{"when are you free next week", 0, 1},
		{"so what's a good week for you", 0, 1},
		{"what happens on a monday", 1, 0},
		{"so with it running when a customer rings what actually happens", 1, 0},
		{"and how exactly does that get to them", 1, 0},
		// After a comma "which" starts a relative clause; a hyphenated compound is one word.
		{"we've an office in Leeds now, which is great", 0, 0},
		{"Which day suits you best?", 0, 1},
		{"their dispatchers are buried in where's-my-load calls", 0, 0},
	}
	for _, tc := range tests {
		t.Run(tc.text, func(t *testing.T) {
			o, c := scenario.CountQuestions(tc.text)
			if o != tc.open || c != tc.closed {
				t.Errorf("CountQuestions(%q) = %d open %d closed, want %d, %d", tc.text, o, c, tc.open, tc.closed)
			}
		})
	}
}

// TestEveryMetricHasWords: a rationale never falls back to a metric's code name.
func TestEveryMetricHasWords(t *testing.T) {
	for _, name := range MetricNames() {
		if _, ok := metricWords[name]; !ok {
			t.Errorf("metric %s has no words for rationales", name)
		}
	}
	got := describeThreshold(Threshold{Metric: "talk_ratio", Full: 0.55, Zero: 0.8}, 0.58)
	if want := "your share of the talking 58% (full credit at 55%, none at 80%)"; got != want {
		t.Errorf("describeThreshold = %q, want %q", got, want)
	}
}
