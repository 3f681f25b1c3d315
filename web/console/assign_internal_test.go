package console

import (
	"testing"
	"time"
)

func TestProgressOf(t *testing.T) {
	created := day(2026, 3, 1).Add(9 * time.Hour)                                                   // 09:00 on Mar 1; rep() calls start at 10:00
	a := &Assignment{Scenario: "s", Reps: 3, PassMark: 75, Created: created, Due: day(2026, 3, 11)} // due end of Mar 10
	before, during, after := day(2026, 3, 5), day(2026, 3, 8), day(2026, 3, 12)
	tests := []struct {
		name                 string
		rows                 []row
		now                  time.Time
		state                string
		reps, passes, scored int
		best, last           int // -1: none
		lastCall             string
	}{
		{"no calls", nil, before, StateNotStarted, 0, 0, 0, -1, -1, ""},
		{"no calls, past due", nil, after, StateOverdue, 0, 0, 0, -1, -1, ""},
		{"calls outside the window or of another scenario", []row{
			rep("early", "al", "s", day(2026, 2, 28), 90, nil, -1),
			rep("late", "al", "s", day(2026, 3, 11), 90, nil, -1),
			rep("other", "al", "x", during, 90, nil, -1),
		}, before, StateNotStarted, 0, 0, 0, -1, -1, ""},
		{"a call on the creation day after creation and on the due day count", []row{
			rep("first", "al", "s", day(2026, 3, 1), 80, nil, -1),
			rep("lastday", "al", "s", day(2026, 3, 10), 60, nil, -1),
		}, before, StateInProgress, 2, 1, 2, 80, 60, "lastday"},
		{"override decides the pass, both ways", []row{
			rep("up", "al", "s", day(2026, 3, 2), 60, nil, 80),   // judge 60, trainer 80: a pass
			rep("down", "al", "s", day(2026, 3, 3), 90, nil, 50), // judge 90, trainer 50: not
		}, before, StateInProgress, 2, 1, 2, 80, 50, "down"},
		{"unscored reps count as reps, not passes", []row{
			rep("u1", "al", "s", day(2026, 3, 2), -1, nil, -1),
			rep("u2", "al", "s", day(2026, 3, 3), 75, nil, -1),
			rep("u3", "al", "s", day(2026, 3, 4), -1, nil, -1),
		}, during, StateDone, 3, 1, 1, 75, 75, "u3"},
		{"done stays done after the due date", []row{
			rep("d1", "al", "s", day(2026, 3, 4), 70, nil, -1),
			rep("d3", "al", "s", day(2026, 3, 6), 72, nil, -1),
			rep("d2", "al", "s", day(2026, 3, 5), 99, nil, -1),
			rep("d4", "al", "s", day(2026, 3, 7), 71, nil, -1),
		}, after, StateDone, 4, 1, 4, 99, 71, "d4"},
		{"reps missing at the due date", []row{
			rep("o1", "al", "s", day(2026, 3, 4), 90, nil, -1),
		}, day(2026, 3, 11), StateOverdue, 1, 1, 1, 90, 90, "o1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := progressOf(a, tc.rows, tc.now)
			if p.State != tc.state || p.Reps != tc.reps || p.Passes != tc.passes || p.Scored != tc.scored || p.Needed != 3 || p.LastCall != tc.lastCall {
				t.Errorf("got %+v", p)
			}
			for _, s := range []struct {
				name string
				got  *int
				want int
			}{{"best", p.Best, tc.best}, {"last", p.Last, tc.last}} {
				switch {
				case s.want < 0 && s.got != nil:
					t.Errorf("%s = %d, want none", s.name, *s.got)
				case s.want >= 0 && (s.got == nil || *s.got != s.want):
					t.Errorf("%s = %v, want %d", s.name, s.got, s.want)
				}
			}
		})
	}
	if got := (Progress{Reps: 7, Needed: 10}).Percent(); got != 70 {
		t.Errorf("Percent = %d", got)
	}
	if got := (Progress{Reps: 12, Needed: 10}).Percent(); got != 100 {
		t.Errorf("Percent over = %d", got)
	}
}

func TestDueDate(t *testing.T) {
	end, err := dueEnd("2026-03-10")
	if err != nil {
		t.Fatal(err)
	}
	a := &Assignment{Due: end}
	if a.DueDate() != "2026-03-10" || !end.Equal(day(2026, 3, 11)) {
		t.Errorf("due %v shows as %s", end, a.DueDate())
	}
	if _, err := dueEnd("10/03/2026"); err == nil {
		t.Error("a non-ISO date was accepted")
	}
}
