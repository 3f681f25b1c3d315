package console

import (
	"net/http"
	"strings"

	"github.com/sparlab/spar/web/account"
)

func (c *Console) tokensPage(w http.ResponseWriter, r *http.Request) {
	c.renderTokens(w, r, http.StatusOK, "", "")
}

// renderTokens lists every API token (never a secret) with the form to create one; secret
// is a token just created, shown this once.
func (c *Console) renderTokens(w http.ResponseWriter, r *http.Request, status int, msg, secret string) {
	tokens, err := c.accts.Tokens(r.Context(), "")
	users, uerr := c.accts.List(r.Context())
	if err = cmpErr(err, uerr); err != nil {
		status, msg = c.accountError(r, err)
	}
	c.render(w, r, status, "admin_tokens.html", map[string]any{"Tokens": tokens, "Users": users, "Error": msg,
		"Secret": secret, "Notice": r.URL.Query().Get("done")})
}

// createToken issues a token for the chosen account and shows it once (no redirect, so the
// secret is never in a URL or the history).
func (c *Console) createToken(w http.ResponseWriter, r *http.Request) {
	id, name := r.PostFormValue("user"), strings.TrimSpace(r.PostFormValue("name"))
	if name == "" || len(name) > 80 {
		c.renderTokens(w, r, http.StatusBadRequest, "Name the token for what uses it (up to 80 characters).", "")
		return
	}
	secret, err := c.accts.CreateToken(r.Context(), id, name)
	if err != nil {
		status, msg := c.accountError(r, err)
		c.renderTokens(w, r, status, msg, "")
		return
	}
	c.log.Info("API token created", "user", id, "name", name, "by", account.UserFrom(r.Context()).ID)
	c.renderTokens(w, r, http.StatusOK, "", secret)
}

func (c *Console) revokeToken(w http.ResponseWriter, r *http.Request) {
	if err := c.accts.RevokeTokenID(r.Context(), r.PathValue("tid")); err != nil {
		status, msg := c.accountError(r, err)
		c.renderTokens(w, r, status, msg, "")
		return
	}
	c.log.Info("API token revoked", "by", account.UserFrom(r.Context()).ID)
	http.Redirect(w, r, "/console/admin/tokens?done=revoked", http.StatusSeeOther)
}
