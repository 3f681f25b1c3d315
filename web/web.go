// Package web serves Spar's HTTP API and pages: the status page, scenarios, call records and
// a live timeline feed (server-sent events). It reads calls and scenarios through the small
// interfaces declared here.
package web

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"html/template"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"

	"github.com/sparlab/spar/dialog"
	"github.com/sparlab/spar/dialog/scenario"
	"github.com/sparlab/spar/dialog/store"
	"github.com/sparlab/spar/scoring"
)

// Calls is what the web layer reads about calls.
type Calls interface {
	Get(ctx context.Context, id string) (*store.Record, error)
	List(ctx context.Context, q store.Query) ([]*store.Record, error)
	Live(ctx context.Context) ([]string, error)
	Follow(ctx context.Context, id, from string, fn func(id string, e dialog.Event) error) error
}

// Scenarios lists what learners can practise.
type Scenarios interface {
	List() []*scenario.Scenario
}

//go:embed assets
var assets embed.FS

var pages = template.Must(template.ParseFS(assets, "assets/*.html"))

// Server holds the handlers.
type Server struct {
	calls     Calls
	cards     Scorecards
	scenarios Scenarios
	log       *slog.Logger
	feeds     feedCounter

	// ClientAddr names the client a request comes from, for per-client limits; nil means
	// the host of the connection's remote address (set it when behind a trusted proxy).
	ClientAddr func(*http.Request) string
}

// New returns the web server.
func New(calls Calls, cards Scorecards, scenarios Scenarios, log *slog.Logger) *Server {
	return &Server{calls: calls, cards: cards, scenarios: scenarios, log: log,
		feeds: feedCounter{open: map[string]int{}}}
}

// clientAddr is ClientAddr, or the remote host.
func (s *Server) clientAddr(r *http.Request) string {
	if s.ClientAddr != nil {
		return s.ClientAddr(r)
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// Register adds the routes to mux.
func (s *Server) Register(mux *http.ServeMux) {
	s.registerLearner(mux) // the learner page at /
	mux.HandleFunc("GET /status", s.index)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok\n")) })
	mux.HandleFunc("GET /api/scenarios", s.listScenarios)
	mux.HandleFunc("GET /api/calls", s.listCalls)
	mux.HandleFunc("GET /api/calls/{id}", s.getCall)
	mux.HandleFunc("GET /api/calls/{id}/events", s.events)
	mux.HandleFunc("GET /api/calls/{id}/scorecard", s.getScorecard)
}

// ScenarioView is the public face of a scenario, as the practice page's cards show it: no
// hidden persona goal.
type ScenarioView struct {
	ID         string `json:"id"`
	Title      string `json:"title"`
	Category   string `json:"category"`
	Difficulty string `json:"difficulty"`
	Situation  string `json:"situation"`
	Goal       string `json:"learner_goal"`
	Persona    string `json:"persona"`
}

// ViewOf is the public face of sc.
func ViewOf(sc *scenario.Scenario) ScenarioView {
	return ScenarioView{ID: sc.ID, Title: sc.Title, Category: string(sc.Category),
		Difficulty: string(sc.Difficulty), Situation: sc.Situation, Goal: sc.LearnerGoal, Persona: sc.Persona.Name}
}

func (s *Server) scenarioViews() []ScenarioView {
	var out []ScenarioView
	for _, sc := range s.scenarios.List() {
		out = append(out, ViewOf(sc))
	}
	return out
}

func (s *Server) listScenarios(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, s.scenarioViews())
}

func (s *Server) listCalls(w http.ResponseWriter, r *http.Request) {
	q := store.Query{Learner: r.URL.Query().Get("learner"), Scenario: r.URL.Query().Get("scenario"), Limit: 50}
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 500 {
			s.fail(w, r, badRequest("limit must be a number from 1 to 500"))
			return
		}
		q.Limit = n
	}
	recs, err := s.calls.List(r.Context(), q)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if recs == nil {
		recs = []*store.Record{}
	}
	out := make([]*store.Record, len(recs))
	for i, rec := range recs {
		out[i] = publicRecord(rec)
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) getCall(w http.ResponseWriter, r *http.Request) {
	rec, err := s.calls.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, publicRecord(rec))
}

// publicRecord is a call record as the API shows it: without the recording's path on disk,
// the node that ran it and the numbers dialled, and with a guest caller's phone number
// reduced to its last four digits (the console streams recordings by call ID).
func publicRecord(rec *store.Record) *store.Record {
	c := *rec
	c.Recording, c.Node, c.From, c.To = "", "", "", ""
	if n, ok := strings.CutPrefix(c.Learner, "guest:+"); ok && len(n) > 4 {
		c.Learner = "guest:…" + n[len(n)-4:]
	}
	return &c
}

func (s *Server) index(w http.ResponseWriter, r *http.Request) {
	live, err := s.calls.Live(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	recent, err := s.calls.List(r.Context(), store.Query{Limit: 20})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	err = pages.ExecuteTemplate(w, "index.html", map[string]any{
		"Live": len(live), "Recent": recent, "Scenarios": s.scenarioViews(), "Host": r.Host,
	})
	if err != nil {
		s.log.Error("render index", "err", err)
	}
}

// badRequest is an error the client can fix.
type badRequest string

func (b badRequest) Error() string { return string(b) }

// fail maps an error to its HTTP status: the one place that does.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	var br badRequest
	switch {
	case errors.Is(err, store.ErrNotFound):
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "no such call"})
	case errors.Is(err, store.ErrBusy):
		w.Header().Set("Retry-After", "10")
		writeJSON(w, http.StatusTooManyRequests, map[string]string{"error": "too many live feeds open: try again shortly"})
	case errors.Is(err, scoring.ErrNotScored):
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "not scored yet", "status": "pending"})
	case errors.As(err, &br):
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": br.Error()})
	case errors.Is(err, context.Canceled):
	default:
		s.log.Error("request failed", "path", r.URL.Path, "err", err)
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"error": "storage unavailable, try again shortly"})
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Cache-Control", "no-store") // calls and scorecards are private
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}
