package console

import (
	"errors"
	"net/http"
	"strings"

	"github.com/sparlab/spar/web/account"
)

// registerAdmin adds the admins' pages for users, teams and API tokens. Every route checks
// the admin role on the server (403 for anyone else); every form carries the CSRF token,
// which the middleware checks.
func (c *Console) registerAdmin(user func(pattern string, fn http.HandlerFunc)) {
	admin := func(pattern string, fn http.HandlerFunc) { user(pattern, c.adminOnly(fn)) }
	admin("GET /console/admin/users", c.usersPage)
	admin("POST /console/admin/users", c.addUser)
	admin("GET /console/admin/users/{uid}", c.userPage)
	admin("POST /console/admin/users/{uid}", c.updateUser)
	admin("POST /console/admin/users/{uid}/password", c.resetPassword)
	admin("POST /console/admin/users/{uid}/disable", c.disableUser)
	admin("POST /console/admin/users/{uid}/delete", c.deleteUser)
	admin("GET /console/admin/teams", c.teamsPage)
	admin("POST /console/admin/teams", c.addTeam)
	admin("POST /console/admin/teams/{team}/rename", c.renameTeam)
	admin("GET /console/admin/tokens", c.tokensPage)
	admin("POST /console/admin/tokens", c.createToken)
	admin("POST /console/admin/tokens/{tid}/revoke", c.revokeToken)
}

// adminOnly serves fn to admins and renders 403 for anyone else.
func (c *Console) adminOnly(fn http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if u := account.UserFrom(r.Context()); u == nil || u.Role != account.RoleAdmin {
			c.forbidden(w, r)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
		fn(w, r)
	}
}

// accountError turns an account error into a status and a message the admin can act on.
func (c *Console) accountError(r *http.Request, err error) (int, string) {
	switch {
	case errors.Is(err, account.ErrInvalid), errors.Is(err, account.ErrExists):
		return http.StatusBadRequest, strings.TrimPrefix(err.Error(), "account: ")
	case errors.Is(err, account.ErrNotFound):
		return http.StatusNotFound, "No such account or token."
	case errors.As(err, new(badRequest)):
		return http.StatusBadRequest, err.Error()
	}
	c.log.Error("admin action", "path", r.URL.Path, "err", err)
	return http.StatusServiceUnavailable, "Storage unavailable, try again shortly."
}

// splitList splits a comma-separated field into trimmed, non-empty names.
func splitList(s string) []string { return account.Dedupe(strings.Split(s, ",")) }
