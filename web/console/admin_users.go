package console

import (
	"net/http"
	"slices"
	"strings"

	"github.com/sparlab/spar/web/account"
)

func (c *Console) usersPage(w http.ResponseWriter, r *http.Request) {
	c.renderUsers(w, r, http.StatusOK, "", nil)
}

func (c *Console) renderUsers(w http.ResponseWriter, r *http.Request, status int, msg string, form map[string]string) {
	users, err := c.accts.List(r.Context())
	teams, terr := c.accts.Teams(r.Context())
	if err = cmpErr(err, terr); err != nil {
		status, msg = c.accountError(r, err)
	}
	c.render(w, r, status, "admin_users.html", map[string]any{"Users": users, "Teams": teams, "Error": msg,
		"Form": form, "Notice": r.URL.Query().Get("done")})
}

// addUser creates an account from the form.
func (c *Console) addUser(w http.ResponseWriter, r *http.Request) {
	f := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	form := map[string]string{"name": f("name"), "email": f("email"), "role": f("role"), "learner": f("learner"),
		"phones": f("phones"), "new_team": f("new_team")}
	role, err := account.ParseRole(f("role"))
	if err == nil {
		_, err = c.accts.Create(r.Context(), account.NewUser{Name: f("name"), Email: f("email"), Role: role,
			Teams: account.Dedupe(append(r.PostForm["team"], splitList(f("new_team"))...)), Learner: f("learner"),
			Phones: splitList(f("phones")), Password: r.PostFormValue("password")})
	}
	if err != nil {
		status, msg := c.accountError(r, err)
		c.renderUsers(w, r, status, msg, form)
		return
	}
	c.log.Info("account created", "email", form["email"], "role", role, "by", account.UserFrom(r.Context()).ID)
	http.Redirect(w, r, "/console/admin/users?done=created", http.StatusSeeOther)
}

func (c *Console) userPage(w http.ResponseWriter, r *http.Request) {
	c.renderUser(w, r, http.StatusOK, "")
}

func (c *Console) renderUser(w http.ResponseWriter, r *http.Request, status int, msg string) {
	u, err := c.accts.Get(r.Context(), r.PathValue("uid"))
	if err != nil {
		c.notFound(w, r, "account", err)
		return
	}
	teams, err := c.accts.Teams(r.Context())
	if err != nil {
		status, msg = c.accountError(r, err)
	}
	c.render(w, r, status, "admin_user.html", map[string]any{"Title": u.Name + " · account", "U": u, "Teams": teams,
		"Error": msg, "Notice": r.URL.Query().Get("done"), "Self": u.ID == account.UserFrom(r.Context()).ID,
		"Phones": strings.Join(u.Phones, ", ")})
}

// updateUser changes name, role, teams and caller IDs. An admin may not change their own
// role, so the last admin cannot lock everyone out by accident.
func (c *Console) updateUser(w http.ResponseWriter, r *http.Request) {
	id, me := r.PathValue("uid"), account.UserFrom(r.Context())
	name := r.PostFormValue("name")
	role, err := account.ParseRole(r.PostFormValue("role"))
	teams := account.Dedupe(append(r.PostForm["team"], splitList(r.PostFormValue("new_team"))...))
	phones := splitList(r.PostFormValue("phones"))
	if err == nil && id == me.ID && role != me.Role {
		err = badRequest("You cannot change your own role.")
	}
	if err == nil {
		_, err = c.accts.Update(r.Context(), id, account.Changes{Name: &name, Role: &role, Teams: &teams, Phones: &phones})
	}
	c.userDone(w, r, err, "saved")
}

func (c *Console) resetPassword(w http.ResponseWriter, r *http.Request) {
	err := c.accts.SetPassword(r.Context(), r.PathValue("uid"), r.PostFormValue("password"))
	c.userDone(w, r, err, "password")
}

func (c *Console) disableUser(w http.ResponseWriter, r *http.Request) {
	var err error
	disabled := r.PostFormValue("disabled") == "1"
	if r.PathValue("uid") == account.UserFrom(r.Context()).ID {
		err = badRequest("You cannot disable your own account.")
	} else {
		_, err = c.accts.Update(r.Context(), r.PathValue("uid"), account.Changes{Disabled: &disabled})
	}
	c.userDone(w, r, err, map[bool]string{true: "disabled", false: "enabled"}[disabled])
}

// deleteUser deletes an account; its calls stay (see account.Accounts.Delete).
func (c *Console) deleteUser(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("uid")
	if id == account.UserFrom(r.Context()).ID {
		c.userDone(w, r, badRequest("You cannot delete your own account."), "")
		return
	}
	if err := c.accts.Delete(r.Context(), id); err != nil {
		c.userDone(w, r, err, "")
		return
	}
	c.log.Info("account deleted", "id", id, "by", account.UserFrom(r.Context()).ID)
	http.Redirect(w, r, "/console/admin/users?done=deleted", http.StatusSeeOther)
}

// userDone redirects back to the account's page, or shows it again with the error.
func (c *Console) userDone(w http.ResponseWriter, r *http.Request, err error, done string) {
	if err != nil {
		status, msg := c.accountError(r, err)
		if status == http.StatusNotFound {
			c.notFound(w, r, "account", nil)
			return
		}
		c.renderUser(w, r, status, msg)
		return
	}
	c.log.Info("account changed", "id", r.PathValue("uid"), "change", done, "by", account.UserFrom(r.Context()).ID)
	http.Redirect(w, r, "/console/admin/users/"+r.PathValue("uid")+"?done="+done, http.StatusSeeOther)
}

// has reports whether list contains s (for the templates' checkboxes).
func has(list []string, s string) bool { return slices.Contains(list, s) }
