package console

import (
	"cmp"
	"context"
	"errors"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sparlab/spar/dialog/store"
	"github.com/sparlab/spar/scoring"
	"github.com/sparlab/spar/web/account"
)

// listQuery is the calls list's filters, sort and page, from the page's query string.
type listQuery struct {
	Learner  string // account ID
	Team     string
	Scenario string
	From, To string // dates, YYYY-MM-DD, To inclusive
	Result   string // "", pass, fail, unscored
	MinScore string
	MaxScore string
	Text     string // searched in the transcript, case-insensitive
	Sort     string // started (default), score, duration, learner, scenario
	Asc      bool
	Page     int

	since, until time.Time
	min, max     int
	// noTrials leaves out trainers' trial calls (store.Record.Trial): progress, reps,
	// dashboards and the coaching queue count practice only. The calls list shows them.
	noTrials bool
}

func parseListQuery(v url.Values) (listQuery, error) {
	q := listQuery{Learner: v.Get("learner"), Team: v.Get("team"), Scenario: v.Get("scenario"),
		From: v.Get("from"), To: v.Get("to"), Result: v.Get("result"), MinScore: v.Get("min"),
		MaxScore: v.Get("max"), Text: strings.TrimSpace(v.Get("q")), Sort: cmp.Or(v.Get("sort"), "started"),
		Asc: v.Get("dir") == "asc", Page: 1, min: -1, max: -1}
	var err error
	if q.From != "" {
		if q.since, err = time.ParseInLocation(time.DateOnly, q.From, time.Local); err != nil {
			return q, badRequest("from must be a date (YYYY-MM-DD)")
		}
	}
	if q.To != "" {
		if q.until, err = time.ParseInLocation(time.DateOnly, q.To, time.Local); err != nil {
			return q, badRequest("to must be a date (YYYY-MM-DD)")
		}
		q.until = q.until.AddDate(0, 0, 1)
	}
	for _, s := range []struct {
		raw string
		out *int
	}{{q.MinScore, &q.min}, {q.MaxScore, &q.max}} {
		if s.raw == "" {
			continue
		}
		n, err := strconv.Atoi(s.raw)
		if err != nil || n < 0 || n > 100 {
			return q, badRequest("scores are 0 to 100")
		}
		*s.out = n
	}
	switch q.Result {
	case "", "pass", "fail", "unscored":
	default:
		return q, badRequest("result is pass, fail or unscored")
	}
	switch q.Sort {
	case "started", "score", "duration", "learner", "scenario":
	default:
		return q, badRequest("unknown sort")
	}
	if p := v.Get("page"); p != "" {
		if q.Page, err = strconv.Atoi(p); err != nil || q.Page < 1 {
			return q, badRequest("page must be a positive number")
		}
	}
	return q, nil
}

// row is one call in the list.
type row struct {
	Rec         *store.Record
	LearnerName string
	// ScenarioTitle is the scenario's title ("Charged twice for a renewal"), or its ID when
	// the scenario is no longer offered.
	ScenarioTitle string
	// LearnerAccount is the ID of the account owning the call, or "" for calls of no account.
	LearnerAccount string
	// Card is the judge's scorecard, nil when not scored (an override keeps it).
	Card       *scoring.Scorecard
	Scored     bool
	Score      int
	Pass       bool
	Overridden bool
}

// listRows returns the page of calls u may see that match q, and how many match in all.
func (c *Console) listRows(ctx context.Context, u *account.User, q listQuery, pageSize int) ([]row, int, error) {
	base := store.Query{Scenario: q.Scenario, Since: q.since, Until: q.until, Limit: c.cfg.MaxScan}
	learners, err := c.learnerFilter(ctx, u, q)
	if err != nil {
		return nil, 0, err
	}
	var recs []*store.Record
	if learners == nil {
		if recs, err = c.guard.List(ctx, u, base); err != nil {
			return nil, 0, err
		}
	}
	for _, l := range learners {
		sub := base
		sub.Learner = l
		more, err := c.guard.List(ctx, u, sub)
		if err != nil {
			return nil, 0, err
		}
		recs = append(recs, more...)
	}
	names := map[string][2]string{} // learner ID -> name, account ID
	var rows []row
	text := strings.ToLower(q.Text)
	for _, rec := range recs {
		if text != "" && !transcriptHas(rec, text) {
			continue
		}
		rw := row{Rec: rec}
		card, err := c.cards.Get(ctx, rec.ID)
		switch {
		case err == nil:
			rw.Card, rw.Scored, rw.Score, rw.Pass = card, true, card.Overall, card.Pass
		case !errors.Is(err, scoring.ErrNotScored):
			return nil, 0, err
		}
		o, err := c.feedback.Override(ctx, rec.ID)
		if err != nil {
			return nil, 0, err
		}
		if o != nil {
			rw.Scored, rw.Score, rw.Pass, rw.Overridden = true, o.Score, o.Pass, true
		}
		if !q.keeps(rw) {
			continue
		}
		who, ok := names[rec.Learner]
		if !ok {
			who = [2]string{rec.Learner, ""}
			if owner, err := c.accts.Owner(ctx, rec.Learner); err == nil {
				who = [2]string{owner.Name, owner.ID}
			}
			names[rec.Learner] = who
		}
		rw.LearnerName, rw.LearnerAccount = who[0], who[1]
		rw.ScenarioTitle = c.scenarioTitle(rec.Scenario)
		rows = append(rows, rw)
	}
	slices.SortStableFunc(rows, q.compare)
	total := len(rows)
	from := min((q.Page-1)*pageSize, total)
	return rows[from:min(from+pageSize, total)], total, nil
}

// learnerFilter turns the learner and team filters into learner IDs; nil means no filter.
// Filters naming accounts or teams the user may not see match nothing.
func (c *Console) learnerFilter(ctx context.Context, u *account.User, q listQuery) ([]string, error) {
	if q.Learner == "" && q.Team == "" {
		return nil, nil
	}
	var users []*account.User
	if q.Learner != "" {
		ok, err := c.accts.MayLearner(ctx, u, q.Learner)
		if err != nil || !ok {
			return []string{}, err
		}
		l, err := c.accts.Get(ctx, q.Learner)
		if errors.Is(err, account.ErrNotFound) {
			return []string{}, nil
		}
		if err != nil {
			return nil, err
		}
		users = append(users, l)
	}
	if q.Team != "" {
		if !account.MayTeam(u, q.Team) {
			return []string{}, nil
		}
		members, err := c.accts.Members(ctx, q.Team)
		if err != nil {
			return nil, err
		}
		if q.Learner != "" {
			members = slices.DeleteFunc(members, func(m *account.User) bool { return m.ID != q.Learner })
		}
		users = members
	}
	out := []string{}
	for _, m := range users {
		out = append(out, m.LearnerIDs()...)
	}
	return out, nil
}

func transcriptHas(rec *store.Record, lower string) bool {
	for _, u := range rec.Transcript {
		if strings.Contains(strings.ToLower(u.Text), lower) {
			return true
		}
	}
	return false
}

// keeps applies the result and score filters.
func (q listQuery) keeps(rw row) bool {
	if q.noTrials && rw.Rec.Trial != "" {
		return false
	}
	switch q.Result {
	case "pass":
		if !rw.Scored || !rw.Pass {
			return false
		}
	case "fail":
		if !rw.Scored || rw.Pass {
			return false
		}
	case "unscored":
		if rw.Scored {
			return false
		}
	}
	if (q.min >= 0 || q.max >= 0) && !rw.Scored {
		return false
	}
	return (q.min < 0 || rw.Score >= q.min) && (q.max < 0 || rw.Score <= q.max)
}

func (q listQuery) compare(a, b row) int {
	var c int
	switch q.Sort {
	case "score":
		c = cmp.Compare(scoreKey(a), scoreKey(b))
	case "duration":
		c = cmp.Compare(a.Rec.Duration, b.Rec.Duration)
	case "learner":
		c = strings.Compare(strings.ToLower(a.LearnerName), strings.ToLower(b.LearnerName))
	case "scenario":
		c = strings.Compare(a.Rec.Scenario, b.Rec.Scenario)
	}
	c = cmp.Or(c, a.Rec.Started.Compare(b.Rec.Started))
	if !q.Asc {
		c = -c
	}
	return c
}

// scoreKey sorts unscored calls below every score.
func scoreKey(r row) int {
	if !r.Scored {
		return -1
	}
	return r.Score
}

// with returns the query string of q with one parameter changed (for sort and page links).
func (q listQuery) with(key, value string) string {
	v := url.Values{}
	set := func(k, s string) {
		if s != "" {
			v.Set(k, s)
		}
	}
	set("learner", q.Learner)
	set("team", q.Team)
	set("scenario", q.Scenario)
	set("from", q.From)
	set("to", q.To)
	set("result", q.Result)
	set("min", q.MinScore)
	set("max", q.MaxScore)
	set("q", q.Text)
	set("sort", q.Sort)
	if q.Asc {
		v.Set("dir", "asc")
	}
	if q.Page > 1 {
		v.Set("page", strconv.Itoa(q.Page))
	}
	if key == "sort" && value == q.Sort {
		if q.Asc {
			v.Del("dir")
		} else {
			v.Set("dir", "asc")
		}
	} else if key == "sort" {
		v.Del("dir")
	}
	if key == "sort" {
		v.Del("page")
	}
	set(key, value)
	if key == "page" && value == "1" {
		v.Del("page")
	}
	return "?" + v.Encode()
}
