// Package console serves the trainer console under /console/: sign-in, the calls list with
// filters and its CSV export, learners' progress and teams' dashboards (charts drawn as inline
// SVG by the templates), and the replay page (two-lane waveform, transcript synced to the recording, timeline
// markers, the scorecard with evidence that jumps to its moment, trainer comments pinned to
// timestamps, a trainer's score override and a learner's "I disagree" flag), assignments
// ("10 reps in 30 days": a scenario, learners or a team, a due date, reps and a pass mark,
// with each learner's progress derived from their calls), the admins' pages (settings: how
// long calls and recordings are kept; users, teams and API tokens), and GET /api/me and
// /api/me/assignments for the learner page. Every route goes
// through account.SecurityHeaders and the accounts' Middleware; every call-level route checks
// that the signed-in user may see the call and answers 404 otherwise. Pages are templates and
// files embedded here, with no inline script or style, so the strict CSP holds.
package console

import (
	"cmp"
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"path/filepath"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/sparlab/spar/dialog"
	"github.com/sparlab/spar/dialog/scenario"
	"github.com/sparlab/spar/dialog/store"
	"github.com/sparlab/spar/dialog/studio"
	"github.com/sparlab/spar/dialog/studio/draft"
	"github.com/sparlab/spar/dialog/studio/material"
	"github.com/sparlab/spar/scoring"
	"github.com/sparlab/spar/web/account"
)

// Calls is what the console reads about calls (store.Store).
type Calls interface {
	Get(ctx context.Context, id string) (*store.Record, error)
	List(ctx context.Context, q store.Query) ([]*store.Record, error)
	Live(ctx context.Context) ([]string, error)
	Follow(ctx context.Context, id, from string, fn func(id string, e dialog.Event) error) error
	Timeline(ctx context.Context, id string) ([]dialog.Event, error)
}

// Scorecards reads scorecards (scoring.Cards).
type Scorecards interface {
	Get(ctx context.Context, id string) (*scoring.Scorecard, error)
}

// Scenarios lists the scenarios, for the filter and titles (scenario.Catalog).
type Scenarios interface {
	List() []*scenario.Scenario
}

// Config tunes the console. Zero fields take their defaults.
type Config struct {
	// RecordingDir, when set, is the only directory recordings are served from: a record
	// pointing elsewhere is refused.
	RecordingDir string `yaml:"recording_dir"`
	// PageSize is how many calls the list shows per page (default 25).
	PageSize int `yaml:"page_size"`
	// MaxScan bounds how many calls one list request reads before filtering (default 1000).
	MaxScan int `yaml:"max_scan"`
	// LongSilence is the shortest gap between lines marked as a long silence (default 4s).
	LongSilence time.Duration `yaml:"long_silence"`
	// Peaks is how many waveform columns the replay page gets (default 1200).
	Peaks int `yaml:"peaks"`
}

func (c Config) withDefaults() Config {
	c.PageSize = cmp.Or(c.PageSize, 25)
	c.MaxScan = cmp.Or(c.MaxScan, 1000)
	c.LongSilence = cmp.Or(c.LongSilence, 4*time.Second)
	c.Peaks = cmp.Or(c.Peaks, 1200)
	return c
}

// Validate reports the first unusable setting; zero fields take their defaults.
func (c Config) Validate() error {
	c = c.withDefaults()
	switch {
	case c.PageSize < 1 || c.PageSize > 500:
		return fmt.Errorf("%w: page_size %d is outside 1..500", ErrInvalidConfig, c.PageSize)
	case c.MaxScan < c.PageSize:
		return fmt.Errorf("%w: max_scan %d is under page_size", ErrInvalidConfig, c.MaxScan)
	case c.LongSilence <= 0:
		return fmt.Errorf("%w: long_silence %v is not positive", ErrInvalidConfig, c.LongSilence)
	case c.Peaks < 100 || c.Peaks > 10000:
		return fmt.Errorf("%w: peaks %d is outside 100..10000", ErrInvalidConfig, c.Peaks)
	case c.RecordingDir != "" && !filepath.IsAbs(c.RecordingDir):
		return fmt.Errorf("%w: recording_dir %q is not absolute", ErrInvalidConfig, c.RecordingDir)
	}
	return nil
}

// Deps are what the console is built on.
type Deps struct {
	Accounts  *account.Accounts
	Calls     Calls
	Cards     Scorecards
	Scenarios Scenarios // may be nil
	// Studio keeps the scenarios trainers make in the console; nil: no studio pages.
	Studio *studio.Studio
	// Drafter drafts studio scenarios from material; nil: the offline drafter
	// (draft.Offline). cmd gives the LLM drafter when an LLM is configured.
	Drafter Drafter
	// Voices speaks the editor's "hear it" previews; nil: no previews.
	Voices Voices
	// STT transcribes call recordings uploaded to draft from (the server's default speech
	// recognizer); nil: recordings are refused, text files still work.
	STT   dialog.Transcriber
	Redis redis.UniversalClient
	Keys  store.FeedbackKeys // store.Store.FeedbackKeys
	// Settings backs the admin settings page; nil takes Calls when it implements Settings
	// (store.Store does), and without either the page answers 404.
	Settings Settings
	// AssignmentKeys names the assignment keys; zero takes the layout under Keys' prefix
	// (store.Store.AssignmentKeys gives the same).
	AssignmentKeys store.AssignmentKeys
	Log            *slog.Logger
}

// Console serves the trainer console.
type Console struct {
	cfg       Config
	accts     *account.Accounts
	mw        *account.Middleware
	guard     *account.Guard
	calls     Calls
	cards     Scorecards
	scenarios Scenarios
	studio    *studio.Studio
	drafter   Drafter
	voices    Voices
	material  material.Reader
	feedback  *Feedback
	settings  Settings
	assign    *assignments
	now       func() time.Time
	log       *slog.Logger
}

//go:embed assets
var assets embed.FS

var pages = template.Must(template.New("").Funcs(funcs).ParseFS(assets, "assets/*.html"))

// New returns the console.
func New(cfg Config, d Deps) (*Console, error) {
	cfg = cfg.withDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if d.Accounts == nil || d.Calls == nil || d.Cards == nil || d.Redis == nil {
		return nil, errors.New("console: new: Accounts, Calls, Cards and Redis are required")
	}
	log := d.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if d.Drafter == nil {
		d.Drafter = draft.Offline{}
	}
	settings := d.Settings
	if settings == nil {
		settings, _ = d.Calls.(Settings)
	}
	return &Console{cfg: cfg, settings: settings, accts: d.Accounts, mw: d.Accounts.Middleware(), guard: account.NewGuard(d.Accounts, d.Calls),
		calls: d.Calls, cards: d.Cards, scenarios: d.Scenarios, studio: d.Studio, drafter: d.Drafter, voices: d.Voices, material: material.Reader{STT: d.STT, Log: d.Log}, feedback: &Feedback{rdb: d.Redis, keys: d.Keys, now: time.Now},
		assign: &assignments{rdb: d.Redis, keys: cmp.Or(d.AssignmentKeys, store.AssignmentKeys{Prefix: d.Keys.Prefix})},
		now:    time.Now, log: log.With("component", "console")}, nil
}

// Register adds the console's routes under /console/ to mux.
func (c *Console) Register(mux *http.ServeMux) {
	h := func(pattern string, fn http.HandlerFunc) {
		mux.Handle(pattern, account.SecurityHeaders(c.mw.Authenticate(fn)))
	}
	user := func(pattern string, fn http.HandlerFunc) {
		mux.Handle(pattern, account.SecurityHeaders(c.mw.Authenticate(c.mw.RequireUser(fn))))
	}
	h("GET /console/login", c.loginPage)
	h("POST /console/login", c.login)
	h("POST /console/logout", c.logout)
	h("GET /console/assets/{name}", c.asset)
	user("GET /console/{$}", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/console/calls", http.StatusSeeOther)
	})
	user("GET /console/calls", c.callsPage)
	user("GET /console/review", c.queuePage)
	user("GET /console/calls.csv", c.callsCSV)
	user("GET /console/learners/{id}", c.learnerPage)
	user("GET /console/teams/{team}", c.teamPage)
	user("GET /console/settings", c.settingsPage)
	user("POST /console/settings", c.saveSettings)
	user("GET /console/assignments", c.assignmentsPage)
	user("POST /console/assignments", c.createAssignment)
	user("GET /console/assignments/{aid}", c.assignmentPage)
	user("POST /console/assignments/{aid}", c.editAssignment)
	user("POST /console/assignments/{aid}/delete", c.deleteAssignment)
	c.registerAdmin(user)
	c.registerMe(user)
	c.registerStudio(user)
	user("GET /console/calls/{id}", c.replayPage)
	user("GET /console/calls/{id}/recording.wav", c.recording)
	user("GET /console/api/calls/{id}", c.replayData)
	user("GET /console/api/calls/{id}/peaks", c.peaks)
	user("POST /console/api/calls/{id}/comments", c.addComment)
	user("PUT /console/api/calls/{id}/comments/{cid}", c.editComment)
	user("DELETE /console/api/calls/{id}/comments/{cid}", c.deleteComment)
	user("PUT /console/api/calls/{id}/override", c.setOverride)
	user("DELETE /console/api/calls/{id}/override", c.clearOverride)
	user("PUT /console/api/calls/{id}/disagree", c.setDisagree)
	user("DELETE /console/api/calls/{id}/disagree", c.clearDisagree)
}

// call returns the record of the request's {id} if the signed-in user may see it, or
// store.ErrNotFound, exactly as for a call that does not exist.
func (c *Console) call(r *http.Request) (*store.Record, error) {
	return c.guard.Calls().Get(r.Context(), r.PathValue("id"))
}
