package console

import (
	"cmp"
	"net/http"
	"slices"
	"time"

	"github.com/sparlab/spar/web/account"
)

// meView is who is signed in, for the learner page.
type meView struct {
	ID       string       `json:"id"`
	Name     string       `json:"name"`
	Role     account.Role `json:"role"`
	Teams    []string     `json:"teams"`
	Learners []string     `json:"learner_ids"` // the learner IDs their calls are recorded under
	// CSRF is the session's token for the practice page's own forms (Sign out); empty for
	// API tokens. Same-origin only: the API sends no CORS headers.
	CSRF string `json:"csrf,omitempty"`
}

// myAssignment is one of the signed-in learner's assignments with their progress.
type myAssignment struct {
	ID       string    `json:"id"`
	Scenario string    `json:"scenario"`
	Title    string    `json:"title"`
	Note     string    `json:"note,omitempty"`
	Due      time.Time `json:"due"`      // reps started before this instant count
	DueDate  string    `json:"due_date"` // the last day, YYYY-MM-DD
	PassMark int       `json:"pass_mark"`
	Author   string    `json:"author_name"`
	Progress
}

// registerMe adds GET /api/me and GET /api/me/assignments: JSON, 401 when nobody is signed
// in. They sit beside web's API at the site root, so the learner page at / can ask them.
func (c *Console) registerMe(user func(pattern string, fn http.HandlerFunc)) {
	user("GET /api/me", c.me)
	user("GET /api/me/assignments", c.myAssignments)
}

func (c *Console) me(w http.ResponseWriter, r *http.Request) {
	u := account.UserFrom(r.Context())
	v := meView{ID: u.ID, Name: u.Name, Role: u.Role, Teams: nonNil(u.Teams), Learners: nonNil(u.LearnerIDs())}
	if s := account.SessionFrom(r.Context()); s != nil {
		v.CSRF = s.CSRF
	}
	writeJSON(w, http.StatusOK, v)
}

// myAssignments returns the signed-in user's own assignments (as a learner: those naming
// them and their teams'), overdue and in progress first, then by due date.
func (c *Console) myAssignments(w http.ResponseWriter, r *http.Request) {
	ctx, u := r.Context(), account.UserFrom(r.Context())
	out := []myAssignment{}
	var teams []string
	if u.Role == account.RoleLearner {
		teams = u.Teams
	}
	list, err := c.assign.forLearner(ctx, u.ID, teams)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	for _, a := range list {
		p, err := c.progressFor(ctx, a, u)
		if err != nil {
			c.fail(w, r, err)
			return
		}
		out = append(out, myAssignment{ID: a.ID, Scenario: a.Scenario, Title: c.scenarioTitle(a.Scenario), Note: a.Note,
			Due: a.Due, DueDate: a.DueDate(), PassMark: a.PassMark, Author: a.AuthorName, Progress: p})
	}
	slices.SortFunc(out, func(x, y myAssignment) int {
		return cmp.Or(stateOrder(x.State)-stateOrder(y.State), x.Due.Compare(y.Due), cmp.Compare(x.ID, y.ID))
	})
	writeJSON(w, http.StatusOK, out)
}

// nonNil makes a nil list encode as [] rather than null.
func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
