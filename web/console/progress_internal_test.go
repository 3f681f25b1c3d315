package console

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/sparlab/spar/dialog/store"
	"github.com/sparlab/spar/scoring"
	"github.com/sparlab/spar/web/account"
)

// rep builds a list row: started at day (local midnight + 10h), judged overall with the given
// criterion scores (0..1), and optionally overridden.
func rep(id, account, scenario string, day time.Time, overall int, crit map[string]float64, override int) row {
	rw := row{Rec: &store.Record{ID: id, Scenario: scenario, Started: day.Add(10 * time.Hour)}, LearnerAccount: account, LearnerName: account}
	if overall < 0 {
		return rw
	}
	card := &scoring.Scorecard{CallID: id, Overall: overall, PassMark: 70, Pass: overall >= 70}
	for _, k := range slices.Sorted(maps.Keys(crit)) {
		card.Criteria = append(card.Criteria, scoring.CriterionResult{ID: k, Name: "Name " + k, Score: crit[k]})
	}
	rw.Card, rw.Scored, rw.Score, rw.Pass = card, true, overall, card.Pass
	if override >= 0 {
		rw.Score, rw.Pass, rw.Overridden = override, override >= 70, true
	}
	return rw
}

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.Local) }

func TestBuildLearnerProgress(t *testing.T) {
	// 2026-03-02 is a Monday.
	rows := []row{
		rep("c1", "al", "s", day(2026, 3, 2), 50, map[string]float64{"a": 0.5, "b": 0.25}, -1),
		rep("c2", "al", "s", day(2026, 3, 4), -1, nil, -1), // not scored yet
		rep("c3", "al", "s", day(2026, 3, 17), 60, map[string]float64{"a": 0.9}, 85),
		rep("c4", "al", "s", day(2026, 3, 22), 72, map[string]float64{"b": 0.7}, -1), // a Sunday
	}
	now := day(2026, 3, 31).Add(12 * time.Hour) // a Tuesday
	p := buildLearnerProgress(rows, now, 26)
	if p.Reps != 4 || p.Scored != 3 || p.Passed != 2 || p.Average != 69 { // (50+85+72)/3 = 69
		t.Errorf("totals %d reps %d scored %d passed, average %d", p.Reps, p.Scored, p.Passed, p.Average)
	}
	if got := fmt.Sprint(p.Scores); got != "[{1 c1 50 false} {3 c3 85 true} {4 c4 72 true}]" {
		t.Errorf("scores %s", got)
	}
	if got := fmt.Sprint(p.Criteria); got != "[{a Name a [{1 c1 50 true} {3 c3 90 true}]} {b Name b [{1 c1 25 false} {4 c4 70 true}]}]" {
		t.Errorf("criteria %s", got)
	}
	var weeks []string
	for _, w := range p.Weeks {
		weeks = append(weeks, fmt.Sprintf("%s:%d", w.Start.Format("01-02"), w.Reps))
	}
	if got := fmt.Sprint(weeks); got != "[03-02:2 03-09:0 03-16:2 03-23:0 03-30:0]" {
		t.Errorf("weeks %s", got)
	}
	if p.Latest == nil || p.Latest.Rec.ID != "c4" {
		t.Errorf("latest %+v", p.Latest)
	}
	if capped := buildLearnerProgress(rows, now, 2); len(capped.Weeks) != 2 || capped.Weeks[0].Start != day(2026, 3, 23) {
		t.Errorf("capped weeks %+v", capped.Weeks)
	}
	if empty := buildLearnerProgress(nil, now, 26); len(empty.Weeks) != 1 || empty.Latest != nil || empty.Average != 0 {
		t.Errorf("no reps: %+v", empty)
	}
}

func TestBuildTeamDashboard(t *testing.T) {
	d0 := day(2026, 3, 2)
	rows := []row{
		rep("c1", "al", "refund", d0, 80, map[string]float64{"a": 0.9, "b": 0.2, "c": 0.6}, -1),
		rep("c2", "al", "refund", d0, 40, map[string]float64{"a": 0.7, "b": 0.4}, 75),
		rep("c3", "bo", "cold", d0, 30, map[string]float64{"c": 0.3, "d": 0.1, "e": 0.95, "f": 0.5}, -1),
		rep("c4", "bo", "refund", d0, -1, nil, -1),
	}
	members := []*account.User{
		{ID: "al", Name: "Al", Role: account.RoleLearner}, {ID: "bo", Name: "bo", Role: account.RoleLearner},
		{ID: "cy", Name: "Cy", Role: account.RoleLearner}, {ID: "tt", Name: "Trainer", Role: account.RoleTrainer},
	}
	d := buildTeamDashboard(rows, members)
	if d.Reps != 4 {
		t.Errorf("reps %d", d.Reps)
	}
	if got := fmt.Sprint(d.Scenarios); got != "[{refund 3 2 2 100} {cold 1 1 0 0}]" {
		t.Errorf("scenarios %s", got)
	}
	// b: (20+40)/2 = 30, d: 10, c: (60+30)/2 = 45, f: 50, a: 80, e: 95 -> five worst.
	var missed []string
	for _, m := range d.Missed {
		missed = append(missed, fmt.Sprintf("%s:%d/%d", m.ID, m.Average, m.Cards))
	}
	if got := fmt.Sprint(missed); got != "[d:10/1 b:30/2 c:45/2 f:50/1 a:80/2]" {
		t.Errorf("most missed %s", got)
	}
	if got := fmt.Sprint(d.Learners); got != "[{al Al 2 2 78} {bo bo 2 1 30} {cy Cy 0 0 0}]" {
		t.Errorf("learners %s", got)
	}
}

func TestScoreLineGeometry(t *testing.T) {
	c := scoreLine([]repPoint{{Rep: 1, Score: 100}, {Rep: 5, Score: 0}}, 5, 640, 220, 70, "x")
	if len(c.Dots) != 2 || c.Dots[0].X != c.Left || c.Dots[1].X != c.Left+c.PlotW ||
		c.Dots[0].Y != c.Top || c.Dots[1].Y != c.Top+c.PlotH || c.Dots[0].Value != 100 {
		t.Errorf("dots %+v in plot %v,%v %vx%v", c.Dots, c.Left, c.Top, c.PlotW, c.PlotH)
	}
	if want := fmt.Sprintf("%.1f,%.1f %.1f,%.1f", c.Left, c.Top, c.Left+c.PlotW, c.Top+c.PlotH); c.Line != want {
		t.Errorf("line %q, want %q", c.Line, want)
	}
	if c.Threshold == nil || math.Abs(c.Threshold.Pos-(c.Top+c.PlotH*0.3)) > 1e-9 {
		t.Errorf("pass mark line %+v", c.Threshold)
	}
	for reps, want := range map[int]string{0: "[]", 1: "[1]", 5: "[1 2 3 4 5]", 12: "[1 4 7 10 12]"} {
		if got := fmt.Sprint(repTicks(reps)); got != want {
			t.Errorf("repTicks(%d) %s, want %s", reps, got, want)
		}
	}
	b := bars([]string{"a", "b"}, []int{2, 4}, []string{"", ""}, 0, 400, 100, "x")
	if b.Bars[1].Y != b.Top || b.Bars[0].H != b.PlotH/2 {
		t.Errorf("bars %+v", b.Bars)
	}
}

func TestCSVCellDefusesFormulas(t *testing.T) {
	for in, want := range map[string]string{"=HYPERLINK(1)": "'=HYPERLINK(1)", "+1": "'+1", "@x": "'@x", "-2": "'-2",
		"Alice": "Alice", "": "", "a=b": "a=b"} {
		if got := cell(in); got != want {
			t.Errorf("cell(%q) %q, want %q", in, got, want)
		}
	}
}

// TestWeekStart: a week runs from Monday midnight, local time, whatever the hour or the day
// (Sunday late and Monday just after midnight included).
func TestWeekStart(t *testing.T) {
	monday := time.Date(2026, 12, 7, 0, 0, 0, 0, time.Local)
	for _, at := range []time.Time{monday, monday.Add(30 * time.Minute), monday.Add(3*24*time.Hour + 13*time.Hour),
		monday.Add(7*24*time.Hour - time.Minute)} {
		if got := weekStart(at); !got.Equal(monday) {
			t.Errorf("weekStart(%v) = %v, want %v", at, got, monday)
		}
	}
	if got, want := weekStart(monday.Add(-time.Minute)), monday.AddDate(0, 0, -7); !got.Equal(want) {
		t.Errorf("weekStart(Sunday 23:59) = %v, want the Monday before, %v", got, want)
	}
}
