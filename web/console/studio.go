package console

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"

	"github.com/sparlab/spar/dialog/studio"
	"github.com/sparlab/spar/dialog/studio/draft"
	"github.com/sparlab/spar/web/account"
)

// The scenario studio: trainers and admins duplicate a file scenario or import one, edit it
// (form first, the YAML beside it), save versions and publish one. Learners get 403; they see
// published scenarios on the practice page through the catalog.

// registerStudio adds the studio's routes when the console has a studio.
func (c *Console) registerStudio(user func(string, http.HandlerFunc)) {
	if c.studio == nil {
		return
	}
	t := func(pattern string, fn http.HandlerFunc) { user(pattern, c.trainersOnly(fn)) }
	t("GET /console/studio", c.studioPage)
	t("POST /console/studio/duplicate", c.studioDuplicate)
	t("POST /console/api/studio/import", c.studioImport)
	t("POST /console/studio/draft", c.studioDraft)
	t("POST /console/api/studio/material", c.studioMaterial)
	t("GET /console/studio/{sid}", c.studioEditPage)
	t("GET /console/studio/{sid}/v/{n}/{doc}", c.studioExport)
	t("GET /console/studio/{sid}/voice.wav", c.studioVoice)
	t("POST /console/api/studio/{sid}/lint", c.studioLint)
	t("POST /console/api/studio/{sid}/versions", c.studioSave)
	t("POST /console/api/studio/{sid}/publish", c.studioPublish)
	t("POST /console/api/studio/{sid}/try", c.studioTry)
	t("GET /console/api/trial/{ticket}", c.studioTrial)
}

// trainersOnly answers 403 to learners.
func (c *Console) trainersOnly(fn http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if u := account.UserFrom(r.Context()); u == nil || u.Role == account.RoleLearner {
			c.render(w, r, http.StatusForbidden, "forbidden.html", nil)
			return
		}
		fn(w, r)
	}
}

// studioPage lists the studio scenarios and the file scenarios to duplicate.
func (c *Console) studioPage(w http.ResponseWriter, r *http.Request) {
	c.renderStudio(w, r, http.StatusOK, r.URL.Query().Get("error"))
}

func (c *Console) renderStudio(w http.ResponseWriter, r *http.Request, status int, msg string) {
	c.renderStudioWith(w, r, status, msg, nil, nil)
}

func (c *Console) renderStudioWith(w http.ResponseWriter, r *http.Request, status int, msg string, problems []studio.Problem, rejected []draft.Fact) {
	entries, err := c.studio.List(r.Context())
	if err != nil {
		c.log.Error("studio list", "err", err)
		status, msg = http.StatusServiceUnavailable, "Storage unavailable, try again shortly."
	}
	var files []scenarioOption
	if c.scenarios != nil {
		for _, s := range c.scenarios.List() {
			if c.studio.IsFile(s.ID) {
				files = append(files, scenarioOption{s.ID, s.Title})
			}
		}
	}
	c.render(w, r, status, "studio.html", map[string]any{"Title": "Scenario studio",
		"Entries": entries, "Files": files, "Error": msg, "DraftProblems": problems, "Rejected": rejected,
		"LLMDrafter": c.drafterIsLLM()})
}

// drafterIsLLM reports whether drafts come from an LLM.
func (c *Console) drafterIsLLM() bool {
	_, ok := c.drafter.(*draft.LLM)
	return ok
}

func (c *Console) studioDuplicate(w http.ResponseWriter, r *http.Request) {
	u := account.UserFrom(r.Context())
	id := r.PostFormValue("id")
	_, err := c.studio.Duplicate(r.Context(), r.PostFormValue("from"), id, u.ID)
	c.afterCreate(w, r, id, err)
}

// studioImport takes the scenario and rubric files as JSON (the page reads the chosen files;
// the CSRF check reads only urlencoded forms, so uploads go through the script).
func (c *Console) studioImport(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 2*studio.MaxYAML+64<<10)
	var in struct{ Scenario, Rubric string }
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		c.fail(w, r, badRequest("the files could not be read: "+err.Error()))
		return
	}
	v, err := c.studio.Import(r.Context(), []byte(in.Scenario), []byte(in.Rubric), account.UserFrom(r.Context()).ID)
	switch {
	case err == nil:
		writeJSON(w, http.StatusCreated, map[string]string{"id": v.Scenario, "editor": "/console/studio/" + url.PathEscape(v.Scenario)})
	case errors.Is(err, studio.ErrInvalidID), errors.Is(err, studio.ErrExists):
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
	default:
		c.failStudio(w, r, err)
	}
}

// Drafter drafts a studio scenario from material: draft.Offline, or the LLM drafter
// (*draft.LLM) when an LLM is configured.
type Drafter interface {
	Make(ctx context.Context, in draft.Input) (*draft.Draft, error)
}

// studioDraft makes a new studio scenario from pasted material with the drafter. A draft
// the LLM could not get through lint is not saved: the page says what failed.
func (c *Console) studioDraft(w http.ResponseWriter, r *http.Request) {
	id, kind := r.PostFormValue("id"), r.PostFormValue("kind")
	if c.studio.IsFile(id) {
		c.renderStudio(w, r, http.StatusBadRequest, studio.ErrExists.Error()+": "+id)
		return
	}
	d, err := c.drafter.Make(r.Context(), draft.Input{ID: id, Kind: draft.Kind(kind), Difficulty: r.PostFormValue("difficulty"),
		Material: r.PostFormValue("material")})
	var failed *draft.FailedError
	switch {
	case errors.As(err, &failed):
		c.renderStudioFailure(w, r, failed)
		return
	case err != nil:
		c.renderStudio(w, r, http.StatusBadRequest, err.Error())
		return
	}
	note := fmt.Sprintf("drafted from material (%s): %d questions, %d facts", kind, len(d.Pairs), len(d.Facts))
	if len(d.Turns) > 0 {
		note += fmt.Sprintf(", read as a call of %d lines: the customer's side is the persona, %d of the agent's lines are better lines", len(d.Turns), len(d.Better))
	}
	if len(d.Rejected) > 0 {
		note += fmt.Sprintf(", %d facts left out (their sentences are not in the material)", len(d.Rejected))
	}
	_, err = c.studio.Create(r.Context(), id, d.Scenario, d.Rubric, account.UserFrom(r.Context()).ID, "draft", note, d.Facts)
	c.afterCreate(w, r, id, err)
}

// renderStudioFailure shows what failed in an LLM draft: the problems of its last reply.
func (c *Console) renderStudioFailure(w http.ResponseWriter, r *http.Request, f *draft.FailedError) {
	msg := fmt.Sprintf("The LLM's draft failed after %d attempt(s)", f.Attempts)
	switch {
	case f.Err != nil:
		msg += ": " + f.Err.Error()
	case f.Reply != "":
		msg += ": " + f.Reply
	default:
		msg += ". Problems in its last draft:"
	}
	c.log.Info("studio draft failed", "err", f)
	c.renderStudioWith(w, r, http.StatusUnprocessableEntity, msg, f.Problems, f.Rejected)
}

// afterCreate opens the new scenario's editor, or the list with what went wrong.
func (c *Console) afterCreate(w http.ResponseWriter, r *http.Request, id string, err error) {
	switch {
	case err == nil:
		http.Redirect(w, r, "/console/studio/"+url.PathEscape(id), http.StatusSeeOther)
	case errors.Is(err, studio.ErrInvalidID), errors.Is(err, studio.ErrExists), errors.Is(err, studio.ErrNotFound):
		c.renderStudio(w, r, http.StatusBadRequest, err.Error())
	default:
		c.log.Error("studio create", "err", err)
		c.renderStudio(w, r, http.StatusServiceUnavailable, "Storage unavailable, try again shortly.")
	}
}

// studioEditPage is the editor of the latest version, with the history beside it.
func (c *Console) studioEditPage(w http.ResponseWriter, r *http.Request) {
	ctx, id := r.Context(), r.PathValue("sid")
	e, err := c.studio.Entry(ctx, id)
	var hist []*studio.Version
	if err == nil {
		hist, err = c.studio.History(ctx, id)
	}
	if err != nil || len(hist) == 0 {
		status := http.StatusServiceUnavailable
		if err == nil || errors.Is(err, studio.ErrNotFound) {
			status = http.StatusNotFound
		}
		c.render(w, r, status, "notfound.html", nil)
		return
	}
	v := hist[0]
	fields, _ := studio.Fields([]byte(v.YAML), []byte(v.Rubric))
	lists, err := json.Marshal(map[string]any{"defs": studio.Lists, "rows": studio.ListRows([]byte(v.YAML), []byte(v.Rubric))})
	if err != nil {
		c.fail(w, r, err)
		return
	}
	names := map[string]string{}
	for _, h := range hist {
		names[h.Author] = h.Author
		if a, err := c.accts.Get(ctx, h.Author); err == nil {
			names[h.Author] = a.Name
		}
	}
	c.render(w, r, http.StatusOK, "studio_edit.html", map[string]any{"Title": "Edit " + e.ID,
		"Entry": e, "Version": v, "Fields": fields, "Lists": string(lists), "History": hist, "Names": names,
		"Voices": voiceChoices(fields["persona.voice"]), "Facts": hist[len(hist)-1].Facts, "Preview": c.voices != nil,
		"Next": e.Latest + 1, "Difficulties": []string{"easy", "medium", "hard"}})
}

// voiceChoices are the offline voices, plus the current one when it is another.
func voiceChoices(cur string) []string {
	out := []string{"slt", "rms", "awb", "kal"}
	for _, v := range out {
		if v == cur {
			return out
		}
	}
	if cur != "" {
		out = append(out, cur)
	}
	return out
}

// studioExport serves a version's scenario or rubric file exactly as saved.
func (c *Console) studioExport(w http.ResponseWriter, r *http.Request) {
	n, err := strconv.Atoi(r.PathValue("n"))
	doc := r.PathValue("doc")
	if err != nil || n < 1 || (doc != "scenario.yaml" && doc != "rubric.yaml") {
		c.render(w, r, http.StatusNotFound, "notfound.html", nil)
		return
	}
	v, err := c.studio.Get(r.Context(), r.PathValue("sid"), n)
	if err != nil {
		status := http.StatusServiceUnavailable
		if errors.Is(err, studio.ErrNotFound) {
			status = http.StatusNotFound
		}
		c.render(w, r, status, "notfound.html", nil)
		return
	}
	body, dir := v.YAML, "scenarios"
	if doc == "rubric.yaml" {
		body, dir = v.Rubric, "rubrics"
	}
	w.Header().Set("Content-Type", "application/yaml; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+dir+"-"+v.Scenario+".yaml"+`"`)
	w.Header().Set("Cache-Control", "no-store")
	_, _ = io.WriteString(w, body)
}
