package console

import (
	"cmp"
	"slices"
	"time"

	"github.com/sparlab/spar/scoring"
)

// repPoint is one scored rep: its number among all the learner's reps (1 = first) and score.
type repPoint struct {
	Rep    int
	CallID string
	Score  int // 0..100
	Pass   bool
}

// criterionSeries is one criterion's score (0..100) over the reps whose scorecard has it.
type criterionSeries struct {
	ID, Name string
	Points   []repPoint
}

// weekCount is the number of reps started in the week beginning Start (a Monday, local time).
type weekCount struct {
	Start time.Time
	Reps  int
}

// learnerProgress is what the learner's progress page shows, computed from their calls.
type learnerProgress struct {
	Reps, Scored, Passed int
	Average              int // mean effective score of the scored reps
	Scores               []repPoint
	Criteria             []criterionSeries // in order of first appearance
	Weeks                []weekCount       // oldest first, with empty weeks, ending at now's week
	Latest               *row              // the newest scored rep, nil if none
}

// buildLearnerProgress computes a learner's progress from their calls, oldest first. Scores
// are the effective ones (a trainer's override wins over the judge); criterion scores come
// from the judge's scorecard. Weeks covers at most maxWeeks weeks ending with now's.
func buildLearnerProgress(rows []row, now time.Time, maxWeeks int) learnerProgress {
	p := learnerProgress{Reps: len(rows)}
	byID := map[string]int{}
	sum := 0
	for i, rw := range rows {
		if !rw.Scored {
			continue
		}
		p.Scored++
		sum += rw.Score
		if rw.Pass {
			p.Passed++
		}
		p.Scores = append(p.Scores, repPoint{Rep: i + 1, CallID: rw.Rec.ID, Score: rw.Score, Pass: rw.Pass})
		p.Latest = &rows[i]
		if rw.Card == nil {
			continue
		}
		for _, cr := range rw.Card.Criteria {
			k, ok := byID[cr.ID]
			if !ok {
				k = len(p.Criteria)
				byID[cr.ID] = k
				p.Criteria = append(p.Criteria, criterionSeries{ID: cr.ID, Name: cr.Name})
			}
			// A criterion holds where a required one clears its gate.
			p.Criteria[k].Points = append(p.Criteria[k].Points, repPoint{Rep: i + 1, CallID: rw.Rec.ID,
				Score: percent(cr.Score), Pass: scoring.Holds(cr.Score)})
		}
	}
	if p.Scored > 0 {
		p.Average = roundDiv(sum, p.Scored)
	}
	p.Weeks = repsPerWeek(rows, now, maxWeeks)
	return p
}

// repsPerWeek counts reps per local calendar week (Monday first), from the first rep's week
// (or maxWeeks-1 weeks before now's, whichever is later) to now's week.
func repsPerWeek(rows []row, now time.Time, maxWeeks int) []weekCount {
	last := weekStart(now)
	first := last.AddDate(0, 0, -7*(maxWeeks-1))
	if len(rows) > 0 {
		oldest := slices.MinFunc(rows, func(a, b row) int { return a.Rec.Started.Compare(b.Rec.Started) })
		if w := weekStart(oldest.Rec.Started); w.After(first) {
			first = w
		}
	} else {
		first = last
	}
	var out []weekCount
	index := map[time.Time]int{}
	for w := first; !w.After(last); w = w.AddDate(0, 0, 7) {
		index[w] = len(out)
		out = append(out, weekCount{Start: w})
	}
	for _, rw := range rows {
		if k, ok := index[weekStart(rw.Rec.Started)]; ok {
			out[k].Reps++
		}
	}
	return out
}

// weekStart is midnight of the Monday starting t's week, in local time.
func weekStart(t time.Time) time.Time {
	t = t.Local()
	back := (int(t.Weekday()) + 6) % 7
	y, m, d := t.Date()
	return time.Date(y, m, d-back, 0, 0, 0, 0, time.Local)
}

// percent turns a 0..1 criterion score into 0..100.
func percent(f float64) int { return int(f*100 + 0.5) }

// roundDiv is a/b rounded half up, for non-negative a and positive b.
func roundDiv(a, b int) int { return (2*a + b) / (2 * b) }

// byScoreAsc orders criterion stats worst first, then by name.
func byScoreAsc(a, b criterionStat) int {
	return cmp.Or(cmp.Compare(a.Average, b.Average), cmp.Compare(a.Name, b.Name))
}
