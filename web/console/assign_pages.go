package console

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sparlab/spar/dialog/scenario"
	"github.com/sparlab/spar/web/account"
)

// assignmentView is one assignment as the console shows it to one user.
type assignmentView struct {
	*Assignment
	Title  string     // the scenario's title
	Target string     // "team red" and/or the learners' names
	Rows   []Progress // the learners the user may see, most in need of attention first
	Manage bool       // the user may edit and delete it
}

// assignmentsPage lists the assignments the user may see with each visible learner's
// progress, and (for trainers and admins) the form to create one.
func (c *Console) assignmentsPage(w http.ResponseWriter, r *http.Request) {
	c.renderAssignments(w, r, http.StatusOK, "", nil)
}

func (c *Console) renderAssignments(w http.ResponseWriter, r *http.Request, status int, msg string, form map[string]string) {
	ctx, u := r.Context(), account.UserFrom(r.Context())
	all, err := c.assign.all(ctx)
	var views []assignmentView
	for _, a := range all {
		if err != nil {
			break
		}
		var v *assignmentView
		if v, err = c.viewAssignment(ctx, u, a); v != nil {
			views = append(views, *v)
		}
	}
	if err != nil {
		c.log.Error("list assignments", "err", err)
		status, msg = http.StatusServiceUnavailable, "Storage unavailable, try again shortly."
	}
	data := map[string]any{"Assignments": views, "Error": msg, "Form": form, "Trainer": u.Role != account.RoleLearner,
		"Today": c.now().Local().Format(time.DateOnly), "Created": r.URL.Query().Get("created") != ""}
	if u.Role != account.RoleLearner {
		data["Scenarios"], data["Teams"], data["Learners"] = c.assignOptions(ctx, u)
	}
	c.render(w, r, status, "assignments.html", data)
}

// assignOptions are the form's choices: scenarios, the user's teams and visible learners.
func (c *Console) assignOptions(ctx context.Context, u *account.User) ([][2]string, []string, []*account.User) {
	var scenarios [][2]string
	if c.scenarios != nil {
		for _, s := range c.scenarios.List() {
			scenarios = append(scenarios, [2]string{s.ID, s.Title})
		}
	}
	teams := u.Teams
	visible, all, err := c.accts.Visible(ctx, u)
	if err == nil && all {
		teams, _ = c.accts.Teams(ctx)
		visible, err = c.accts.List(ctx)
	}
	if err != nil {
		c.log.Error("list learners", "err", err)
	}
	visible = slices.DeleteFunc(slices.Clone(visible), func(l *account.User) bool { return l.Role != account.RoleLearner })
	return scenarios, teams, visible
}

// viewAssignment returns a as u may see it, or nil when u may see none of it.
func (c *Console) viewAssignment(ctx context.Context, u *account.User, a *Assignment) (*assignmentView, error) {
	targets, err := c.targets(ctx, a)
	if err != nil {
		return nil, err
	}
	v := &assignmentView{Assignment: a, Title: c.scenarioTitle(a.Scenario)}
	var names []string
	for _, l := range targets {
		ok, err := c.accts.MayLearner(ctx, u, l.ID)
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		p, err := c.progressFor(ctx, a, l)
		if err != nil {
			return nil, err
		}
		v.Rows = append(v.Rows, p)
		if slices.Contains(a.Learners, l.ID) {
			names = append(names, l.Name)
		}
	}
	if len(v.Rows) == 0 && !account.MayTeam(u, a.Team) {
		return nil, nil
	}
	slices.SortStableFunc(v.Rows, func(x, y Progress) int { return stateOrder(x.State) - stateOrder(y.State) })
	if v.Manage, err = c.mayManage(ctx, u, a); err != nil {
		return nil, err
	}
	var parts []string
	if a.Team != "" {
		parts = append(parts, "team "+a.Team)
	}
	if len(names) > 0 {
		parts = append(parts, strings.Join(names, ", "))
	}
	v.Target = strings.Join(parts, " + ")
	return v, nil
}

// targets returns the learner accounts a goes to: those it names and the team's learners.
func (c *Console) targets(ctx context.Context, a *Assignment) ([]*account.User, error) {
	var out []*account.User
	for _, id := range a.Learners {
		l, err := c.accts.Get(ctx, id)
		if errors.Is(err, account.ErrNotFound) {
			continue // deleted since
		}
		if err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	if a.Team != "" {
		members, err := c.accts.Members(ctx, a.Team)
		if err != nil {
			return nil, err
		}
		for _, m := range members {
			if m.Role == account.RoleLearner && !slices.ContainsFunc(out, func(x *account.User) bool { return x.ID == m.ID }) {
				out = append(out, m)
			}
		}
	}
	return out, nil
}

// progressFor reads learner l's calls of the assignment's scenario in its window, with their
// effective scores, and computes the progress.
func (c *Console) progressFor(ctx context.Context, a *Assignment, l *account.User) (Progress, error) {
	q := listQuery{Learner: l.ID, Scenario: a.Scenario, Sort: "started", Asc: true, Page: 1, min: -1, max: -1,
		since: a.Created, until: a.Due, noTrials: true}
	rows, _, err := c.listRows(ctx, l, q, c.cfg.MaxScan)
	if err != nil {
		return Progress{}, err
	}
	p := progressOf(a, rows, c.now())
	p.Learner, p.Name = l.ID, l.Name
	return p, nil
}

// mayManage reports whether u may edit or delete a: admins; trainers when its team is one
// of theirs and every learner it names is in one of their teams.
func (c *Console) mayManage(ctx context.Context, u *account.User, a *Assignment) (bool, error) {
	switch {
	case u == nil || u.Role == account.RoleLearner:
		return false, nil
	case u.Role == account.RoleAdmin:
		return true, nil
	case a.Team != "" && !u.InTeam(a.Team):
		return false, nil
	}
	for _, id := range a.Learners {
		ok, err := c.accts.MayLearner(ctx, u, id)
		if err != nil || !ok {
			return false, err
		}
	}
	return true, nil
}

func (c *Console) scenarioTitle(id string) string {
	if c.scenarios != nil {
		for _, s := range c.scenarios.List() {
			if s.ID == id && s.Title != "" {
				return s.Title
			}
		}
	}
	return id
}

// forbidden renders the not-allowed page (403).
func (c *Console) forbidden(w http.ResponseWriter, r *http.Request) {
	c.render(w, r, http.StatusForbidden, "forbidden.html", nil)
}

// createAssignment creates an assignment from the form (the CSRF token is checked by the
// middleware). Learners may not; trainers only for their own teams and their learners.
func (c *Console) createAssignment(w http.ResponseWriter, r *http.Request) {
	ctx, u := r.Context(), account.UserFrom(r.Context())
	if u.Role == account.RoleLearner {
		c.forbidden(w, r)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		c.renderAssignments(w, r, http.StatusBadRequest, "The form could not be read.", nil)
		return
	}
	f := r.PostForm
	form := map[string]string{"scenario": f.Get("scenario"), "team": f.Get("team"), "due": f.Get("due"),
		"reps": f.Get("reps"), "pass_mark": f.Get("pass_mark"), "note": f.Get("note")}
	a := &Assignment{ID: randomID(), Scenario: strings.TrimSpace(f.Get("scenario")), Team: f.Get("team"),
		Learners: account.Dedupe(f["learner"]), Created: c.now().UTC().Truncate(time.Millisecond), Author: u.ID, AuthorName: u.Name}
	err := c.fillAssignment(a, f.Get("due"), f.Get("reps"), f.Get("pass_mark"), f.Get("note"))
	if err == nil {
		err = c.checkTargets(ctx, u, a)
	}
	var br badRequest
	switch {
	case errors.Is(err, account.ErrForbidden):
		c.forbidden(w, r)
		return
	case errors.As(err, &br):
		c.renderAssignments(w, r, http.StatusBadRequest, br.Error(), form)
		return
	case err == nil:
		err = c.assign.create(ctx, a)
	}
	if err != nil {
		c.log.Error("create assignment", "err", err)
		c.renderAssignments(w, r, http.StatusServiceUnavailable, "Storage unavailable, try again shortly.", form)
		return
	}
	c.log.Info("assignment created", "id", a.ID, "scenario", a.Scenario, "team", a.Team, "learners", len(a.Learners), "by", u.ID)
	http.Redirect(w, r, "/console/assignments?created="+a.ID, http.StatusSeeOther)
}

// fillAssignment validates and sets the editable fields.
func (c *Console) fillAssignment(a *Assignment, due, reps, passMark, note string) error {
	if a.Scenario == "" {
		return badRequest("choose a scenario")
	}
	if c.scenarios != nil && !slices.ContainsFunc(c.scenarios.List(), func(s *scenario.Scenario) bool { return s.ID == a.Scenario }) {
		return badRequest("no such scenario: " + a.Scenario)
	}
	end, err := dueEnd(strings.TrimSpace(due))
	if err != nil {
		return err
	}
	if !end.After(a.Created) {
		return badRequest("the due date is in the past")
	}
	n, err := strconv.Atoi(strings.TrimSpace(reps))
	if err != nil || n < 1 || n > 1000 {
		return badRequest("reps must be a whole number from 1 to 1000")
	}
	pm, err := strconv.Atoi(strings.TrimSpace(passMark))
	if err != nil || pm < 0 || pm > 100 {
		return badRequest("the pass mark must be a score from 0 to 100")
	}
	note = strings.TrimSpace(note)
	if len(note) > 1000 {
		return badRequest("the note is longer than 1000 characters")
	}
	a.Due, a.Reps, a.PassMark, a.Note = end, n, pm, note
	return nil
}

// checkTargets refuses (account.ErrForbidden) a team or learner u may not assign to, and
// (badRequest) an assignment to nobody or to accounts that are not learners.
func (c *Console) checkTargets(ctx context.Context, u *account.User, a *Assignment) error {
	if a.Team == "" && len(a.Learners) == 0 {
		return badRequest("choose a team or at least one learner")
	}
	if a.Team != "" {
		if !account.MayTeam(u, a.Team) {
			return account.ErrForbidden
		}
		if ok, err := c.teamExists(ctx, a.Team); err != nil || !ok {
			return cmpErr(err, badRequest("no such team: "+a.Team))
		}
	}
	for _, id := range a.Learners {
		ok, err := c.accts.MayLearner(ctx, u, id)
		if err != nil {
			return err
		}
		if !ok {
			return account.ErrForbidden
		}
		l, err := c.accts.Get(ctx, id)
		if err != nil || l.Role != account.RoleLearner {
			return cmpErr(ignoreNotFound(err), badRequest("not a learner: "+id))
		}
	}
	return nil
}

// assignmentPage shows the edit form of one assignment.
func (c *Console) assignmentPage(w http.ResponseWriter, r *http.Request) {
	a, ok := c.managed(w, r)
	if !ok {
		return
	}
	c.render(w, r, http.StatusOK, "assignment.html", map[string]any{"A": a, "Title": "Edit assignment",
		"ScenarioTitle": c.scenarioTitle(a.Scenario), "Form": map[string]string{"due": a.DueDate(),
			"reps": strconv.Itoa(a.Reps), "pass_mark": strconv.Itoa(a.PassMark), "note": a.Note}})
}

// editAssignment saves the due date, reps, pass mark and note.
func (c *Console) editAssignment(w http.ResponseWriter, r *http.Request) {
	a, ok := c.managed(w, r)
	if !ok {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	f := map[string]string{"due": r.PostFormValue("due"), "reps": r.PostFormValue("reps"),
		"pass_mark": r.PostFormValue("pass_mark"), "note": r.PostFormValue("note")}
	err := c.fillAssignment(a, f["due"], f["reps"], f["pass_mark"], f["note"])
	var br badRequest
	if errors.As(err, &br) {
		c.render(w, r, http.StatusBadRequest, "assignment.html", map[string]any{"A": a, "Title": "Edit assignment",
			"ScenarioTitle": c.scenarioTitle(a.Scenario), "Form": f, "Error": br.Error()})
		return
	}
	if err == nil {
		err = c.assign.save(r.Context(), a)
	}
	if err != nil {
		c.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/console/assignments", http.StatusSeeOther)
}

func (c *Console) deleteAssignment(w http.ResponseWriter, r *http.Request) {
	a, ok := c.managed(w, r)
	if !ok {
		return
	}
	if err := c.assign.delete(r.Context(), a); err != nil {
		c.fail(w, r, err)
		return
	}
	c.log.Info("assignment deleted", "id", a.ID, "by", account.UserFrom(r.Context()).ID)
	http.Redirect(w, r, "/console/assignments", http.StatusSeeOther)
}

// managed returns the request's {aid} assignment when the user may manage it; otherwise it
// answers 404 (may not see it) or 403 (may see, not change).
func (c *Console) managed(w http.ResponseWriter, r *http.Request) (*Assignment, bool) {
	ctx, u := r.Context(), account.UserFrom(r.Context())
	a, err := c.assign.get(ctx, r.PathValue("aid"))
	if err != nil {
		c.notFound(w, r, "assignment", ignoreNoAssignment(err))
		return nil, false
	}
	ok, err := c.mayManage(ctx, u, a)
	if err == nil && !ok {
		var v *assignmentView
		if v, err = c.viewAssignment(ctx, u, a); err == nil && v == nil {
			c.notFound(w, r, "assignment", nil)
			return nil, false
		}
	}
	switch {
	case err != nil:
		c.notFound(w, r, "assignment", err)
	case !ok:
		c.forbidden(w, r)
	default:
		return a, true
	}
	return nil, false
}

func ignoreNoAssignment(err error) error {
	if errors.Is(err, ErrNoAssignment) {
		return nil
	}
	return err
}

func ignoreNotFound(err error) error {
	if errors.Is(err, account.ErrNotFound) {
		return nil
	}
	return err
}

// cmpErr returns err when set, otherwise fallback.
func cmpErr(err, fallback error) error {
	if err != nil {
		return err
	}
	return fallback
}
