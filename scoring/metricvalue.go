package scoring

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"time"
)

// metricValues maps the names rubric thresholds use to metric values. Durations are seconds.
var metricValues = map[string]func(m Metrics) float64{
	"talk_ratio":            func(m Metrics) float64 { return m.TalkRatio },
	"words_per_minute":      func(m Metrics) float64 { return m.WordsPerMinute },
	"longest_monologue_s":   func(m Metrics) float64 { return secs(m.LongestMonologue) },
	"learner_interruptions": func(m Metrics) float64 { return float64(m.LearnerInterruptions) },
	"persona_interruptions": func(m Metrics) float64 { return float64(m.PersonaInterruptions) },
	"latency_median_s":      func(m Metrics) float64 { return secs(m.LatencyMedian) },
	"latency_mean_s":        func(m Metrics) float64 { return secs(m.LatencyMean) },
	"dead_air_s":            func(m Metrics) float64 { return secs(m.DeadAir) },
	"dead_air_longest_s":    func(m Metrics) float64 { return secs(m.DeadAirLongest) },
	"silence_prompts":       func(m Metrics) float64 { return float64(m.SilencePrompts) },
	"open_questions":        func(m Metrics) float64 { return float64(m.OpenQuestions) },
	"closed_questions":      func(m Metrics) float64 { return float64(m.ClosedQuestions) },
	"questions":             func(m Metrics) float64 { return float64(m.Questions()) },
	"fillers_per_100":       func(m Metrics) float64 { return m.FillersPer100 },
	"filler_clusters":       func(m Metrics) float64 { return float64(m.FillerClusters) },
	"final_mood":            func(m Metrics) float64 { return float64(m.FinalMood) },
	"mood_drop":             func(m Metrics) float64 { return float64(m.StartMood - m.FinalMood) },
	"goal":                  func(m Metrics) float64 { return b2f(m.Goal) },
	"learner_turns":         func(m Metrics) float64 { return float64(m.LearnerTurns) },
}

// metricWords says what a metric measures, for rationales a learner reads; pct metrics
// are ratios shown as percentages.
var metricWords = map[string]struct {
	what, unit string
	pct        bool
}{
	"talk_ratio":            {"your share of the talking", "", true},
	"words_per_minute":      {"words per minute", "", false},
	"longest_monologue_s":   {"longest stretch talking without a break", " s", false},
	"learner_interruptions": {"times you cut in", "", false},
	"persona_interruptions": {"times you were cut off", "", false},
	"latency_median_s":      {"typical pause before answering", " s", false},
	"latency_mean_s":        {"average pause before answering", " s", false},
	"dead_air_s":            {"seconds of silence", "", false},
	"dead_air_longest_s":    {"longest silence", " s", false},
	"silence_prompts":       {"times the caller asked if you were still there", "", false},
	"open_questions":        {"open questions asked", "", false},
	"closed_questions":      {"yes/no questions asked", "", false},
	"questions":             {"questions asked", "", false},
	"fillers_per_100":       {"filler words per 100", "", false},
	"filler_clusters":       {"lines with three or more filler words", "", false},
	"final_mood":            {"the caller's final mood (0 calm)", "", false},
	"mood_drop":             {"how far the caller's mood came down", "", false},
	"goal":                  {"the caller's goal reached (1 yes)", "", false},
	"learner_turns":         {"times you spoke", "", false},
}

// describeThreshold says in words what a metric measured and where its credit lies:
// "your share of the talking 58% (full credit at 55%, none at 80%)".
func describeThreshold(t Threshold, v float64) string {
	w, ok := metricWords[t.Metric]
	if !ok {
		w.what = t.Metric
	}
	f := func(x float64) string { return fmtNum(x) + w.unit }
	if w.pct {
		f = func(x float64) string { return strconv.Itoa(int(math.Round(100*x))) + "%" }
	}
	return fmt.Sprintf("%s %s (full credit at %s, none at %s)", w.what, f(v), f(t.Full), f(t.Zero))
}

// MetricNames returns the metric names rubric thresholds may use, sorted.
func MetricNames() []string {
	out := make([]string, 0, len(metricValues))
	for k := range metricValues {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// Value returns the named metric (durations in seconds).
func (m Metrics) Value(name string) (float64, bool) {
	f, ok := metricValues[name]
	if !ok {
		return 0, false
	}
	return f(m), true
}

func knownMetric(name string) bool { _, ok := metricValues[name]; return ok }

func secs(d time.Duration) float64 { return round1(d.Seconds()) }

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

func clamp01(f float64) float64 { return min(1, max(0, f)) }
