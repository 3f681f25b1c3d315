package account

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/sparlab/spar/dialog"
	"github.com/sparlab/spar/dialog/store"
)

// Calls is the call store as the web layer reads it (the method set of web.Calls).
type Calls interface {
	Get(ctx context.Context, id string) (*store.Record, error)
	List(ctx context.Context, q store.Query) ([]*store.Record, error)
	Live(ctx context.Context) ([]string, error)
	Follow(ctx context.Context, id, from string, fn func(id string, e dialog.Event) error) error
}

// Guard applies the authorization rules to calls for the signed-in user of each request.
type Guard struct {
	a     *Accounts
	calls Calls
	m     *Middleware
}

// NewGuard returns the guard of calls.
func NewGuard(a *Accounts, calls Calls) *Guard { return &Guard{a: a, calls: calls, m: a.Middleware()} }

// RequireCallAccess serves next only when the signed-in user may see the call named by the
// request's {id} path value; otherwise 401 (nobody signed in) or 404, exactly as for a call
// that does not exist. Live calls (no sealed record yet) are for admins only.
func (g *Guard) RequireCallAccess(next http.Handler) http.Handler {
	return g.m.RequireUser(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ok, err := g.MayCallID(r.Context(), UserFrom(r.Context()), r.PathValue("id"))
		if err != nil {
			g.a.log.Error("call access", "err", err)
			g.m.deny(w, r, http.StatusServiceUnavailable, "storage unavailable, try again shortly")
			return
		}
		if !ok {
			g.m.deny(w, r, http.StatusNotFound, "no such call")
			return
		}
		next.ServeHTTP(w, r)
	}))
}

// MayCallID reports whether u may see call id. An unknown or still-live call is for admins.
func (g *Guard) MayCallID(ctx context.Context, u *User, id string) (bool, error) {
	if u == nil {
		return false, nil
	}
	rec, err := g.calls.Get(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return u.Role == RoleAdmin, nil
	}
	if err != nil {
		return false, err
	}
	return g.a.MayCall(ctx, u, rec.Learner)
}

// openCall reports whether call id may be read through the public call API by anyone who
// knows its ID: a live call (the learner page follows its own call before any record
// exists) or a sealed guest call that no account owns. Call IDs are 100 random bits, so such
// an ID works as an unlisted link (the scorecard text message sends one). Calls of account
// learners always need a user who may see them.
func (g *Guard) openCall(ctx context.Context, id string) (bool, error) {
	rec, err := g.calls.Get(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return true, nil
	}
	if err != nil {
		return false, err
	}
	return g.openRecord(ctx, rec)
}

// openRecord is openCall's rule for a sealed record: a guest call no account owns.
func (g *Guard) openRecord(ctx context.Context, rec *store.Record) (bool, error) {
	if !strings.HasPrefix(rec.Learner, "guest:") {
		return false, nil
	}
	_, err := g.a.Owner(ctx, rec.Learner)
	if errors.Is(err, ErrNotFound) {
		return true, nil
	}
	return false, err
}

// mayRead is the public API's rule: an open call, or one the user may see.
func (g *Guard) mayRead(ctx context.Context, u *User, id string) (bool, error) {
	if ok, err := g.openCall(ctx, id); ok || err != nil {
		return ok, err
	}
	return g.MayCallID(ctx, u, id)
}

// publicCallAccess guards /api/calls/{id} and below with mayRead.
func (g *Guard) publicCallAccess(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		open, err := g.openCall(r.Context(), r.PathValue("id"))
		if err != nil {
			g.a.log.Error("call access", "err", err)
			g.m.deny(w, r, http.StatusServiceUnavailable, "storage unavailable, try again shortly")
			return
		}
		if open {
			next.ServeHTTP(w, r)
			return
		}
		g.RequireCallAccess(next).ServeHTTP(w, r)
	})
}

// Calls returns the call store as the request's user may see it: Get answers
// store.ErrNotFound for calls they may not see, List returns only theirs, Live and Follow
// (live calls) work for admins only. Use it in place of the store given to web.New, behind
// Middleware.Authenticate.
func (g *Guard) Calls() Calls { return scoped{g: g} }

// PublicCalls is Calls for the public call API behind WrapAPI: it also lets anyone read open
// calls (see openCall). Give it to web.New; the console uses Calls.
func (g *Guard) PublicCalls() Calls { return scoped{g: g, public: true} }

type scoped struct {
	g      *Guard
	public bool
}

// may applies the view's rule to call id.
func (s scoped) may(ctx context.Context, id string) (bool, error) {
	if s.public {
		return s.g.mayRead(ctx, UserFrom(ctx), id)
	}
	return s.g.MayCallID(ctx, UserFrom(ctx), id)
}

func (s scoped) Get(ctx context.Context, id string) (*store.Record, error) {
	rec, err := s.g.calls.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	// The rules of may, on the record already read (MayCallID and openCall would read it again).
	ok := false
	if s.public {
		ok, err = s.g.openRecord(ctx, rec)
	}
	if !ok && err == nil {
		ok, err = s.g.a.MayCall(ctx, UserFrom(ctx), rec.Learner)
	}
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("account: call %s: %w", id, store.ErrNotFound)
	}
	return rec, nil
}

func (s scoped) List(ctx context.Context, q store.Query) ([]*store.Record, error) {
	return s.g.List(ctx, UserFrom(ctx), q)
}

func (s scoped) Live(ctx context.Context) ([]string, error) {
	if u := UserFrom(ctx); u == nil || u.Role != RoleAdmin {
		return nil, nil
	}
	return s.g.calls.Live(ctx)
}

func (s scoped) Follow(ctx context.Context, id, from string, fn func(id string, e dialog.Event) error) error {
	ok, err := s.may(ctx, id)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("account: call %s: %w", id, store.ErrNotFound)
	}
	return s.g.calls.Follow(ctx, id, from, fn)
}

// List returns the sealed calls matching q that u may see, newest first, at most q.Limit
// (default 50). For trainers and learners it reads each visible learner ID's index.
func (g *Guard) List(ctx context.Context, u *User, q store.Query) ([]*store.Record, error) {
	users, all, err := g.a.Visible(ctx, u)
	if err != nil {
		return nil, err
	}
	if all {
		return g.calls.List(ctx, q)
	}
	limit := cmp.Or(q.Limit, 50)
	var out []*store.Record
	for _, v := range users {
		for _, l := range v.LearnerIDs() {
			if q.Learner != "" && q.Learner != l {
				continue
			}
			sub := q
			sub.Learner, sub.Limit = l, limit
			recs, err := g.calls.List(ctx, sub)
			if err != nil {
				return nil, err
			}
			out = append(out, recs...)
		}
	}
	slices.SortFunc(out, func(a, b *store.Record) int { return b.Started.Compare(a.Started) })
	return out[:min(len(out), limit)], nil
}

// WrapAPI puts the call routes of web's handler (everything web.Server.Register added to
// inner) behind the account checks: /api/calls/{id} and everything under it need a user who
// may see the call (RequireCallAccess); /api/calls and /status need a signed-in user (and list
// only what that user may see, when web.New was given Guard.Calls). Every other path (the
// learner page, /api/scenarios, /healthz) goes to inner untouched.
func (g *Guard) WrapAPI(inner http.Handler) http.Handler {
	m := http.NewServeMux()
	call := g.m.Authenticate(g.publicCallAccess(inner))
	user := g.m.Authenticate(g.m.RequireUser(inner))
	m.Handle("/api/calls/{id}", SecurityHeaders(call))
	m.Handle("/api/calls/{id}/{rest...}", SecurityHeaders(call))
	m.Handle("/api/calls", SecurityHeaders(user))
	m.Handle("/status", SecurityHeaders(user))
	m.Handle("/", inner)
	return m
}
