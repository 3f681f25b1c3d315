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
	var in commentIn
	rec, u, err := c.feedbackRequest(r, mayComment, &in)
	if err == nil {
		err = checkAt(rec, in.AtMS)
	}
	var cm *Comment
	if err == nil {
		cm = &Comment{Author: u.ID, AuthorName: u.Name, AtMS: *in.AtMS, Text: in.Text}
		err = c.feedback.PutComment(r.Context(), rec.ID, cm)
	}
	c.reply(w, r, err, http.StatusCreated, cm)
}

// editComment changes a comment's text or moment: its author, or an admin.
func (c *Console) editComment(w http.ResponseWriter, r *http.Request) {
	rec, cm, err := c.ownComment(r)
	var in commentIn
	if err == nil {
		err = decode(r, &in)
	}
	if err == nil && in.AtMS != nil {
		err = checkAt(rec, in.AtMS)
	}
	if err == nil {
		cm.Text = in.Text
		if in.AtMS != nil {
			cm.AtMS = *in.AtMS
		}
		err = c.feedback.PutComment(r.Context(), rec.ID, cm)
	}
	c.reply(w, r, err, http.StatusOK, cm)
}

func (c *Console) deleteComment(w http.ResponseWriter, r *http.Request) {
	rec, cm, err := c.ownComment(r)
	if err == nil {
		err = c.feedback.DeleteComment(r.Context(), rec.ID, cm.ID)
	}
	c.reply(w, r, err, http.StatusNoContent, nil)
}

// ownComment loads the request's call and comment, checking the user may change it.
func (c *Console) ownComment(r *http.Request) (*store.Record, *Comment, error) {
	rec, u, err := c.feedbackRequest(r, mayComment, nil)
	if err != nil {
		return nil, nil, err
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

// checkAt accepts a comment moment within the call (a second of slack at its end).
func checkAt(rec *store.Record, atMS *int64) error {
	if atMS == nil || *atMS < 0 || *atMS > rec.Duration.Milliseconds()+1000 {
		return badRequest("at_ms must be a moment of the call")
	}
	return nil
}

// overrideIn is the body of a score override.
type overrideIn struct {
	Score  *int   `json:"score"`
	Pass   bool   `json:"pass"`
	Reason string `json:"reason"`
}

func (c *Console) setOverride(w http.ResponseWriter, r *http.Request) {
	var in overrideIn
	rec, u, err := c.feedbackRequest(r, mayComment, &in)
	if err == nil && (in.Score == nil || *in.Score < 0 || *in.Score > 100) {
		err = badRequest("score must be 0 to 100")
	}
	var o *Override
	if err == nil {
		o = &Override{Score: *in.Score, Pass: in.Pass, Reason: in.Reason, Author: u.ID, AuthorName: u.Name}
		err = c.feedback.SetOverride(r.Context(), rec.ID, o)
	}
	c.reply(w, r, err, http.StatusOK, o)
}

func (c *Console) clearOverride(w http.ResponseWriter, r *http.Request) {
	c.clearFeedback(w, r, mayComment, c.feedback.keys.Override)
}

// disagreeIn is the body of a learner's "I disagree".
type disagreeIn struct {
	Reason string `json:"reason"`
}

// mayDisagree: the learner whose call it is (learners see only their own calls).
func mayDisagree(u *account.User) bool { return u.Role == account.RoleLearner }

func (c *Console) setDisagree(w http.ResponseWriter, r *http.Request) {
	var in disagreeIn
	rec, u, err := c.feedbackRequest(r, mayDisagree, &in)
	var d *Disagreement
	if err == nil {
		d = &Disagreement{Reason: in.Reason, Author: u.ID}
		err = c.feedback.SetDisagreement(r.Context(), rec.ID, d)
	}
	c.reply(w, r, err, http.StatusOK, d)
}

func (c *Console) clearDisagree(w http.ResponseWriter, r *http.Request) {
	c.clearFeedback(w, r, mayDisagree, c.feedback.keys.Disagree)
}

// feedbackRequest loads the request's call, checks the user's role with may and, when in
// is not nil, decodes the body into it. Every feedback handler starts here.
func (c *Console) feedbackRequest(r *http.Request, may func(*account.User) bool, in feedbackIn) (*store.Record, *account.User, error) {
	rec, err := c.call(r)
	if err != nil {
		return nil, nil, err
	}
	u := account.UserFrom(r.Context())
	if !may(u) {
		return nil, nil, account.ErrForbidden
	}
	if in != nil {
		if err := decode(r, in); err != nil {
			return nil, nil, err
		}
	}
	return rec, u, nil
}

// clearFeedback deletes one feedback key of the request's call (an override, a
// disagreement) for a user may allows.
func (c *Console) clearFeedback(w http.ResponseWriter, r *http.Request, may func(*account.User) bool, key func(callID string) string) {
	rec, _, err := c.feedbackRequest(r, may, nil)
	if err == nil {
		err = c.feedback.clear(r.Context(), key(rec.ID))
	}
	c.reply(w, r, err, http.StatusNoContent, nil)
}

// reply answers a feedback request: err through fail, else status with v as JSON (no body
// for 204).
func (c *Console) reply(w http.ResponseWriter, r *http.Request, err error, status int, v any) {
	switch {
	case err != nil:
		c.fail(w, r, err)
	case status == http.StatusNoContent:
		w.WriteHeader(status)
	default:
		writeJSON(w, status, v)
	}
}

// feedbackIn is a feedback request body: clean trims its text and checks it.
type feedbackIn interface {
	clean() error
}

// decode reads a small JSON body into in and cleans it.
func decode(r *http.Request, in feedbackIn) error {
	dec := json.NewDecoder(http.MaxBytesReader(nil, r.Body, 16<<10))
	dec.DisallowUnknownFields()
	if err := dec.Decode(in); err != nil {
		return badRequest(fmt.Sprintf("bad JSON body: %v", err))
	}
	return in.clean()
}

func (in *commentIn) clean() error { return cleanText(&in.Text, "text is empty") }

func (in *overrideIn) clean() error { return cleanText(&in.Reason, "a reason is required") }

func (in *disagreeIn) clean() error { return cleanText(&in.Reason, "") }

// cleanText trims *s and bounds its length; empty is refused with ifEmpty unless that is "".
func cleanText(s *string, ifEmpty string) error {
	*s = strings.TrimSpace(*s)
	switch {
	case *s == "" && ifEmpty != "":
		return badRequest(ifEmpty)
	case len(*s) > maxText:
		return badRequest(fmt.Sprintf("text longer than %d bytes", maxText))
	}
	return nil
}

func randomID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
