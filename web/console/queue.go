package console

import (
	"context"
	"net/http"
	"net/url"

	"github.com/sparlab/spar/dialog/store"
	"github.com/sparlab/spar/scoring"
	"github.com/sparlab/spar/web/account"
)

// queueScan bounds how many recent calls the coaching queue looks through.
const queueScan = 200

// reviewItem is a call the coaching queue puts in front of a trainer, with why.
type reviewItem struct {
	row
	Why []string
}

// nudge is a learner whose assignment is overdue or not started.
type nudge struct {
	Assignment assignmentView
	Progress   Progress
}

// coachingQueue is what a trainer should look at next: learners' disputes, calls that need
// a human (failed, flagged, cut short) that nobody has commented on or overridden yet, and
// assignments a learner has not started or is late on.
type coachingQueue struct {
	Disputes, Calls []reviewItem
	Nudges          []nudge
}

// Count is how many things wait in the queue.
func (q coachingQueue) Count() int { return len(q.Disputes) + len(q.Calls) + len(q.Nudges) }

// flagWords are the scorecard flags that ask for a human, in a trainer's words.
var flagWords = map[string]string{
	scoring.FlagLowConfidence: "the judge's evidence did not all check out",
	scoring.FlagInterrupted:   "the call was cut short",
	scoring.FlagShortCall:     "a very short call",
	scoring.FlagJudgeFallback: "scored by the offline rules after the AI judge failed",
	scoring.FlagMisheard:      "some quoted lines may be misheard",
}

func (c *Console) buildQueue(ctx context.Context, u *account.User) (coachingQueue, error) {
	var q coachingQueue
	lq, err := parseListQuery(url.Values{})
	if err != nil {
		return q, err
	}
	lq.noTrials = true
	rows, _, err := c.listRows(ctx, u, lq, queueScan)
	if err != nil {
		return q, err
	}
	for _, rw := range rows {
		if rw.Overridden { // a trainer already decided
			continue
		}
		d, err := c.feedback.Disagreement(ctx, rw.Rec.ID)
		if err != nil {
			return q, err
		}
		if d != nil {
			why := "the learner disagrees"
			if d.Reason != "" {
				why += ": " + d.Reason
			}
			q.Disputes = append(q.Disputes, reviewItem{rw, []string{why}})
			continue
		}
		why := reviewReasons(rw)
		if len(why) == 0 {
			continue
		}
		comments, err := c.feedback.Comments(ctx, rw.Rec.ID)
		if err != nil {
			return q, err
		}
		if len(comments) == 0 {
			q.Calls = append(q.Calls, reviewItem{rw, why})
		}
	}
	all, err := c.assign.all(ctx)
	if err != nil {
		return q, err
	}
	for _, a := range all {
		v, err := c.viewAssignment(ctx, u, a)
		if err != nil {
			return q, err
		}
		if v == nil {
			continue
		}
		for _, p := range v.Rows {
			if p.State == StateOverdue || p.State == StateNotStarted {
				q.Nudges = append(q.Nudges, nudge{*v, p})
			}
		}
	}
	return q, nil
}

// reviewReasons says why a call needs a human look, or nothing.
func reviewReasons(rw row) []string {
	var why []string
	if rw.Scored && !rw.Pass {
		why = append(why, "failed")
	}
	if rw.Rec.Status == store.StatusInterrupted {
		why = append(why, flagWords[scoring.FlagInterrupted])
	}
	if rw.Card != nil {
		for _, f := range rw.Card.Flags {
			if w, ok := flagWords[f]; ok && (f != scoring.FlagInterrupted || rw.Rec.Status != store.StatusInterrupted) {
				why = append(why, w)
			}
		}
	}
	return why
}

// queuePage is the coaching queue (trainers and admins).
func (c *Console) queuePage(w http.ResponseWriter, r *http.Request) {
	ctx, u := r.Context(), account.UserFrom(r.Context())
	if u.Role == account.RoleLearner {
		c.forbidden(w, r)
		return
	}
	q, err := c.buildQueue(ctx, u)
	if err != nil {
		c.log.Error("coaching queue", "err", err)
		c.render(w, r, http.StatusServiceUnavailable, "queue.html", map[string]any{"Error": "Storage unavailable, try again shortly."})
		return
	}
	c.render(w, r, http.StatusOK, "queue.html", map[string]any{"Q": q})
}
