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

// limitFor is how many failures a subject may have in a window (see Config.MaxFailures).
func (a *Accounts) limitFor(subject string) int64 {
	switch {
	case strings.Contains(subject, "|ip:"):
		return int64(a.cfg.MaxFailures)
	case strings.HasPrefix(subject, "ip:"):
		return int64(a.cfg.MaxFailures * 4)
	}
	return int64(a.cfg.MaxFailures * 10)
}

// knownFor is how long a client address an email signed in from stays exempt from the
// email's overall failure limit.
const knownFor = 30 * 24 * time.Hour

// checkLimit returns ErrRateLimited when any subject is at its failure limit. The email's
// overall limit (subjects[2]) does not apply from a client address the email signed in from
// within knownFor: a campaign from elsewhere slows the guessers, not the owner.
func (a *Accounts) checkLimit(ctx context.Context, subjects []string) error {
	cmds := make([]*redis.StringCmd, len(subjects))
	var known *redis.IntCmd
	_, err := a.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, s := range subjects {
			cmds[i] = p.Get(ctx, a.keys.LoginFailures(s))
		}
		known = p.Exists(ctx, a.keys.KnownClient(subjects[0]))
		return nil
	})
	if err != nil && !isNil(err) {
		return fmt.Errorf("account: login limit: %w", err)
	}
	for i, c := range cmds {
		if i == 2 && known.Val() > 0 {
			continue
		}
		n, err := c.Int64()
		if err == nil && n >= a.limitFor(subjects[i]) {
			a.log.Warn("login refused: too many failures", "subject", subjects[i], "failures", n)
			return ErrRateLimited
		}
	}
	return nil
}

// fail counts one failed login against each subject; the window starts at the first failure.
func (a *Accounts) fail(ctx context.Context, subjects []string) error {
	_, err := a.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for _, s := range subjects {
			k := a.keys.LoginFailures(s)
			p.Incr(ctx, k)
			p.ExpireNX(ctx, k, a.cfg.FailureWindow)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("account: count failed login: %w", err)
	}
	return nil
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
