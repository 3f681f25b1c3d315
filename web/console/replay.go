package console

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/sparlab/spar/dialog"
	"github.com/sparlab/spar/dialog/store"
	"github.com/sparlab/spar/scoring"
	"github.com/sparlab/spar/web"
	"github.com/sparlab/spar/web/account"
)

// lineView is one transcript line, in milliseconds of the recording.
type lineView struct {
	Speaker   string `json:"speaker"`
	Text      string `json:"text"`
	StartMS   int64  `json:"start_ms"`
	EndMS     int64  `json:"end_ms"`
	Truncated bool   `json:"truncated,omitempty"`
}

// Marker kinds on the replay timeline.
const (
	MarkBargeIn = "barge_in"
	MarkSilence = "silence"
	MarkMood    = "mood"
)

// marker is a moment worth jumping to.
type marker struct {
	Kind  string `json:"kind"`
	AtMS  int64  `json:"at_ms"`
	DurMS int64  `json:"dur_ms,omitempty"`
	Label string `json:"label"`
}

// replayView is everything the replay page shows, in one response.
type replayView struct {
	Call struct {
		ID          string    `json:"id"`
		Learner     string    `json:"learner"`
		LearnerName string    `json:"learner_name"`
		Scenario    string    `json:"scenario"`
		Started     time.Time `json:"started"`
		DurationMS  int64     `json:"duration_ms"`
		EndReason   string    `json:"end_reason"`
		Status      string    `json:"status"`
	} `json:"call"`
	Transcript []lineView         `json:"transcript"`
	Markers    []marker           `json:"markers"`
	Scorecard  *scoring.Scorecard `json:"scorecard"`
	Override   *Override          `json:"override"`
	Disagree   *Disagreement      `json:"disagree"`
	Comments   []Comment          `json:"comments"`
	// Typical is the middle half of each talk-track figure over recent calls of the scenario
	// the viewer can see, for the panel beside this call's figures.
	Typical map[string]typicalRange `json:"typical"`
	Me      struct {
		ID   string       `json:"id"`
		Name string       `json:"name"`
		Role account.Role `json:"role"`
	} `json:"me"`
	Can struct {
		Comment  bool `json:"comment"`
		Override bool `json:"override"`
		Disagree bool `json:"disagree"`
	} `json:"can"`
}

func (c *Console) replayData(w http.ResponseWriter, r *http.Request) {
	rec, err := c.call(r)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	ctx := r.Context()
	var v replayView
	v.Call.ID, v.Call.Learner, v.Call.Scenario = rec.ID, rec.Learner, rec.Scenario
	v.Call.LearnerName = c.learnerName(r, rec.Learner)
	v.Call.Started, v.Call.DurationMS = rec.Started, rec.Duration.Milliseconds()
	v.Call.EndReason, v.Call.Status = rec.EndReason, rec.Status
	v.Transcript = lines(rec.Transcript)
	events, err := c.calls.Timeline(ctx, rec.ID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		c.fail(w, r, err)
		return
	}
	v.Markers = markers(events, rec.Transcript, c.cfg.LongSilence)
	if v.Scorecard, err = c.cards.Get(ctx, rec.ID); err != nil && !errors.Is(err, scoring.ErrNotScored) {
		c.fail(w, r, err)
		return
	}
	if v.Override, err = c.feedback.Override(ctx, rec.ID); err == nil {
		v.Disagree, err = c.feedback.Disagreement(ctx, rec.ID)
	}
	if err == nil {
		v.Comments, err = c.feedback.Comments(ctx, rec.ID)
	}
	if err != nil {
		c.fail(w, r, err)
		return
	}
	u := account.UserFrom(ctx)
	if v.Typical, err = c.typical(ctx, u, rec.Scenario); err != nil {
		c.fail(w, r, err)
		return
	}
	v.Me.ID, v.Me.Name, v.Me.Role = u.ID, u.Name, u.Role
	v.Can.Comment, v.Can.Override, v.Can.Disagree = mayComment(u), mayComment(u), mayDisagree(u)
	writeJSON(w, http.StatusOK, v)
}

func lines(t []dialog.Utterance) []lineView {
	out := make([]lineView, 0, len(t))
	for _, u := range t {
		out = append(out, lineView{Speaker: u.Speaker, Text: u.Text, StartMS: u.Start.Milliseconds(),
			EndMS: u.End.Milliseconds(), Truncated: u.Truncated})
	}
	return out
}

// markers picks the barge-ins, long silences and mood changes out of the timeline. Gaps of at
// least long between transcript lines are long silences too, for calls whose timeline has no
// silence event there.
func markers(events []dialog.Event, t []dialog.Utterance, long time.Duration) []marker {
	var out []marker
	mood, haveMood := 0, false
	for _, e := range events {
		switch e.Kind {
		case dialog.EventBargeIn:
			out = append(out, marker{Kind: MarkBargeIn, AtMS: e.At.Milliseconds(), Label: e.Speaker + " cut in"})
		case dialog.EventSilence:
			start := max(0, e.At-e.Dur)
			out = append(out, marker{Kind: MarkSilence, AtMS: start.Milliseconds(), DurMS: e.Dur.Milliseconds(),
				Label: fmt.Sprintf("%.1f s silence", e.Dur.Seconds())})
		case dialog.EventMood:
			// In words a trainer reads at a glance: "mood eased 6 → 4: apologised".
			label := fmt.Sprintf("mood starts at %d", e.Mood)
			switch {
			case haveMood && e.Mood < mood:
				label = fmt.Sprintf("mood eased %d → %d", mood, e.Mood)
			case haveMood && e.Mood > mood:
				label = fmt.Sprintf("mood rose %d → %d", mood, e.Mood)
			case haveMood:
				label = fmt.Sprintf("mood held at %d", e.Mood)
			}
			if why := web.MoodWhy(e.Detail); why != "" {
				label += ": " + why
			}
			mood, haveMood = e.Mood, true
			out = append(out, marker{Kind: MarkMood, AtMS: e.At.Milliseconds(), Label: label})
		}
	}
	for i := 1; i < len(t); i++ {
		gap := t[i].Start - t[i-1].End
		if gap < long || coveredBySilence(out, t[i-1].End, t[i].Start) {
			continue
		}
		out = append(out, marker{Kind: MarkSilence, AtMS: t[i-1].End.Milliseconds(), DurMS: gap.Milliseconds(),
			Label: fmt.Sprintf("%.1f s silence", gap.Seconds())})
	}
	return out
}

func coveredBySilence(ms []marker, from, to time.Duration) bool {
	for _, m := range ms {
		if m.Kind == MarkSilence && m.AtMS < to.Milliseconds() && m.AtMS+m.DurMS > from.Milliseconds() {
			return true
		}
	}
	return false
}

// learnerName is the name of the account owning learner ID l, or l itself.
func (c *Console) learnerName(r *http.Request, l string) string {
	if u, err := c.accts.Owner(r.Context(), l); err == nil {
		return u.Name
	}
	return l
}
