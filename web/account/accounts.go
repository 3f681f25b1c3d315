package account

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
	"golang.org/x/crypto/bcrypt"

	"github.com/sparlab/spar/dialog/store"
)

// Accounts keeps accounts, sessions and API tokens in Redis. It is safe for concurrent use.
type Accounts struct {
	rdb  redis.UniversalClient
	keys store.AccountKeys
	cfg  Config
	log  *slog.Logger
	now  func() time.Time
	// dummyHash is compared against when the email is unknown, so a login takes as long
	// whether or not the account exists.
	dummyHash []byte
}

// New returns the accounts on rdb under keys (store.Store.AccountKeys). Zero fields of cfg take
// their defaults.
func New(rdb redis.UniversalClient, keys store.AccountKeys, cfg Config, log *slog.Logger) (*Accounts, error) {
	cfg = cfg.withDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	dummy, err := bcrypt.GenerateFromPassword([]byte("not a real password"), cfg.BcryptCost)
	if err != nil {
		return nil, fmt.Errorf("account: new: %w", err)
	}
	return &Accounts{rdb: rdb, keys: keys, cfg: cfg, log: log.With("component", "account"),
		now: time.Now, dummyHash: dummy}, nil
}

// stored is an account as kept in Redis.
type stored struct {
	User
	Hash string `json:"password_hash"`
}

// Create adds an account. Its email, learner ID and caller IDs must be free.
func (a *Accounts) Create(ctx context.Context, n NewUser) (*User, error) {
	if err := n.validate(); err != nil {
		return nil, err
	}
	if n.ID == "" {
		n.ID = randomHex(6)
	}
	if n.Learner == "" && n.Role == RoleLearner {
		n.Learner = n.ID
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(n.Password), a.cfg.BcryptCost)
	if err != nil {
		return nil, fmt.Errorf("account: create %s: hash password: %w", n.Email, err)
	}
	u := User{ID: n.ID, Name: n.Name, Email: n.Email, Role: n.Role, Teams: n.Teams, Learner: n.Learner,
		Phones: n.Phones, Created: a.now().UTC().Truncate(time.Second)}
	data, err := json.Marshal(stored{User: u, Hash: string(hash)})
	if err != nil {
		return nil, fmt.Errorf("account: create %s: %w", n.Email, err)
	}
	// Claim every unique name with SET NX; undo the claims if one is taken.
	claims := []string{a.keys.User(u.ID), a.keys.Email(u.Email)}
	for _, l := range u.LearnerIDs() {
		claims = append(claims, a.keys.Learner(l))
	}
	for _, p := range u.Phones {
		claims = append(claims, a.keys.Phone(p))
	}
	var taken []string
	for i, key := range claims {
		val := any(u.ID)
		if i == 0 {
			val = data
		}
		ok, err := a.rdb.SetNX(ctx, key, val, 0).Result()
		if err == nil && !ok {
			err = fmt.Errorf("%w: %s", ErrExists, strings.TrimPrefix(key, a.keys.Prefix+"account:"))
		}
		if err != nil {
			if len(taken) > 0 {
				_ = a.rdb.Del(context.WithoutCancel(ctx), taken...).Err()
			}
			return nil, fmt.Errorf("account: create %s: %w", n.Email, err)
		}
		taken = append(taken, key)
	}
	_, err = a.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		p.SAdd(ctx, a.keys.Users(), u.ID)
		for _, t := range u.Teams {
			p.SAdd(ctx, a.keys.TeamMembers(t), u.ID)
			p.SAdd(ctx, a.keys.Teams(), t)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("account: create %s: %w", n.Email, err)
	}
	return &u, nil
}

// Get returns account id, or ErrNotFound.
func (a *Accounts) Get(ctx context.Context, id string) (*User, error) {
	s, err := a.get(ctx, id)
	if err != nil {
		return nil, err
	}
	return &s.User, nil
}

func (a *Accounts) get(ctx context.Context, id string) (*stored, error) {
	data, err := a.rdb.Get(ctx, a.keys.User(id)).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, fmt.Errorf("account: get %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("account: get %s: %w", id, err)
	}
	s := new(stored)
	if err := json.Unmarshal(data, s); err != nil {
		return nil, fmt.Errorf("account: get %s: decode: %w", id, err)
	}
	return s, nil
}

// lookup follows an index key (email, learner, phone) to its account ID, or ErrNotFound.
func (a *Accounts) lookup(ctx context.Context, key string) (string, error) {
	id, err := a.rdb.Get(ctx, key).Result()
	if errors.Is(err, redis.Nil) {
		return "", ErrNotFound
	}
	return id, err
}

// Owner returns the account whose calls carry learner ID learner, or ErrNotFound.
func (a *Accounts) Owner(ctx context.Context, learner string) (*User, error) {
	id, err := a.lookup(ctx, a.keys.Learner(learner))
	if err != nil {
		return nil, fmt.Errorf("account: owner of %q: %w", learner, err)
	}
	return a.Get(ctx, id)
}

// LearnerByPhone returns the learner ID of the account linked to caller ID phone, for the
// Twilio transport to record the call under; ErrNotFound when no account has it.
func (a *Accounts) LearnerByPhone(ctx context.Context, phone string) (string, error) {
	id, err := a.lookup(ctx, a.keys.Phone(phone))
	if err != nil {
		return "", fmt.Errorf("account: phone %s: %w", phone, err)
	}
	u, err := a.Get(ctx, id)
	if err != nil {
		return "", err
	}
	if u.Learner != "" {
		return u.Learner, nil
	}
	return GuestLearner(phone), nil
}

// List returns every account, sorted by name.
func (a *Accounts) List(ctx context.Context) ([]*User, error) {
	ids, err := a.rdb.SMembers(ctx, a.keys.Users()).Result()
	if err != nil {
		return nil, fmt.Errorf("account: list: %w", err)
	}
	return a.getAll(ctx, ids)
}

// Members returns the accounts in team, sorted by name.
func (a *Accounts) Members(ctx context.Context, team string) ([]*User, error) {
	ids, err := a.rdb.SMembers(ctx, a.keys.TeamMembers(team)).Result()
	if err != nil {
		return nil, fmt.Errorf("account: members of %s: %w", team, err)
	}
	return a.getAll(ctx, ids)
}

// Teams returns every team name, sorted.
func (a *Accounts) Teams(ctx context.Context) ([]string, error) {
	t, err := a.rdb.SMembers(ctx, a.keys.Teams()).Result()
	if err != nil {
		return nil, fmt.Errorf("account: teams: %w", err)
	}
	slices.Sort(t)
	return t, nil
}

func (a *Accounts) getAll(ctx context.Context, ids []string) ([]*User, error) {
	out := make([]*User, 0, len(ids))
	for _, id := range ids {
		u, err := a.Get(ctx, id)
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	slices.SortFunc(out, func(x, y *User) int { return strings.Compare(x.Name+x.ID, y.Name+y.ID) })
	return out, nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return hex.EncodeToString(b)
}
