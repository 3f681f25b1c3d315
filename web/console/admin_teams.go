package console

import (
	"net/http"
	"net/url"
	"strings"
)

func (c *Console) teamsPage(w http.ResponseWriter, r *http.Request) {
	c.renderTeams(w, r, http.StatusOK, "")
}

func (c *Console) renderTeams(w http.ResponseWriter, r *http.Request, status int, msg string) {
	teams, err := c.accts.TeamSizes(r.Context())
	if err != nil {
		status, msg = c.accountError(r, err)
	}
	c.render(w, r, status, "admin_teams.html", map[string]any{"Teams": teams, "Error": msg, "Notice": r.URL.Query().Get("done")})
}

func (c *Console) addTeam(w http.ResponseWriter, r *http.Request) {
	if err := c.accts.CreateTeam(r.Context(), strings.TrimSpace(r.PostFormValue("name"))); err != nil {
		status, msg := c.accountError(r, err)
		c.renderTeams(w, r, status, msg)
		return
	}
	http.Redirect(w, r, "/console/admin/teams?done=created", http.StatusSeeOther)
}

// renameTeam renames a team in the accounts, then moves its assignments along.
func (c *Console) renameTeam(w http.ResponseWriter, r *http.Request) {
	from, to := r.PathValue("team"), strings.TrimSpace(r.PostFormValue("name"))
	err := c.accts.RenameTeam(r.Context(), from, to)
	if err == nil {
		err = c.assign.renameTeam(r.Context(), from, to)
	}
	if err != nil {
		status, msg := c.accountError(r, err)
		c.renderTeams(w, r, status, msg)
		return
	}
	c.log.Info("team renamed", "from", from, "to", to)
	http.Redirect(w, r, "/console/admin/teams?"+url.Values{"done": {"renamed"}}.Encode(), http.StatusSeeOther)
}
