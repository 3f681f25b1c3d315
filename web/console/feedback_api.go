package console

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/sparlab/spar/dialog/store"
	"github.com/sparlab/spar/web/account"
)

// maxText bounds a comment or a reason.
const maxText = 4000

// commentIn is the body of adding or editing a comment.
type commentIn struct {
	AtMS *int64 `json:"at_ms"`
	Text string `json:"text"`
}

// mayComment: trainers and admins who may see the call add comments; the learner reads them.
func mayComment(u *account.User) bool {
	return u.Role == account.RoleTrainer || u.Role == account.RoleAdmin
}

func (c *Console) addComment(w http.ResponseWriter, r *http.Request) {
	rec, err := c.call(r)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	u := account.UserFrom(r.Context())
	if !mayComment(u) {
		c.fail(w, r, account.ErrForbidden)
		return
	}
	var in commentIn
	if err := decode(r, &in); err != nil {
		c.fail(w, r, err)
		return
	}
	if in.AtMS == nil || *in.AtMS < 0 || *in.AtMS > rec.Duration.Milliseconds()+1000 {
		c.fail(w, r, badRequest("at_ms must be a moment of the call"))
		return
	}
	cm := &Comment{Author: u.ID, AuthorName: u.Name, AtMS: *in.AtMS, Text: in.Text}
	if err := c.feedback.PutComment(r.Context(), rec.ID, cm); err != nil {
		c.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, cm)
}

// editComment changes a comment's text or moment: its author, or an admin.
func (c *Console) editComment(w http.ResponseWriter, r *http.Request) {
	rec, cm, err := c.ownComment(r)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	var in commentIn
	if err := decode(r, &in); err != nil {
		c.fail(w, r, err)
		return
	}
	cm.Text = in.Text
	if in.AtMS != nil {
		if *in.AtMS < 0 || *in.AtMS > rec.Duration.Milliseconds()+1000 {
			c.fail(w, r, badRequest("at_ms must be a moment of the call"))
			return
		}
		cm.AtMS = *in.AtMS
	}
	if err := c.feedback.PutComment(r.Context(), rec.ID, cm); err != nil {
		c.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, cm)
}

func (c *Console) deleteComment(w http.ResponseWriter, r *http.Request) {
	rec, cm, err := c.ownComment(r)
	if err == nil {
		err = c.feedback.DeleteComment(r.Context(), rec.ID, cm.ID)
	}
	if err != nil {
		c.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// ownComment loads the request's call and comment, checking the user may change it.
func (c *Console) ownComment(r *http.Request) (*store.Record, *Comment, error) {
	rec, err := c.call(r)
	if err != nil {
		return nil, nil, err
	}
	u := account.UserFrom(r.Context())
	if !mayComment(u) {
		return nil, nil, account.ErrForbidden
	}
	cm, err := c.feedback.Comment(r.Context(), rec.ID, r.PathValue("cid"))
	if err != nil {
		return nil, nil, err
	}
	if cm.Author != u.ID && u.Role != account.RoleAdmin {
		return nil, nil, account.ErrForbidden
	}
	return rec, cm, nil
}

// overrideIn is the body of a score override.
type overrideIn struct {
	Score  *int   `json:"score"`
	Pass   bool   `json:"pass"`
	Reason string `json:"reason"`
}

func (c *Console) setOverride(w http.ResponseWriter, r *http.Request) {
	rec, err := c.call(r)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	u := account.UserFrom(r.Context())
	if !mayComment(u) {
		c.fail(w, r, account.ErrForbidden)
		return
	}
	var in overrideIn
	if err := decode(r, &in); err != nil {
		c.fail(w, r, err)
		return
	}
	if in.Score == nil || *in.Score < 0 || *in.Score > 100 {
		c.fail(w, r, badRequest("score must be 0 to 100"))
		return
	}
	o := &Override{Score: *in.Score, Pass: in.Pass, Reason: in.Reason, Author: u.ID, AuthorName: u.Name}
	if err := c.feedback.SetOverride(r.Context(), rec.ID, o); err != nil {
		c.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, o)
}

func (c *Console) clearOverride(w http.ResponseWriter, r *http.Request) {
	rec, err := c.call(r)
	if err == nil && !mayComment(account.UserFrom(r.Context())) {
		err = account.ErrForbidden
	}
	if err == nil {
		err = c.feedback.clear(r.Context(), c.feedback.keys.Override(rec.ID))
	}
	if err != nil {
		c.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// disagreeIn is the body of a learner's "I disagree".
type disagreeIn struct {
	Reason string `json:"reason"`
}

// mayDisagree: the learner whose call it is (learners see only their own calls).
func mayDisagree(u *account.User) bool { return u.Role == account.RoleLearner }

func (c *Console) setDisagree(w http.ResponseWriter, r *http.Request) {
	rec, err := c.call(r)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	u := account.UserFrom(r.Context())
	if !mayDisagree(u) {
		c.fail(w, r, account.ErrForbidden)
		return
	}
	var in disagreeIn
	if err := decode(r, &in); err != nil {
		c.fail(w, r, err)
		return
	}
	d := &Disagreement{Reason: in.Reason, Author: u.ID}
	if err := c.feedback.SetDisagreement(r.Context(), rec.ID, d); err != nil {
		c.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, d)
}

func (c *Console) clearDisagree(w http.ResponseWriter, r *http.Request) {
	rec, err := c.call(r)
	if err == nil && !mayDisagree(account.UserFrom(r.Context())) {
		err = account.ErrForbidden
	}
	if err == nil {
		err = c.feedback.clear(r.Context(), c.feedback.keys.Disagree(rec.ID))
	}
	if err != nil {
		c.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// decode reads a small JSON body into v and trims its text fields' length.
func decode(r *http.Request, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(nil, r.Body, 16<<10))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return badRequest(fmt.Sprintf("bad JSON body: %v", err))
	}
	var text string
	switch in := v.(type) {
	case *commentIn:
		in.Text = strings.TrimSpace(in.Text)
		text = in.Text
		if text == "" {
			return badRequest("text is empty")
		}
	case *overrideIn:
		in.Reason = strings.TrimSpace(in.Reason)
		text = in.Reason
		if text == "" {
			return badRequest("a reason is required")
		}
	case *disagreeIn:
		in.Reason = strings.TrimSpace(in.Reason)
		text = in.Reason
	}
	if len(text) > maxText {
		return badRequest(fmt.Sprintf("text longer than %d bytes", maxText))
	}
	return nil
}

func randomID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
