package console

import (
	"cmp"
	"slices"
	"time"
)

// Assignment states, as the pages and GET /api/me/assignments name them.
const (
	StateNotStarted = "not started"
	StateInProgress = "in progress"
	StateDone       = "done"    // the reps are done (even if the due date has passed since)
	StateOverdue    = "overdue" // the due date passed with reps missing
)

// Progress is one learner's progress on one assignment, derived from their calls.
type Progress struct {
	Learner string `json:"learner"` // account ID
	Name    string `json:"name"`
	Reps    int    `json:"reps"`     // finished calls of the scenario in the window
	Needed  int    `json:"required"` // the assignment's reps
	Scored  int    `json:"scored"`
	Passes  int    `json:"passes"` // scored reps at or above the pass mark
	// Best and Last are the best and the most recent score of the scored reps; nil when none.
	Best     *int   `json:"best"`
	Last     *int   `json:"last"`
	LastCall string `json:"last_call,omitempty"` // the most recent rep's call ID
	State    string `json:"state"`
}

// Percent is the share of the reps done, 0..100, for progress bars.
func (p Progress) Percent() int {
	if p.Needed <= 0 {
		return 100
	}
	return min(100, roundDiv(100*p.Reps, p.Needed))
}

// progressOf computes a learner's progress on a from their calls (rows in any order, each
// with its effective score as listRows reads it: a trainer's override wins). A rep is a
// call of the assignment's scenario started at or after its creation and before its due
// time.
func progressOf(a *Assignment, rows []row, now time.Time) Progress {
	p := Progress{Needed: a.Reps}
	reps := make([]row, 0, len(rows))
	for _, rw := range rows {
		if rw.Rec == nil || rw.Rec.Scenario != a.Scenario || rw.Rec.Started.Before(a.Created) || !rw.Rec.Started.Before(a.Due) {
			continue
		}
		reps = append(reps, rw)
	}
	slices.SortFunc(reps, func(x, y row) int { return x.Rec.Started.Compare(y.Rec.Started) })
	p.Reps = len(reps)
	for _, rw := range reps {
		p.LastCall = rw.Rec.ID
		if !rw.Scored {
			continue
		}
		p.Scored++
		if rw.Score >= a.PassMark {
			p.Passes++
		}
		score := rw.Score
		p.Last = &score
		if p.Best == nil || score > *p.Best {
			best := score
			p.Best = &best
		}
	}
	switch {
	case p.Reps >= a.Reps:
		p.State = StateDone
	case !now.Before(a.Due):
		p.State = StateOverdue
	case p.Reps == 0:
		p.State = StateNotStarted
	default:
		p.State = StateInProgress
	}
	return p
}

// stateOrder puts what needs attention first: overdue, in progress, not started, done.
func stateOrder(s string) int {
	return cmp.Or(map[string]int{StateOverdue: 1, StateInProgress: 2, StateNotStarted: 3, StateDone: 4}[s], 5)
}
