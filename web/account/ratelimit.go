package account

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// loginSubjects are what a login's failures count against: the email from this client, the
// client address (which may be a whole office behind NAT) and the email from anywhere.
func loginSubjects(email, remote string) []string {
	e := normEmail(email)
	return []string{"email:" + e + "|ip:" + remote, "ip:" + remote, "email:" + e}
}

// knownFor is how long a client address an email signed in from stays exempt from the
// email's overall failure limit.
const knownFor = 30 * 24 * time.Hour

// checkLimit returns ErrRateLimited while the email waits out its backoff from this client
// (see fail), or the client address has failed MaxFailures*4 times in the window, or the
// email MaxFailures*10 times from everywhere. The email's overall limit does not apply from
// a client address the email signed in from within knownFor: a campaign from elsewhere
// slows the guessers, not the owner.
func (a *Accounts) checkLimit(ctx context.Context, subjects []string) error {
	pair, addr, email := subjects[0], subjects[1], subjects[2]
	var backoff, known *redis.IntCmd
	var addrN, emailN *redis.StringCmd
	_, err := a.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		backoff = p.Exists(ctx, a.keys.LoginBackoff(pair))
		known = p.Exists(ctx, a.keys.KnownClient(pair))
		addrN = p.Get(ctx, a.keys.LoginFailures(addr))
		emailN = p.Get(ctx, a.keys.LoginFailures(email))
		return nil
	})
	if err != nil && !isNil(err) {
		return fmt.Errorf("account: login limit: %w", err)
	}
	if backoff.Val() > 0 {
		a.log.Warn("login refused: backing off", "subject", pair)
		return ErrRateLimited
	}
	over := func(c *redis.StringCmd, limit int) bool {
		n, err := c.Int64()
		return err == nil && n >= int64(limit)
	}
	switch {
	case over(addrN, a.cfg.MaxFailures*4):
		a.log.Warn("login refused: too many failures", "subject", addr)
		return ErrRateLimited
	case known.Val() == 0 && over(emailN, a.cfg.MaxFailures*10):
		a.log.Warn("login refused: too many failures", "subject", email)
		return ErrRateLimited
	}
	return nil
}

// fail counts one failed login against each subject; the window starts at the first failure.
// From the MaxFailures-th failure of the email from this client on, that pair backs off:
// firstBackoff, doubling with each further failure, at most the failure window.
func (a *Accounts) fail(ctx context.Context, subjects []string) error {
	var pair *redis.IntCmd
	_, err := a.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, s := range subjects {
			k := a.keys.LoginFailures(s)
			c := p.Incr(ctx, k)
			if i == 0 {
				pair = c
			}
			p.ExpireNX(ctx, k, a.cfg.FailureWindow)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("account: count failed login: %w", err)
	}
	if over := pair.Val() - int64(a.cfg.MaxFailures); over >= 0 {
		wait := min(firstBackoff<<min(over, 16), a.cfg.FailureWindow)
		if err := a.rdb.Set(ctx, a.keys.LoginBackoff(subjects[0]), "1", wait).Err(); err != nil {
			return fmt.Errorf("account: back off failed login: %w", err)
		}
	}
	return nil
}

// firstBackoff is how long an email waits from one client after MaxFailures failures.
const firstBackoff = time.Minute

// RetryIn is how long email must wait before signing in again from remote, 0 when it need
// not: for the sign-in page to say so.
func (a *Accounts) RetryIn(ctx context.Context, email, remote string) time.Duration {
	d, err := a.rdb.PTTL(ctx, a.keys.LoginBackoff(loginSubjects(email, remote)[0])).Result()
	if err != nil || d < 0 {
		return 0
	}
	return d
}

// succeed clears the pair's failures and remembers the pair as a known client.
func (a *Accounts) succeed(ctx context.Context, subjects []string) {
	_, _ = a.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		p.Del(ctx, a.keys.LoginFailures(subjects[0]))
		p.Set(ctx, a.keys.KnownClient(subjects[0]), "1", knownFor)
		return nil
	})
}

func isNil(err error) bool { return errors.Is(err, redis.Nil) }

func normEmail(e string) string { return strings.ToLower(strings.TrimSpace(e)) }
