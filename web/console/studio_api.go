package console

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/sparlab/spar/dialog/studio"
	"github.com/sparlab/spar/web/account"
)

// studioDraft is what the editor sends: both files as in the YAML views and, when the form
// was edited last, the form's fields, which win over the YAML.
type studioDraft struct {
	YAML   string            `json:"yaml"`
	Rubric string            `json:"rubric"`
	Fields map[string]string `json:"fields,omitempty"`
	// Lists are the form's list rows (studio.Lists), sent with the fields.
	Lists map[string][]studio.Row `json:"lists,omitempty"`
}

// studioDraftView is the draft after the form's fields were applied, with its lint.
type studioDraftView struct {
	YAML     string                  `json:"yaml"`
	Rubric   string                  `json:"rubric"`
	Fields   map[string]string       `json:"fields"`
	Criteria int                     `json:"criteria"`
	Lists    map[string][]studio.Row `json:"lists"`
	// ListsApplied: the form's rows were written into the files, in the order sent.
	ListsApplied bool             `json:"lists_applied"`
	Problems     []studio.Problem `json:"problems"`
}

// readDraft decodes the request and applies the form's fields to the two files. A field
// that cannot be applied (the YAML does not parse) is a problem at that field, and the
// files are returned as they were: nothing typed is lost.
func (c *Console) readDraft(w http.ResponseWriter, r *http.Request) (*studioDraftView, error) {
	r.Body = http.MaxBytesReader(w, r.Body, 2*studio.MaxYAML+64<<10)
	var d studioDraft
	if err := json.NewDecoder(r.Body).Decode(&d); err != nil {
		return nil, badRequest("the draft could not be read: " + err.Error())
	}
	v := &studioDraftView{YAML: d.YAML, Rubric: d.Rubric}
	var pre []studio.Problem
	if len(d.Fields) > 0 {
		scen, rub := map[string]string{}, map[string]string{}
		for k, val := range d.Fields {
			if k == "pass_mark" || len(k) > 9 && k[:9] == "criteria[" {
				rub[k] = val
			} else {
				scen[k] = val
			}
		}
		if out, err := studio.SetFields([]byte(v.YAML), scen); err == nil {
			v.YAML = string(out)
		} else {
			pre = append(pre, studio.Problem{Doc: studio.DocScenario, Line: 1, Col: 1, Msg: err.Error()})
		}
		if out, err := studio.SetFields([]byte(v.Rubric), rub); err == nil {
			v.Rubric = string(out)
		} else {
			pre = append(pre, studio.Problem{Doc: studio.DocRubric, Line: 1, Col: 1, Msg: err.Error()})
		}
	}
	if len(d.Lists) > 0 && len(pre) == 0 {
		doc := studio.DocScenario
		scen, err := studio.SetLists([]byte(v.YAML), doc, d.Lists)
		var rub []byte
		if err == nil {
			doc = studio.DocRubric
			rub, err = studio.SetLists([]byte(v.Rubric), doc, d.Lists)
		}
		var le *studio.ListError
		switch {
		case err == nil:
			v.YAML, v.Rubric, v.ListsApplied = string(scen), string(rub), true
		case errors.As(err, &le):
			pre = append(pre, studio.Problem{Doc: doc, Field: le.Field, Line: 1, Col: 1, Msg: le.Msg})
		default:
			pre = append(pre, studio.Problem{Doc: doc, Line: 1, Col: 1, Msg: err.Error()})
		}
	}
	v.Fields, v.Criteria = studio.Fields([]byte(v.YAML), []byte(v.Rubric))
	v.Lists = studio.ListRows([]byte(v.YAML), []byte(v.Rubric))
	v.Problems = append(pre, c.studio.Lint(r.PathValue("sid"), []byte(v.YAML), []byte(v.Rubric))...)
	return v, nil
}

// studioLint lints a draft as the trainer types; nothing is stored.
func (c *Console) studioLint(w http.ResponseWriter, r *http.Request) {
	v, err := c.readDraft(w, r)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

// studioSave stores the draft as a new version, problems and all.
func (c *Console) studioSave(w http.ResponseWriter, r *http.Request) {
	d, err := c.readDraft(w, r)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	u := account.UserFrom(r.Context())
	v, err := c.studio.Save(r.Context(), r.PathValue("sid"), []byte(d.YAML), []byte(d.Rubric), u.ID, "")
	if err != nil {
		c.failStudio(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, v)
}

// studioPublish makes a version the one learners get.
func (c *Console) studioPublish(w http.ResponseWriter, r *http.Request) {
	var in struct {
		N int `json:"n"`
	}
	r.Body = http.MaxBytesReader(w, r.Body, 1<<10)
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.N < 1 {
		c.fail(w, r, badRequest("want {\"n\": version}"))
		return
	}
	if err := c.studio.Publish(r.Context(), r.PathValue("sid"), in.N); err != nil {
		c.failStudio(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]int{"published": in.N})
}

// failStudio maps the studio's errors, then the console's.
func (c *Console) failStudio(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case errors.Is(err, studio.ErrNotFound):
		writeJSON(w, http.StatusNotFound, map[string]string{"error": err.Error()})
	case errors.Is(err, studio.ErrProblems), errors.Is(err, studio.ErrReadOnly), errors.Is(err, studio.ErrTooLarge),
		errors.Is(err, studio.ErrInvalidID), errors.Is(err, studio.ErrExists):
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
	default:
		c.fail(w, r, err)
	}
}
