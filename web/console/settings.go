package console

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/sparlab/spar/dialog/store"
	"github.com/sparlab/spar/web/account"
)

// Settings reads and writes the admin settings (store.Store).
type Settings interface {
	RetentionDays(ctx context.Context) (int, error)
	SetRetentionDays(ctx context.Context, days int) error
}

// settingsPage shows the admin settings; anyone else gets 404, as for a page that does not
// exist.
func (c *Console) settingsPage(w http.ResponseWriter, r *http.Request) {
	if !c.admin(w, r) {
		return
	}
	days, err := c.settings.RetentionDays(r.Context())
	if err != nil {
		c.log.Error("read settings", "err", err)
		c.render(w, r, http.StatusServiceUnavailable, "settings.html", map[string]any{"Error": "Storage unavailable, try again shortly."})
		return
	}
	c.render(w, r, http.StatusOK, "settings.html", map[string]any{"Days": strconv.Itoa(days),
		"Saved": r.URL.Query().Get("saved") == "1", "Max": store.MaxRetentionDays})
}

// saveSettings sets the retention period from the form (the CSRF token is checked by the
// middleware).
func (c *Console) saveSettings(w http.ResponseWriter, r *http.Request) {
	if !c.admin(w, r) {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 4<<10)
	raw := strings.TrimSpace(r.PostFormValue("retention_days"))
	days, err := strconv.Atoi(raw)
	if err == nil {
		err = c.settings.SetRetentionDays(r.Context(), days)
	} else {
		err = store.ErrInvalidRetention
	}
	switch {
	case errors.Is(err, store.ErrInvalidRetention):
		c.render(w, r, http.StatusBadRequest, "settings.html", map[string]any{"Days": raw, "Max": store.MaxRetentionDays,
			"Error": "Enter a whole number of days from 1 to " + strconv.Itoa(store.MaxRetentionDays) + ", or 0 to keep calls forever."})
		return
	case err != nil:
		c.log.Error("save settings", "err", err)
		c.render(w, r, http.StatusServiceUnavailable, "settings.html", map[string]any{"Days": raw, "Max": store.MaxRetentionDays,
			"Error": "Storage unavailable, try again shortly."})
		return
	}
	c.log.Info("retention set", "days", days, "by", account.UserFrom(r.Context()).ID)
	http.Redirect(w, r, "/console/settings?saved=1", http.StatusSeeOther)
}

// admin reports whether the request comes from an admin of a console with settings, and
// answers 404 otherwise.
func (c *Console) admin(w http.ResponseWriter, r *http.Request) bool {
	if u := account.UserFrom(r.Context()); c.settings != nil && u != nil && u.Role == account.RoleAdmin {
		return true
	}
	c.render(w, r, http.StatusNotFound, "notfound.html", map[string]any{"What": "page"})
	return false
}
