package console

import (
	"cmp"
	"slices"
	"strings"

	"github.com/sparlab/spar/web/account"
)

// scenarioStat is one scenario's reps and pass rate in the dashboard's period.
type scenarioStat struct {
	Scenario             string
	Reps, Scored, Passed int
	PassRate             int // percent of the scored reps that passed
}

// criterionStat is one criterion's mean judge score (0..100) over the scorecards that have it.
type criterionStat struct {
	ID, Name string
	Cards    int
	Average  int
}

// learnerStat is one team member's reps and mean score in the dashboard's period.
type learnerStat struct {
	ID, Name     string
	Reps, Scored int
	Average      int // mean effective score; meaningful when Scored > 0
}

// teamDashboard is what a team's dashboard shows for one period.
type teamDashboard struct {
	Reps      int
	Scenarios []scenarioStat  // most reps first
	Missed    []criterionStat // lowest mean score first, at most maxMissed
	Learners  []learnerStat   // the team's learners, and anyone else with reps, by name
}

// maxMissed is how many criteria "most missed" lists.
const maxMissed = 5

// buildTeamDashboard computes a team's dashboard from its calls in the period and its
// members. Every learner member is listed, with zero reps if they did not practise.
func buildTeamDashboard(rows []row, members []*account.User) teamDashboard {
	d := teamDashboard{Reps: len(rows)}
	scen := map[string]*scenarioStat{}
	type acc struct {
		sum, n int
		name   string
	}
	crit := map[string]*acc{}
	learners := map[string]*learnerStat{}
	sums := map[string]int{}
	for _, m := range members {
		if m.Role == account.RoleLearner {
			learners[m.ID] = &learnerStat{ID: m.ID, Name: m.Name}
		}
	}
	for _, rw := range rows {
		s := scen[rw.Rec.Scenario]
		if s == nil {
			s = &scenarioStat{Scenario: rw.Rec.Scenario}
			scen[rw.Rec.Scenario] = s
		}
		s.Reps++
		l := learners[rw.LearnerAccount]
		if l == nil {
			l = &learnerStat{ID: rw.LearnerAccount, Name: rw.LearnerName}
			learners[rw.LearnerAccount] = l
		}
		l.Reps++
		if rw.Scored {
			s.Scored++
			l.Scored++
			sums[rw.LearnerAccount] += rw.Score
			if rw.Pass {
				s.Passed++
			}
		}
		if rw.Card == nil {
			continue
		}
		for _, cr := range rw.Card.Criteria {
			a := crit[cr.ID]
			if a == nil {
				a = &acc{name: cr.Name}
				crit[cr.ID] = a
			}
			a.sum += percent(cr.Score)
			a.n++
		}
	}
	for _, s := range scen {
		if s.Scored > 0 {
			s.PassRate = roundDiv(100*s.Passed, s.Scored)
		}
		d.Scenarios = append(d.Scenarios, *s)
	}
	slices.SortFunc(d.Scenarios, func(a, b scenarioStat) int {
		return cmp.Or(cmp.Compare(b.Reps, a.Reps), strings.Compare(a.Scenario, b.Scenario))
	})
	for id, a := range crit {
		d.Missed = append(d.Missed, criterionStat{ID: id, Name: a.name, Cards: a.n, Average: roundDiv(a.sum, a.n)})
	}
	slices.SortFunc(d.Missed, byScoreAsc)
	d.Missed = d.Missed[:min(len(d.Missed), maxMissed)]
	for id, l := range learners {
		if l.Scored > 0 {
			l.Average = roundDiv(sums[id], l.Scored)
		}
		d.Learners = append(d.Learners, *l)
	}
	slices.SortFunc(d.Learners, func(a, b learnerStat) int {
		return cmp.Or(strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)), strings.Compare(a.ID, b.ID))
	})
	return d
}
