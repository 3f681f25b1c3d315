package account

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"

	"github.com/redis/go-redis/v9"
	"golang.org/x/crypto/bcrypt"
)

// Session is a signed-in user, from a session cookie or an API token.
type Session struct {
	User *User
	// CSRF is the token state-changing requests of this session must carry (X-CSRF-Token
	// header or csrf form field); empty for API tokens, which are never sent by a browser on
	// its own.
	CSRF string
	// Token is the cookie's session token; empty for API tokens.
	Token string
}

// Login checks email and password, counting failures against the email and the client
// address (remote), and opens a session. It returns ErrRateLimited while either is over its
// limit, and ErrBadCredentials for a wrong email or password alike.
func (a *Accounts) Login(ctx context.Context, email, password, remote string) (*Session, error) {
	subjects := loginSubjects(email, remote)
	if err := a.checkLimit(ctx, subjects); err != nil {
		return nil, err
	}
	s, err := a.byEmail(ctx, email)
	hash := a.dummyHash
	if err == nil {
		hash = []byte(s.Hash)
	} else if !errors.Is(err, ErrNotFound) {
		return nil, err
	}
	if bcrypt.CompareHashAndPassword(hash, []byte(password)) != nil || err != nil || s.Disabled {
		if ferr := a.fail(ctx, subjects); ferr != nil {
			return nil, ferr
		}
		return nil, ErrBadCredentials
	}
	a.succeed(ctx, subjects)
	return a.open(ctx, &s.User)
}

func (a *Accounts) byEmail(ctx context.Context, email string) (*stored, error) {
	id, err := a.lookup(ctx, a.keys.Email(normEmail(email)))
	if err != nil {
		return nil, fmt.Errorf("account: email: %w", err)
	}
	return a.get(ctx, id)
}

// open starts a session for u.
func (a *Accounts) open(ctx context.Context, u *User) (*Session, error) {
	token, csrf := randomToken(), randomToken()
	key := a.keys.Session(hashToken(token))
	_, err := a.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.HSet(ctx, key, "user", u.ID, "csrf", csrf, "created", strconv.FormatInt(a.now().UnixMilli(), 10))
		p.PExpire(ctx, key, a.cfg.SessionTTL)
		p.SAdd(ctx, a.keys.UserSessions(u.ID), hashToken(token))
		p.PExpire(ctx, a.keys.UserSessions(u.ID), a.cfg.SessionTTL)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("account: open session for %s: %w", u.ID, err)
	}
	return &Session{User: u, CSRF: csrf, Token: token}, nil
}

// Session returns the session of a cookie token and extends it, or ErrUnauthenticated.
func (a *Accounts) Session(ctx context.Context, token string) (*Session, error) {
	if token == "" {
		return nil, ErrUnauthenticated
	}
	key := a.keys.Session(hashToken(token))
	f, err := a.rdb.HGetAll(ctx, key).Result()
	if err != nil {
		return nil, fmt.Errorf("account: session: %w", err)
	}
	if f["user"] == "" {
		return nil, ErrUnauthenticated
	}
	u, err := a.activeUser(ctx, f["user"])
	if err != nil {
		return nil, err
	}
	_ = a.rdb.PExpire(ctx, key, a.cfg.SessionTTL).Err()
	return &Session{User: u, CSRF: f["csrf"], Token: token}, nil
}

// activeUser returns account id for a session or token, or ErrUnauthenticated when it is
// gone or disabled.
func (a *Accounts) activeUser(ctx context.Context, id string) (*User, error) {
	u, err := a.Get(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return nil, ErrUnauthenticated
	}
	if err != nil {
		return nil, err
	}
	if u.Disabled {
		return nil, ErrUnauthenticated
	}
	return u, nil
}

// Logout ends the session of a cookie token.
func (a *Accounts) Logout(ctx context.Context, token string) error {
	if err := a.rdb.Del(ctx, a.keys.Session(hashToken(token))).Err(); err != nil {
		return fmt.Errorf("account: logout: %w", err)
	}
	return nil
}

// randomToken is 256 random bits, URL-safe.
func randomToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// hashToken is what Redis keeps of a session or API token.
func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}
