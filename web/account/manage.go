package account

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/redis/go-redis/v9"
	"golang.org/x/crypto/bcrypt"
)

// Changes is what Update changes on an account; nil fields stay as they are. The email and
// the learner ID never change (calls are recorded under the learner ID).
type Changes struct {
	Name     *string
	Role     *Role
	Teams    *[]string
	Phones   *[]string
	Disabled *bool
}

// Update applies ch to account id and returns the account as it now is. New caller IDs must
// be free (ErrExists). A disabled account's sessions end at once. Concurrent updates of one
// account are last-writer-wins, which suits an admin page.
func (a *Accounts) Update(ctx context.Context, id string, ch Changes) (*User, error) {
	s, err := a.get(ctx, id)
	if err != nil {
		return nil, err
	}
	old := s.User
	u := &s.User
	if ch.Name != nil {
		u.Name = strings.TrimSpace(*ch.Name)
	}
	if ch.Role != nil {
		u.Role = *ch.Role
	}
	if ch.Teams != nil {
		u.Teams = Dedupe(*ch.Teams)
	}
	if ch.Phones != nil {
		u.Phones = Dedupe(*ch.Phones)
	}
	if ch.Disabled != nil {
		u.Disabled = *ch.Disabled
	}
	check := NewUser{ID: u.ID, Name: u.Name, Email: u.Email, Role: u.Role, Teams: u.Teams, Phones: u.Phones,
		Learner: u.Learner, Password: "placeholder-checked-elsewhere"}
	if err := check.validate(); err != nil {
		return nil, err
	}
	// A new learner gets the learner ID its calls will carry, as Create gives one.
	var claims []string
	if u.Role == RoleLearner && u.Learner == "" {
		u.Learner = u.ID
		claims = append(claims, a.keys.Learner(u.Learner))
	}
	added, removed := diff(old.Phones, u.Phones)
	for _, p := range added {
		claims = append(claims, a.keys.Phone(p), a.keys.Learner(GuestLearner(p)))
	}
	if err := a.claim(ctx, id, claims); err != nil {
		return nil, fmt.Errorf("account: update %s: %w", id, err)
	}
	data, err := json.Marshal(s)
	if err != nil {
		return nil, fmt.Errorf("account: update %s: %w", id, err)
	}
	joined, left := diff(old.Teams, u.Teams)
	_, err = a.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.Set(ctx, a.keys.User(id), data, 0)
		for _, t := range joined {
			p.SAdd(ctx, a.keys.TeamMembers(t), id)
			p.SAdd(ctx, a.keys.Teams(), t)
		}
		for _, t := range left {
			p.SRem(ctx, a.keys.TeamMembers(t), id)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("account: update %s: %w", id, err)
	}
	for _, ph := range removed {
		a.release(ctx, id, a.keys.Phone(ph), a.keys.Learner(GuestLearner(ph)))
	}
	if u.Disabled && !old.Disabled {
		if err := a.endSessions(ctx, id); err != nil {
			return nil, err
		}
	}
	return u, nil
}

// SetPassword replaces account id's password and ends its sessions (API tokens stay).
func (a *Accounts) SetPassword(ctx context.Context, id, password string) error {
	if len(password) < MinPassword || len(password) > 72 {
		return fmt.Errorf("%w: password must be %d to 72 characters", ErrInvalid, MinPassword)
	}
	if why := weakPassword(password); why != "" {
		return fmt.Errorf("%w: password too easy to guess (%s): use a passphrase of a few words", ErrInvalid, why)
	}
	s, err := a.get(ctx, id)
	if err != nil {
		return err
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(password), a.cfg.BcryptCost)
	if err != nil {
		return fmt.Errorf("account: set password of %s: %w", id, err)
	}
	s.Hash = string(hash)
	data, err := json.Marshal(s)
	if err != nil {
		return fmt.Errorf("account: set password of %s: %w", id, err)
	}
	if err := a.rdb.Set(ctx, a.keys.User(id), data, 0).Err(); err != nil {
		return fmt.Errorf("account: set password of %s: %w", id, err)
	}
	return a.endSessions(ctx, id)
}

// Delete removes account id with its sessions, API tokens, team memberships and the claims
// on its email, learner IDs and caller IDs. Its calls stay: they become calls of no account,
// which only admins see (and a freed caller ID's calls become unlisted guest links again).
func (a *Accounts) Delete(ctx context.Context, id string) error {
	s, err := a.get(ctx, id)
	if err != nil {
		return err
	}
	if err := a.endSessions(ctx, id); err != nil {
		return err
	}
	hashes, err := a.rdb.SMembers(ctx, a.keys.UserTokens(id)).Result()
	if err != nil {
		return fmt.Errorf("account: delete %s: %w", id, err)
	}
	_, err = a.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		for _, h := range hashes {
			p.Del(ctx, a.keys.Token(h))
		}
		p.Del(ctx, a.keys.UserTokens(id), a.keys.User(id))
		p.SRem(ctx, a.keys.Users(), id)
		for _, t := range s.Teams {
			p.SRem(ctx, a.keys.TeamMembers(t), id)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("account: delete %s: %w", id, err)
	}
	owned := []string{a.keys.Email(s.Email)}
	for _, l := range s.LearnerIDs() {
		owned = append(owned, a.keys.Learner(l))
	}
	for _, ph := range s.Phones {
		owned = append(owned, a.keys.Phone(ph))
	}
	a.release(ctx, id, owned...)
	return nil
}

// claim takes each key for account id with SET NX, undoing them all if one is taken.
func (a *Accounts) claim(ctx context.Context, id string, keys []string) error {
	var taken []string
	for _, key := range keys {
		ok, err := a.rdb.SetNX(ctx, key, id, 0).Result()
		if err == nil && !ok {
			err = fmt.Errorf("%w: %s", ErrExists, strings.TrimPrefix(key, a.keys.Prefix+"{account}:"))
		}
		if err != nil {
			a.release(context.WithoutCancel(ctx), id, taken...)
			return err
		}
		taken = append(taken, key)
	}
	return nil
}

// release deletes the index keys that still point at account id.
func (a *Accounts) release(ctx context.Context, id string, keys ...string) {
	for _, key := range keys {
		if v, err := a.rdb.Get(ctx, key).Result(); err == nil && v == id {
			_ = a.rdb.Del(ctx, key).Err()
		}
	}
}

// endSessions signs account id out everywhere.
func (a *Accounts) endSessions(ctx context.Context, id string) error {
	hashes, err := a.rdb.SMembers(ctx, a.keys.UserSessions(id)).Result()
	if err != nil && !errors.Is(err, redis.Nil) {
		return fmt.Errorf("account: end sessions of %s: %w", id, err)
	}
	keys := []string{a.keys.UserSessions(id)}
	for _, h := range hashes {
		keys = append(keys, a.keys.Session(h))
	}
	if err := a.rdb.Del(ctx, keys...).Err(); err != nil {
		return fmt.Errorf("account: end sessions of %s: %w", id, err)
	}
	return nil
}

// diff returns what is in b and not in a, and what is in a and not in b.
func diff(a, b []string) (added, removed []string) {
	for _, x := range b {
		if !slices.Contains(a, x) {
			added = append(added, x)
		}
	}
	for _, x := range a {
		if !slices.Contains(b, x) {
			removed = append(removed, x)
		}
	}
	return added, removed
}

// Dedupe trims the names (teams, caller IDs, account IDs as a form sends them) and drops
// empty and repeated ones, keeping the first order.
func Dedupe(in []string) []string {
	var out []string
	for _, s := range in {
		if s = strings.TrimSpace(s); s != "" && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}
