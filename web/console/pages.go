package console

import (
	"cmp"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/sparlab/spar/dialog/store"
	"github.com/sparlab/spar/scoring"
	"github.com/sparlab/spar/web/account"
)

var funcs = template.FuncMap{
	"clock": func(d time.Duration) string {
		s := int(d.Round(time.Second) / time.Second)
		return fmt.Sprintf("%d:%02d", s/60, s%60)
	},
	// Times are the server's local time, with its zone so nobody has to guess.
	"when":  func(t time.Time) string { return t.Local().Format("2006-01-02 15:04 MST") },
	"judge": scoring.JudgeWords,
	// Chart helpers: SVG coordinates with one decimal, sums and halves, 0..1 to 0..100.
	"f1":   func(f float64) string { return strconv.FormatFloat(f, 'f', 1, 64) },
	"add":  func(a, b float64) float64 { return a + b },
	"half": func(f float64) float64 { return f / 2 },
	"pct":  percent,
	"has":  has,
}

// consoleAssets are the files served under /console/assets/.
var consoleAssets = map[string]string{
	"console.css": "text/css; charset=utf-8",
	"replay.js":   "text/javascript; charset=utf-8",
	"studio.js":   "text/javascript; charset=utf-8",
	"studio.css":  "text/css; charset=utf-8",
}

var titles = map[string]string{"login.html": "Sign in", "calls.html": "Calls", "replay.html": "Replay",
	"notfound.html": "Not found", "learner.html": "Progress", "team.html": "Team", "settings.html": "Settings",
	"assignments.html": "Assignments", "queue.html": "Coaching queue", "assignment.html": "Assignment", "forbidden.html": "Not allowed",
	"admin_users.html": "Users", "admin_user.html": "Account", "admin_teams.html": "Teams", "admin_tokens.html": "API tokens"}

func (c *Console) asset(w http.ResponseWriter, r *http.Request) {
	name := path.Base(r.PathValue("name"))
	ctype, ok := consoleAssets[name]
	if !ok {
		http.NotFound(w, r)
		return
	}
	b, err := assets.ReadFile("assets/" + name)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Cache-Control", "no-cache")
	_, _ = w.Write(b)
}

// render executes a page template with the common fields.
func (c *Console) render(w http.ResponseWriter, r *http.Request, status int, name string, data map[string]any) {
	if data == nil {
		data = map[string]any{}
	}
	if _, ok := data["Title"]; !ok {
		data["Title"] = titles[name]
	}
	if s := account.SessionFrom(r.Context()); s != nil {
		data["User"], data["CSRF"] = s.User, s.CSRF
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	if err := pages.ExecuteTemplate(w, name, data); err != nil {
		c.log.Error("render page", "page", name, "err", err)
	}
}

func (c *Console) loginPage(w http.ResponseWriter, r *http.Request) {
	if account.UserFrom(r.Context()) != nil {
		http.Redirect(w, r, safeNext(r.URL.Query().Get("next")), http.StatusSeeOther)
		return
	}
	next := r.URL.Query().Get("next")
	if next != "" {
		next = safeNext(next)
	}
	// With no next, where a user lands depends on who they are (see login).
	c.render(w, r, http.StatusOK, "login.html", map[string]any{"Next": next})
}

func (c *Console) login(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 8<<10)
	email, password := r.PostFormValue("email"), r.PostFormValue("password")
	next := safeNext(r.PostFormValue("next"))
	s, err := c.accts.Login(r.Context(), email, password, c.accts.ClientAddr(r))
	if err == nil && r.PostFormValue("next") == "" && s.User.Role == account.RoleLearner {
		next = "/" // a learner signing in wants to practise; My progress is one click away
	}
	if err != nil {
		status := http.StatusUnauthorized
		msg := "Wrong email or password."
		switch {
		case errors.Is(err, account.ErrRateLimited):
			wait := c.accts.RetryIn(r.Context(), email, c.accts.ClientAddr(r))
			status, msg = http.StatusTooManyRequests, "Too many failed attempts. Try again in a few minutes."
			if wait > 0 {
				msg = fmt.Sprintf("Too many failed attempts. Try again in %s.", waitWords(wait))
			} else {
				wait = 15 * time.Minute // an address or a campaign limit: the window
			}
			w.Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds()+0.5)))
		case !errors.Is(err, account.ErrBadCredentials):
			c.log.Error("login", "err", err)
			status, msg = http.StatusServiceUnavailable, "Sign-in is unavailable right now. Try again shortly."
		}
		c.render(w, r, status, "login.html", map[string]any{"Error": msg, "Email": email, "Next": r.PostFormValue("next")})
		return
	}
	c.log.Info("signed in", "user", s.User.ID, "role", s.User.Role)
	c.accts.SetCookie(w, r, s)
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func (c *Console) logout(w http.ResponseWriter, r *http.Request) {
	if s := account.SessionFrom(r.Context()); s != nil && s.Token != "" {
		if err := c.accts.Logout(r.Context(), s.Token); err != nil {
			c.log.Error("logout", "err", err)
		}
	}
	c.accts.ClearCookie(w, r)
	http.Redirect(w, r, "/console/login", http.StatusSeeOther)
}

// safeNext keeps post-login redirects on this site's console.
func safeNext(next string) string {
	u, err := url.Parse(next)
	if err != nil || next == "" || u.IsAbs() || u.Host != "" || !strings.HasPrefix(u.Path, "/console/") ||
		strings.HasPrefix(next, "//") || strings.Contains(next, "\\") {
		return "/console/calls"
	}
	return next
}

func (c *Console) callsPage(w http.ResponseWriter, r *http.Request) {
	u := account.UserFrom(r.Context())
	q, err := parseListQuery(r.URL.Query())
	if err != nil {
		c.render(w, r, http.StatusBadRequest, "calls.html", map[string]any{"Error": err.Error(), "Q": q})
		return
	}
	rows, total, err := c.listRows(r.Context(), u, q, c.cfg.PageSize)
	if err != nil {
		c.log.Error("list calls", "err", err)
		c.render(w, r, http.StatusServiceUnavailable, "calls.html", map[string]any{"Error": "Storage unavailable, try again shortly.", "Q": q})
		return
	}
	visible, _, err := c.accts.Visible(r.Context(), u)
	if err == nil && u.Role == account.RoleAdmin {
		visible, err = c.accts.List(r.Context())
	}
	if err != nil {
		c.log.Error("list learners", "err", err)
	}
	var scenarios []scenarioOption
	if c.scenarios != nil {
		for _, s := range c.scenarios.List() {
			scenarios = append(scenarios, scenarioOption{s.ID, cmp.Or(s.Title, s.ID)})
		}
	}
	teams := u.Teams
	if u.Role == account.RoleAdmin {
		teams, _ = c.accts.Teams(r.Context())
	}
	pages := (total + c.cfg.PageSize - 1) / c.cfg.PageSize
	data := map[string]any{"Rows": rows, "Total": total, "CSV": "/console/calls.csv" + q.with("page", "1"), "Q": q, "Learners": visible, "Teams": teams,
		"Scenarios": scenarios, "Page": q.Page, "Pages": pages, "Trainer": u.Role != account.RoleLearner,
		"Sorts": map[string]string{}, "Prev": "", "Next": ""}
	sorts := map[string]string{}
	for _, s := range []string{"started", "score", "duration", "learner", "scenario"} {
		sorts[s] = q.with("sort", s)
	}
	data["Sorts"] = sorts
	if u.Role != account.RoleLearner { // the console's home shows what waits for a trainer
		if rq, err := c.buildQueue(r.Context(), u); err != nil {
			c.log.Error("coaching queue", "err", err)
		} else if n := rq.Count(); n > 0 {
			data["Review"] = n
		}
	}
	if q.Page > 1 {
		data["Prev"] = q.with("page", strconv.Itoa(q.Page-1))
	}
	if q.Page < pages {
		data["Next"] = q.with("page", strconv.Itoa(q.Page+1))
	}
	c.render(w, r, http.StatusOK, "calls.html", data)
}

func (c *Console) replayPage(w http.ResponseWriter, r *http.Request) {
	rec, err := c.call(r)
	if err != nil {
		status := http.StatusServiceUnavailable
		if errors.Is(err, store.ErrNotFound) {
			status = http.StatusNotFound
		}
		c.render(w, r, status, "notfound.html", nil)
		return
	}
	c.render(w, r, http.StatusOK, "replay.html", map[string]any{"Call": rec,
		"ScenarioTitle": c.scenarioTitle(rec.Scenario), "LearnerName": c.learnerName(r, rec.Learner),
		"ScenarioVersion": rec.ScenarioVersion})
}

// scenarioOption is one scenario in a filter: its ID as the value, its title as the label.
type scenarioOption struct{ ID, Title string }

// waitWords says a wait the way a person would: "40 seconds", "2 minutes".
func waitWords(d time.Duration) string {
	if d < 55*time.Second {
		return fmt.Sprintf("%d seconds", max(1, int(d.Seconds()+0.5)))
	}
	if m := int(d.Minutes() + 0.5); m != 1 {
		return fmt.Sprintf("%d minutes", m)
	}
	return "a minute"
}
