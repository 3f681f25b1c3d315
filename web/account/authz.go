package account

import (
	"context"
	"errors"
	"slices"
)

// MayCall reports whether u may see a call recorded under learner ID learner (its recording,
// transcript, scorecard and comments): admins always; the learner who owns it; trainers when
// its owner is in one of their teams. Calls of no account (guests) are for admins only.
func (a *Accounts) MayCall(ctx context.Context, u *User, learner string) (bool, error) {
	if u == nil {
		return false, nil
	}
	if u.Role == RoleAdmin {
		return true, nil
	}
	if learner == "" {
		return false, nil
	}
	owner, err := a.Owner(ctx, learner)
	if errors.Is(err, ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return mayUser(u, owner), nil
}

// MayLearner reports whether u may see account id's calls and progress.
func (a *Accounts) MayLearner(ctx context.Context, u *User, id string) (bool, error) {
	if u == nil {
		return false, nil
	}
	if u.Role == RoleAdmin || u.ID == id {
		return true, nil
	}
	other, err := a.Get(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return mayUser(u, other), nil
}

// MayTeam reports whether u may see team's calls and dashboard: admins, and the team's
// trainers. Learners see only their own calls, not their team's.
func MayTeam(u *User, team string) bool {
	if u == nil {
		return false
	}
	return u.Role == RoleAdmin || u.Role == RoleTrainer && u.InTeam(team)
}

// mayUser is the rule between two accounts: oneself, or a trainer sharing a team.
func mayUser(u, owner *User) bool {
	if u.ID == owner.ID || u.Role == RoleAdmin {
		return true
	}
	if u.Role != RoleTrainer {
		return false
	}
	return slices.ContainsFunc(owner.Teams, u.InTeam)
}

// Visible returns the accounts whose calls u may see; all is true for admins (who also see
// calls of no account), and then the list is nil.
func (a *Accounts) Visible(ctx context.Context, u *User) (users []*User, all bool, err error) {
	switch {
	case u == nil:
		return nil, false, nil
	case u.Role == RoleAdmin:
		return nil, true, nil
	case u.Role == RoleLearner:
		return []*User{u}, false, nil
	}
	seen := map[string]bool{u.ID: true}
	users = []*User{u}
	for _, t := range u.Teams {
		members, err := a.Members(ctx, t)
		if err != nil {
			return nil, false, err
		}
		for _, m := range members {
			if !seen[m.ID] {
				seen[m.ID] = true
				users = append(users, m)
			}
		}
	}
	return users, false, nil
}
