package console

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"

	"github.com/sparlab/spar/dialog/studio"
	"github.com/sparlab/spar/web"
	"github.com/sparlab/spar/web/account"
)

// "Try it": a trainer calls a version of a studio scenario from the practice page before
// publishing it. The editor asks for a trial ticket (studioTry) and opens the practice page
// with it (/?trial=ticket); the page reads the scenario it tries from studioTrial and sends
// the ticket with its offer, which the browser transport checks (cmd/spar trialHook). The
// call is recorded with its version and as a trial, so it counts in no learner's progress.

// trialView is what the practice page shows of the scenario a trial calls: the fields of
// the learner page's scenario cards, plus the trial's ticket and version.
type trialView struct {
	web.ScenarioView
	Trial   string `json:"trial"`
	Version int    `json:"version"`
	Editor  string `json:"editor"`
}

// studioTry gives the trainer a trial ticket for version n (0: the latest) and the practice
// page's address that uses it. A version with lint problems cannot be tried.
func (c *Console) studioTry(w http.ResponseWriter, r *http.Request) {
	var in struct {
		N int `json:"n"`
	}
	r.Body = http.MaxBytesReader(w, r.Body, 1<<10)
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.N < 0 {
		c.fail(w, r, badRequest("want {\"n\": version}"))
		return
	}
	tr, err := c.studio.NewTrial(r.Context(), r.PathValue("sid"), in.N, account.UserFrom(r.Context()).ID)
	if err != nil {
		c.failStudio(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{"ticket": tr.Ticket, "n": tr.N,
		"url": "/?trial=" + url.QueryEscape(tr.Ticket)})
}

// studioTrial describes the scenario a trial ticket calls, to the trainer it was given to.
func (c *Console) studioTrial(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	tr, err := c.studio.Trial(ctx, r.PathValue("ticket"))
	if err == nil && tr.By != account.UserFrom(ctx).ID {
		err = studio.ErrNoTrial // another trainer's ticket is none of this one's business
	}
	if errors.Is(err, studio.ErrNoTrial) {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": err.Error()})
		return
	}
	if err != nil {
		c.fail(w, r, err)
		return
	}
	sc, err := c.studio.Scenario(ctx, tr.Scenario, tr.N)
	if err != nil {
		c.failStudio(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, trialView{ScenarioView: web.ViewOf(sc),
		Trial: tr.Ticket, Version: tr.N, Editor: "/console/studio/" + url.PathEscape(tr.Scenario)})
}
