package scoring

import (
	"cmp"
	"slices"
	"time"

	"github.com/sparlab/spar/dialog"
	"github.com/sparlab/spar/dialog/scenario"
)

// Thresholds used by the metric definitions (docs/SCORING.md).
const (
	// DeadAirMin is the shortest gap with neither side speaking that counts as dead air.
	DeadAirMin = 3 * time.Second
	// MonologueJoin joins learner lines separated by less than this (with no persona line in
	// between) into one monologue: the recognizer splits a long stretch at short pauses.
	MonologueJoin = 2 * time.Second
)

// Metrics are the conversation figures of one call. Durations are nanoseconds in JSON, like
// the call record.
type Metrics struct {
	Duration    time.Duration `json:"duration"`
	LearnerTalk time.Duration `json:"learner_talk"`
	PersonaTalk time.Duration `json:"persona_talk"`
	// TalkRatio is the learner's share of the talking time, 0..1.
	TalkRatio      float64 `json:"talk_ratio"`
	LearnerWords   int     `json:"learner_words"`
	LearnerTurns   int     `json:"learner_turns"`
	WordsPerMinute float64 `json:"words_per_minute"`
	// LongestMonologue is the longest learner stretch (see MonologueJoin); At is its start.
	LongestMonologue   time.Duration `json:"longest_monologue"`
	LongestMonologueAt time.Duration `json:"longest_monologue_at"`
	// Interruptions by who cut in: the learner over the persona, the persona over the learner.
	LearnerInterruptions int `json:"learner_interruptions"`
	PersonaInterruptions int `json:"persona_interruptions"`
	// Response latency: the learner's pause after the persona stopped, per answered line.
	Latencies     []time.Duration `json:"latencies,omitempty"`
	LatencyMean   time.Duration   `json:"latency_mean"`
	LatencyMedian time.Duration   `json:"latency_median"`
	// Dead air: gaps of at least DeadAirMin with nobody speaking.
	DeadAir        time.Duration `json:"dead_air"`
	DeadAirLongest time.Duration `json:"dead_air_longest"`
	DeadAirCount   int           `json:"dead_air_count"`
	SilencePrompts int           `json:"silence_prompts"`
	// Questions the learner asked.
	OpenQuestions   int `json:"open_questions"`
	ClosedQuestions int `json:"closed_questions"`
	// Fillers the learner used, per 100 learner words; clusters are lines with three or more.
	Fillers        int     `json:"fillers"`
	FillersPer100  float64 `json:"fillers_per_100"`
	FillerClusters int     `json:"filler_clusters"`
	// The persona's mood over the call (persona.mood events) and at the end.
	MoodCurve []MoodPoint `json:"mood_curve,omitempty"`
	StartMood int         `json:"start_mood"`
	FinalMood int         `json:"final_mood"`
	Goal      bool        `json:"goal"`
	Stages    []StageTime `json:"stages,omitempty"`
}

// MoodPoint is the persona's mood from At on.
type MoodPoint struct {
	At   time.Duration `json:"at"`
	Mood int           `json:"mood"`
}

// StageTime is how long the conversation spent in one stage (a stage entered twice appears
// twice).
type StageTime struct {
	Stage string        `json:"stage"`
	At    time.Duration `json:"at"`
	Dur   time.Duration `json:"dur"`
}

// Questions returns all questions asked.
func (m Metrics) Questions() int { return m.OpenQuestions + m.ClosedQuestions }

// Compute derives the metrics from a sealed call's transcript, timeline and outcome. events
// may be empty (a timeline trimmed or lost): the metrics that need it are then left zero,
// and response latency falls back to the start of each learner line.
func Compute(c *Call) Metrics {
	var m Metrics
	rec := c.Record
	tr := sortedTranscript(rec.Transcript)
	m.Duration, m.Goal, m.FinalMood = rec.Duration, rec.Goal, rec.FinalMood
	for _, u := range tr {
		d := max(0, u.End-u.Start)
		if u.Speaker == dialog.SpeakerLearner {
			m.LearnerTalk += d
			m.LearnerTurns++
			toks := scenario.Tokenize(u.Text)
			m.LearnerWords += len(toks)
			n := countFillers(toks)
			m.Fillers += n
			if n >= 3 {
				m.FillerClusters++
			}
			open, closed := scenario.CountQuestions(u.Text)
			m.OpenQuestions += open
			m.ClosedQuestions += closed
		} else {
			m.PersonaTalk += d
		}
	}
	if total := m.LearnerTalk + m.PersonaTalk; total > 0 {
		m.TalkRatio = round3(float64(m.LearnerTalk) / float64(total))
	}
	if m.LearnerTalk > 0 {
		m.WordsPerMinute = round1(float64(m.LearnerWords) / m.LearnerTalk.Minutes())
	}
	if m.LearnerWords > 0 {
		m.FillersPer100 = round1(100 * float64(m.Fillers) / float64(m.LearnerWords))
	}
	m.LongestMonologue, m.LongestMonologueAt = longestMonologue(tr)
	m.DeadAir, m.DeadAirLongest, m.DeadAirCount = deadAir(tr)
	m.Latencies = latencies(tr, c.Events)
	m.LatencyMean, m.LatencyMedian = meanMedian(m.Latencies)
	fromEvents(&m, c.Events)
	return m
}

// fromEvents reads interruptions, silence prompts, the mood curve and stage times.
func fromEvents(m *Metrics, events []dialog.Event) {
	for _, e := range events {
		switch e.Kind {
		case dialog.EventBargeIn:
			if e.Speaker == dialog.SpeakerPersona {
				m.PersonaInterruptions++
			} else {
				m.LearnerInterruptions++
			}
		case dialog.EventSilence:
			m.SilencePrompts++
		case dialog.EventMood:
			if len(m.MoodCurve) == 0 {
				m.StartMood = e.Mood
			}
			m.MoodCurve = append(m.MoodCurve, MoodPoint{At: e.At, Mood: e.Mood})
		case dialog.EventStage:
			if n := len(m.Stages); n > 0 {
				m.Stages[n-1].Dur = e.At - m.Stages[n-1].At
			}
			m.Stages = append(m.Stages, StageTime{Stage: e.Stage, At: e.At})
		}
	}
	if n := len(m.Stages); n > 0 {
		m.Stages[n-1].Dur = max(0, m.Duration-m.Stages[n-1].At)
	}
	if len(m.MoodCurve) == 0 {
		m.StartMood = m.FinalMood
	}
}

func sortedTranscript(tr []dialog.Utterance) []dialog.Utterance {
	out := slices.Clone(tr)
	slices.SortStableFunc(out, func(a, b dialog.Utterance) int { return cmp.Compare(a.Start, b.Start) })
	return out
}

// longestMonologue joins consecutive learner lines (no persona line between, pauses under
// MonologueJoin) and returns the longest stretch and its start.
func longestMonologue(tr []dialog.Utterance) (longest, at time.Duration) {
	var start, end time.Duration
	open := false
	for _, u := range tr {
		if u.Speaker != dialog.SpeakerLearner {
			open = false
			continue
		}
		if !open || u.Start-end >= MonologueJoin {
			start, open = u.Start, true
		}
		end = max(end, u.End)
		if d := end - start; d > longest {
			longest, at = d, start
		}
	}
	return longest, at
}

// deadAir sums the gaps of at least DeadAirMin during which neither side was speaking.
func deadAir(tr []dialog.Utterance) (total, longest time.Duration, n int) {
	var covered time.Duration // end of speech so far
	for i, u := range tr {
		if i > 0 {
			if gap := u.Start - covered; gap >= DeadAirMin {
				total += gap
				longest = max(longest, gap)
				n++
			}
		}
		covered = max(covered, u.End)
	}
	return total, longest, n
}

// latencies measures, for each persona line the learner answered, the pause from the end of
// the line to the learner starting to speak: the first speech.start after the line (or, with
// no speech.start events, the start of the next learner line). A learner who started before
// the persona finished interrupted instead and is not counted here.
func latencies(tr []dialog.Utterance, events []dialog.Event) []time.Duration {
	var starts []time.Duration
	for _, e := range events {
		if e.Kind == dialog.EventSpeechStart {
			starts = append(starts, e.At)
		}
	}
	if len(starts) == 0 {
		for _, u := range tr {
			if u.Speaker == dialog.SpeakerLearner {
				starts = append(starts, u.Start)
			}
		}
	}
	slices.Sort(starts)
	var out []time.Duration
	for i, u := range tr {
		if u.Speaker != dialog.SpeakerPersona || u.Truncated {
			continue
		}
		next := time.Duration(-1) // the start of the next persona line bounds the answer
		for _, v := range tr[i+1:] {
			if v.Speaker == dialog.SpeakerPersona {
				next = v.Start
				break
			}
		}
		j, _ := slices.BinarySearch(starts, u.End)
		if j < len(starts) && (next < 0 || starts[j] < next) {
			out = append(out, starts[j]-u.End)
		}
	}
	return out
}

func meanMedian(ds []time.Duration) (mean, median time.Duration) {
	if len(ds) == 0 {
		return 0, 0
	}
	var sum time.Duration
	for _, d := range ds {
		sum += d
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	median = s[len(s)/2]
	if len(s)%2 == 0 {
		median = (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	return sum / time.Duration(len(ds)), median
}

func round1(f float64) float64 { return float64(int64(f*10+0.5)) / 10 }
func round3(f float64) float64 { return float64(int64(f*1000+0.5)) / 1000 }
