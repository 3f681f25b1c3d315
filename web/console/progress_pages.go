package console

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/sparlab/spar/web/account"
)

// progressWeeks is how many weeks the reps-per-week chart covers at most.
const progressWeeks = 26

// notFound renders the not-found page naming what was asked for.
func (c *Console) notFound(w http.ResponseWriter, r *http.Request, what string, err error) {
	status := http.StatusNotFound
	if err != nil && !errors.Is(err, account.ErrNotFound) {
		c.log.Error("page", "path", r.URL.Path, "err", err)
		status = http.StatusServiceUnavailable
	}
	c.render(w, r, status, "notfound.html", map[string]any{"What": what})
}

// learnerPage shows one learner's progress: score per rep, each criterion over the reps,
// reps per week and the latest scorecard. The learner themselves, their teams' trainers and
// admins may see it; anyone else gets 404, as for an account that does not exist.
func (c *Console) learnerPage(w http.ResponseWriter, r *http.Request) {
	ctx, u, id := r.Context(), account.UserFrom(r.Context()), r.PathValue("id")
	ok, err := c.accts.MayLearner(ctx, u, id)
	if err != nil || !ok {
		c.notFound(w, r, "learner", err)
		return
	}
	l, err := c.accts.Get(ctx, id)
	if err != nil {
		c.notFound(w, r, "learner", err)
		return
	}
	q := listQuery{Learner: id, Sort: "started", Asc: true, Page: 1, min: -1, max: -1, noTrials: true}
	rows, _, err := c.listRows(ctx, u, q, c.cfg.MaxScan)
	if err != nil {
		c.notFound(w, r, "learner", err)
		return
	}
	p := buildLearnerProgress(rows, c.now(), progressWeeks)
	data := map[string]any{"Title": l.Name + " · progress", "Learner": l, "P": p,
		"CallsURL": "/console/calls?" + url.Values{"learner": {id}}.Encode()}
	passMark := 0
	if p.Latest != nil && p.Latest.Card != nil {
		passMark = p.Latest.Card.PassMark
	}
	data["ScoreChart"] = scoreLine(p.Scores, p.Reps, 640, 220, passMark, "Score per rep")
	var crit []chart
	for _, s := range p.Criteria {
		crit = append(crit, scoreLine(s.Points, p.Reps, 300, 130, 0, s.Name))
	}
	data["CriterionCharts"] = crit
	var labels, titles []string
	var counts []int
	for _, wk := range p.Weeks {
		labels = append(labels, wk.Start.Format("Jan 2"))
		titles = append(titles, fmt.Sprintf("week of %s: %d reps", wk.Start.Format(time.DateOnly), wk.Reps))
		counts = append(counts, wk.Reps)
	}
	data["WeekChart"] = bars(labels, counts, titles, 0, 640, 180, "Reps per week")
	c.render(w, r, http.StatusOK, "learner.html", data)
}

// teamPage shows a team's dashboard for one month (?month=YYYY-MM, default this month):
// reps by scenario, pass rate per scenario, the most-missed criteria and each learner's reps
// and mean score. The team's trainers and admins may see it; anyone else gets 404.
func (c *Console) teamPage(w http.ResponseWriter, r *http.Request) {
	ctx, u, team := r.Context(), account.UserFrom(r.Context()), r.PathValue("team")
	if !account.MayTeam(u, team) {
		c.notFound(w, r, "team", nil)
		return
	}
	if exists, err := c.teamExists(ctx, team); err != nil || !exists {
		c.notFound(w, r, "team", err)
		return
	}
	month := monthStart(c.now())
	if m := r.URL.Query().Get("month"); m != "" {
		t, err := time.ParseInLocation("2006-01", m, time.Local)
		if err != nil {
			c.render(w, r, http.StatusBadRequest, "notfound.html", map[string]any{"What": "month (want YYYY-MM)"})
			return
		}
		month = t
	}
	next := month.AddDate(0, 1, 0)
	q, err := parseListQuery(url.Values{"team": {team}, "from": {month.Format(time.DateOnly)},
		"to": {next.AddDate(0, 0, -1).Format(time.DateOnly)}})
	if err != nil {
		c.notFound(w, r, "team", err)
		return
	}
	q.noTrials = true
	rows, _, err := c.listRows(ctx, u, q, c.cfg.MaxScan)
	if err != nil {
		c.notFound(w, r, "team", err)
		return
	}
	members, err := c.accts.Members(ctx, team)
	if err != nil {
		c.notFound(w, r, "team", err)
		return
	}
	d := buildTeamDashboard(rows, members)
	var reps, rates, missed []hbar
	for _, s := range d.Scenarios {
		reps = append(reps, hbar{Label: s.Scenario, Value: s.Reps, Text: fmt.Sprint(s.Reps)})
		text := "not scored"
		if s.Scored > 0 {
			text = fmt.Sprintf("%d%% of %d", s.PassRate, s.Scored)
		}
		rates = append(rates, hbar{Label: s.Scenario, Value: s.PassRate, Text: text, Warn: s.PassRate < 50})
	}
	for _, m := range d.Missed {
		missed = append(missed, hbar{Label: m.Name, Value: m.Average, Text: fmt.Sprintf("%d / 100 over %d", m.Average, m.Cards), Warn: true})
	}
	calls := url.Values{"team": {team}, "from": {month.Format(time.DateOnly)}, "to": {next.AddDate(0, 0, -1).Format(time.DateOnly)}}
	c.render(w, r, http.StatusOK, "team.html", map[string]any{
		"Title": team + " · team", "Team": team, "D": d, "Month": month.Format("January 2006"),
		"Prev": "?month=" + month.AddDate(0, -1, 0).Format("2006-01"), "Next": "?month=" + next.Format("2006-01"),
		"RepBars": hbars(reps, 0), "PassBars": hbars(rates, 100), "MissedBars": hbars(missed, 100),
		"CallsURL": "/console/calls?" + calls.Encode(), "CSVURL": "/console/calls.csv?" + calls.Encode(),
	})
}

func (c *Console) teamExists(ctx context.Context, team string) (bool, error) {
	teams, err := c.accts.Teams(ctx)
	return slices.Contains(teams, team), err
}

// monthStart is midnight of the first day of t's month, in local time.
func monthStart(t time.Time) time.Time {
	y, m, _ := t.Local().Date()
	return time.Date(y, m, 1, 0, 0, 0, 0, time.Local)
}
