package account

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/redis/go-redis/v9"
)

// Team is a team name and how many accounts belong to it.
type Team struct {
	Name    string `json:"name"`
	Members int    `json:"members"`
}

// TeamSizes returns every team with its member count, sorted by name.
func (a *Accounts) TeamSizes(ctx context.Context) ([]Team, error) {
	names, err := a.Teams(ctx)
	if err != nil {
		return nil, err
	}
	cmds := make([]*redis.IntCmd, len(names))
	_, err = a.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, n := range names {
			cmds[i] = p.SCard(ctx, a.keys.TeamMembers(n))
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("account: team sizes: %w", err)
	}
	out := make([]Team, len(names))
	for i, n := range names {
		out[i] = Team{Name: n, Members: int(cmds[i].Val())}
	}
	return out, nil
}

// CreateTeam adds an empty team, or answers ErrExists.
func (a *Accounts) CreateTeam(ctx context.Context, name string) error {
	if !teamRE.MatchString(name) {
		return fmt.Errorf("%w: team %q (letters, digits, space . _ -)", ErrInvalid, name)
	}
	n, err := a.rdb.SAdd(ctx, a.keys.Teams(), name).Result()
	if err != nil {
		return fmt.Errorf("account: create team %s: %w", name, err)
	}
	if n == 0 {
		return fmt.Errorf("account: create team %s: %w", name, ErrExists)
	}
	return nil
}

// RenameTeam renames team from to to, in the team list and in each member's account. The new
// name must be free (ErrExists); an unknown team is ErrNotFound.
func (a *Accounts) RenameTeam(ctx context.Context, from, to string) error {
	if !teamRE.MatchString(to) {
		return fmt.Errorf("%w: team %q (letters, digits, space . _ -)", ErrInvalid, to)
	}
	teams, err := a.Teams(ctx)
	if err != nil {
		return err
	}
	switch {
	case !slices.Contains(teams, from):
		return fmt.Errorf("account: rename team %s: %w", from, ErrNotFound)
	case slices.Contains(teams, to):
		return fmt.Errorf("account: rename team %s: %w", to, ErrExists)
	}
	ids, err := a.rdb.SMembers(ctx, a.keys.TeamMembers(from)).Result()
	if err != nil {
		return fmt.Errorf("account: rename team %s: %w", from, err)
	}
	data := map[string][]byte{}
	for _, id := range ids {
		s, err := a.get(ctx, id)
		if err != nil {
			return err
		}
		for i, t := range s.Teams {
			if t == from {
				s.Teams[i] = to
			}
		}
		if data[id], err = json.Marshal(s); err != nil {
			return fmt.Errorf("account: rename team %s: %w", from, err)
		}
	}
	_, err = a.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		for id, d := range data {
			p.Set(ctx, a.keys.User(id), d, 0)
			p.SAdd(ctx, a.keys.TeamMembers(to), id)
		}
		p.Del(ctx, a.keys.TeamMembers(from))
		p.SRem(ctx, a.keys.Teams(), from)
		p.SAdd(ctx, a.keys.Teams(), to)
		return nil
	})
	if err != nil {
		return fmt.Errorf("account: rename team %s: %w", from, err)
	}
	return nil
}
