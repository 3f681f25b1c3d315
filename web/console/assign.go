package console

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/sparlab/spar/dialog/store"
)

// Assignment is a practice goal a trainer sets: Reps finished calls of Scenario between
// Created and Due, each passing when its score (a trainer's override when there is one)
// reaches PassMark. It goes to the learner accounts in Learners and to the learners of Team
// (whoever belongs to the team when progress is read).
type Assignment struct {
	ID       string    `json:"id"`
	Scenario string    `json:"scenario"`
	Team     string    `json:"team,omitempty"`
	Learners []string  `json:"learners,omitempty"` // account IDs
	Reps     int       `json:"reps"`
	PassMark int       `json:"pass_mark"`
	Note     string    `json:"note,omitempty"`
	Created  time.Time `json:"created"`
	// Due is the end of the due day (midnight after it, server local time): reps started
	// before it count.
	Due        time.Time `json:"due"`
	Author     string    `json:"author"`
	AuthorName string    `json:"author_name"`
}

// DueDate is the last day reps count, as YYYY-MM-DD.
func (a *Assignment) DueDate() string {
	return a.Due.Add(-time.Nanosecond).Local().Format(time.DateOnly)
}

// dueEnd is the end of day date (YYYY-MM-DD, server local time).
func dueEnd(date string) (time.Time, error) {
	d, err := time.ParseInLocation(time.DateOnly, date, time.Local)
	if err != nil {
		return time.Time{}, badRequest("the due date must be a date (YYYY-MM-DD)")
	}
	return d.AddDate(0, 0, 1), nil
}

// assignments keeps assignments in Redis (store.AssignmentKeys).
type assignments struct {
	rdb  redis.UniversalClient
	keys store.AssignmentKeys
}

// create stores a new assignment and indexes it by learner and team.
func (s *assignments) create(ctx context.Context, a *Assignment) error {
	data, err := json.Marshal(a)
	if err != nil {
		return fmt.Errorf("console: create assignment: %w", err)
	}
	_, err = s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.Set(ctx, s.keys.Assignment(a.ID), data, 0)
		p.ZAdd(ctx, s.keys.All(), redis.Z{Score: float64(a.Created.UnixMilli()), Member: a.ID})
		for _, l := range a.Learners {
			p.SAdd(ctx, s.keys.Learner(l), a.ID)
		}
		if a.Team != "" {
			p.SAdd(ctx, s.keys.Team(a.Team), a.ID)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("console: create assignment: %w", err)
	}
	return nil
}

// save replaces an existing assignment whose scenario and targets did not change.
func (s *assignments) save(ctx context.Context, a *Assignment) error {
	data, err := json.Marshal(a)
	if err != nil {
		return fmt.Errorf("console: save assignment %s: %w", a.ID, err)
	}
	ok, err := s.rdb.SetXX(ctx, s.keys.Assignment(a.ID), data, 0).Result()
	if err != nil {
		return fmt.Errorf("console: save assignment %s: %w", a.ID, err)
	}
	if !ok {
		return ErrNoAssignment
	}
	return nil
}

// get returns assignment id, or ErrNoAssignment.
func (s *assignments) get(ctx context.Context, id string) (*Assignment, error) {
	data, err := s.rdb.Get(ctx, s.keys.Assignment(id)).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, ErrNoAssignment
	}
	if err != nil {
		return nil, fmt.Errorf("console: assignment %s: %w", id, err)
	}
	a := new(Assignment)
	if err := json.Unmarshal(data, a); err != nil {
		return nil, fmt.Errorf("console: assignment %s: %w", id, err)
	}
	return a, nil
}

// all returns every assignment, newest first.
func (s *assignments) all(ctx context.Context) ([]*Assignment, error) {
	ids, err := s.rdb.ZRevRange(ctx, s.keys.All(), 0, -1).Result()
	if err != nil {
		return nil, fmt.Errorf("console: list assignments: %w", err)
	}
	return s.getAll(ctx, ids)
}

// forLearner returns the assignments naming account id, and those of teams (when the
// account is a learner in them).
func (s *assignments) forLearner(ctx context.Context, id string, teams []string) ([]*Assignment, error) {
	keys := []string{s.keys.Learner(id)}
	for _, t := range teams {
		keys = append(keys, s.keys.Team(t))
	}
	ids, err := s.rdb.SUnion(ctx, keys...).Result()
	if err != nil {
		return nil, fmt.Errorf("console: assignments of %s: %w", id, err)
	}
	return s.getAll(ctx, ids)
}

func (s *assignments) getAll(ctx context.Context, ids []string) ([]*Assignment, error) {
	out := make([]*Assignment, 0, len(ids))
	for _, id := range ids {
		a, err := s.get(ctx, id)
		if errors.Is(err, ErrNoAssignment) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}

// delete removes an assignment and its index entries; the calls stay.
func (s *assignments) delete(ctx context.Context, a *Assignment) error {
	_, err := s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.Del(ctx, s.keys.Assignment(a.ID))
		p.ZRem(ctx, s.keys.All(), a.ID)
		for _, l := range a.Learners {
			p.SRem(ctx, s.keys.Learner(l), a.ID)
		}
		if a.Team != "" {
			p.SRem(ctx, s.keys.Team(a.Team), a.ID)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("console: delete assignment %s: %w", a.ID, err)
	}
	return nil
}

// renameTeam moves the assignments of team from to team to (after account.RenameTeam).
func (s *assignments) renameTeam(ctx context.Context, from, to string) error {
	ids, err := s.rdb.SMembers(ctx, s.keys.Team(from)).Result()
	if err != nil {
		return fmt.Errorf("console: rename team assignments: %w", err)
	}
	list, err := s.getAll(ctx, ids)
	if err != nil {
		return err
	}
	for _, a := range list {
		a.Team = to
		if err := s.save(ctx, a); err != nil {
			return err
		}
		if err := s.rdb.SAdd(ctx, s.keys.Team(to), a.ID).Err(); err != nil {
			return fmt.Errorf("console: rename team assignments: %w", err)
		}
	}
	if err := s.rdb.Del(ctx, s.keys.Team(from)).Err(); err != nil {
		return fmt.Errorf("console: rename team assignments: %w", err)
	}
	return nil
}
