package main

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/sparlab/spar/configs"
	"github.com/sparlab/spar/dialog/scenario"
	"github.com/sparlab/spar/dialog/store"
	"github.com/sparlab/spar/dialog/studio"
	"github.com/sparlab/spar/scoring"
	"github.com/sparlab/spar/web/metrics"
)

// scoringConfig is the scoring part of the configuration, with its secrets read from the
// environment and the public URL its links start with.
func scoringConfig(c Config) scoring.Config {
	s := c.Scoring.WithSecrets(os.Getenv)
	s.Delivery.PublicURL = c.PublicURL
	return s
}

// newScorers returns the scorer with the configured judge and, when that judge can fail
// (an LLM), the deterministic scorer it falls back to (nil otherwise). Both score calls on
// studio scenarios against the version each call ran with.
func newScorers(scfg scoring.Config, st *store.Store, rubrics *scoring.Rubrics, catalog scoring.Scenarios,
	versions scoring.Versions) (primary, fallback *scoring.Scorer, err error) {
	judge, name, needsFallback, err := scoring.NewJudge(scfg.Judge, nil)
	if err != nil {
		return nil, nil, err
	}
	primary = scoring.NewScorer(st, rubrics, catalog, judge, name).WithVersions(versions)
	if needsFallback {
		fallback = scoring.NewScorer(st, rubrics, catalog, scoring.Deterministic{}, scoring.JudgeDeterministic).WithVersions(versions)
	}
	return primary, fallback, nil
}

// newWorker builds a scoring worker with its judge fallback and scorecard delivery.
func newWorker(scfg scoring.Config, rdb redis.UniversalClient, st *store.Store, primary, fallback *scoring.Scorer,
	log *slog.Logger) (*scoring.Worker, *scoring.Deliverer, error) {
	d, err := scoring.NewDeliverer(scfg.Delivery, st, nil, log)
	if err != nil {
		return nil, nil, err
	}
	w, err := scoring.NewWorker(rdb, st, primary, scfg, log)
	if err != nil {
		return nil, nil, err
	}
	if fallback != nil {
		w.Fallback = fallback
	}
	w.OnScored = d.Enqueue
	return w, d, nil
}

// runWorker runs w and, beside it, d's deliveries until ctx ends; it returns w's result
// (nil after a normal stop) once both have stopped.
func runWorker(ctx context.Context, w *scoring.Worker, d *scoring.Deliverer) error {
	delivered := make(chan struct{})
	go func() {
		d.Run(ctx) // returns ctx's error: nothing else to report
		close(delivered)
	}()
	err := w.Run(ctx)
	<-delivered
	if errors.Is(err, context.Canceled) {
		err = nil
	}
	return err
}

// loadRubrics reads dir, or the built-in rubrics when dir is empty, and checks each against
// its scenario in catalog: a criterion naming a behaviour the scenario lacks stops here.
func loadRubrics(dir string, catalog scoring.Scenarios) (*scoring.Rubrics, error) {
	var rs *scoring.Rubrics
	var err error
	if dir == "" {
		rs, err = scoring.LoadRubrics(configs.Rubrics, "rubrics")
	} else {
		rs, err = scoring.LoadRubrics(os.DirFS(dir), ".")
	}
	if err != nil {
		return nil, err
	}
	if err := rs.Check(catalog); err != nil {
		return nil, err
	}
	return rs, nil
}

// scoringDeps is what the score, rescore and worker commands share.
type scoringDeps struct {
	rdb    redis.UniversalClient
	st     *store.Store
	scorer *scoring.Scorer
	// fallback scores a call whose judge failed (nil with the deterministic judge).
	fallback *scoring.Scorer
	cards    *scoring.Cards
	// studio holds the console's scenarios and their versions (rescore --version).
	studio *studio.Studio
	close  func()
}

// score scores call id, falling back to the deterministic judge if the configured one fails.
func (d *scoringDeps) score(ctx context.Context, id string) (*scoring.Scorecard, error) {
	return d.scoreAt(ctx, id, 0)
}

// scoreAt scores call id against version n of its studio scenario (0: the call's own), as
// score does.
func (d *scoringDeps) scoreAt(ctx context.Context, id string, n int) (*scoring.Scorecard, error) {
	card, err := d.scorer.ScoreCallAt(ctx, id, n)
	if err != nil && d.fallback != nil && errors.Is(err, scoring.ErrJudge) {
		return scoring.ScoreFallback(ctx, d.fallback.At(n), id, err)
	}
	return card, err
}

func openScoring(ctx context.Context, cfg Config, log *slog.Logger) (*scoringDeps, error) {
	catalog, err := loadScenarios(cfg.ScenarioDir)
	if err != nil {
		return nil, err
	}
	scfg := scoringConfig(cfg)
	rubrics, err := loadRubrics(scfg.RubricDir, catalog)
	if err != nil {
		return nil, err
	}
	rdb, stop, err := openRedis(ctx, cfg, log)
	if err != nil {
		return nil, err
	}
	st, err := store.New(rdb, cfg.Store, log)
	if err == nil {
		err = st.Migrate(ctx)
	}
	if err != nil {
		stop()
		return nil, err
	}
	sdo := newStudio(cfg, rdb, st, catalog, log)
	primary, fallback, err := newScorers(scfg, st, rubrics, catalog, sdo)
	if err != nil {
		stop()
		return nil, err
	}
	return &scoringDeps{rdb: rdb, st: st, cards: scoring.NewCards(rdb, st), close: stop,
		scorer: primary, fallback: fallback, studio: sdo}, nil
}

// loadScoring loads the config at path and opens the scoring dependencies of the score and
// rescore commands, which log warnings only, to stderr.
func loadScoring(ctx context.Context, path string, stderr io.Writer) (*scoringDeps, error) {
	cfg, err := loadConfig(path, os.Getenv)
	if err != nil {
		return nil, err
	}
	return openScoring(ctx, cfg, textLog(stderr, slog.LevelWarn))
}

// startScoring runs a scoring worker on serve's Redis until ctx ends; serve calls it after
// Recover. The returned channel yields Run's result (nil after a normal stop).
func startScoring(ctx context.Context, cfg Config, rdb redis.UniversalClient, st *store.Store,
	catalog *scenario.Catalog, m *metrics.Metrics, log *slog.Logger) (<-chan error, error) {
	scfg := scoringConfig(cfg)
	rubrics, err := loadRubrics(scfg.RubricDir, catalog)
	if err != nil {
		return nil, err
	}
	primary, fallback, err := newScorers(scfg, st, rubrics, catalog, newStudio(cfg, rdb, st, catalog, log))
	if err != nil {
		return nil, err
	}
	w, d, err := newWorker(scfg, rdb, st, primary, fallback, log)
	if err != nil {
		return nil, err
	}
	deliver := w.OnScored
	w.OnScored = func(ctx context.Context, card *scoring.Scorecard) {
		observeScoring(ctx, rdb, st, m, card)
		deliver(ctx, card)
	}
	done := make(chan error, 1)
	go func() { done <- runWorker(ctx, w, d) }()
	return done, nil
}

// observeScoring reports, after each scorecard, how long the call waited to be scored and
// how many sealed calls no worker has taken yet (the scoring group's lag).
func observeScoring(ctx context.Context, rdb redis.UniversalClient, st *store.Store, m *metrics.Metrics, card *scoring.Scorecard) {
	if rec, err := st.Get(ctx, card.CallID); err == nil && !rec.Ended.IsZero() {
		m.ScoringLag(card.ScoredAt.Sub(rec.Ended))
	}
	groups, err := rdb.XInfoGroups(ctx, st.SealedStream()).Result()
	if err != nil {
		return
	}
	for _, g := range groups {
		if g.Name == st.ScoringGroup() && g.Lag >= 0 {
			m.ScoringQueue(int(g.Lag))
		}
	}
}

// scoreCmd prints a call's scorecard, scoring it first if the queue has not yet.
func scoreCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("score", flag.ContinueOnError)
	fs.SetOutput(stderr)
	configPath := fs.String("config", os.Getenv("SPAR_CONFIG"), "YAML config file (env SPAR_CONFIG)")
	asJSON := fs.Bool("json", false, "print the scorecard as JSON")
	file := fs.String("transcript", "", "score this transcript file (JSON or \"Learner: ...\" text) instead of a stored call; needs no Redis")
	scenarioID := fs.String("scenario", "", "with --transcript: the scenario whose rubric scores it (default: the JSON file's \"scenario\")")
	format := fs.String("format", "", "with --transcript: json or text (default: detected)")
	fs.Usage = func() {
		fmt.Fprint(stderr, `Usage:
  spar score [--json] [--config file] CALL_ID
  spar score --transcript FILE --scenario ID [--format json|text] [--json] [--config file]

The first form prints a stored call's scorecard (scoring it now if the queue has not).
The second scores a transcript file with the scenario's rubric, without Redis: use it to
check a rubric change against your own example calls. A text transcript is one line per
turn, times optional:

  [00:03] Customer: I've been charged twice!
  [00:07] Agent: I'm sorry, that's our mistake. Let me fix it now.

A JSON transcript: {"scenario": "double-charge", "lines": [{"speaker": "learner",
"text": "...", "start": 1.5, "end": 3.2}]}. See docs/SCORING.md, "Scoring a transcript file".

Flags:
`)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *file != "" {
		if fs.NArg() != 0 {
			return usageError{"score: --transcript takes no CALL_ID"}
		}
		return scoreTranscript(ctx, *configPath, *file, *scenarioID, *format, *asJSON, stdout)
	}
	if fs.NArg() != 1 {
		return usageError{"score: one CALL_ID expected (or --transcript FILE)"}
	}
	id := fs.Arg(0)
	deps, err := loadScoring(ctx, *configPath, stderr)
	if err != nil {
		return err
	}
	defer deps.close()
	card, err := deps.cards.Get(ctx, id)
	if errors.Is(err, scoring.ErrNotScored) {
		if card, err = deps.score(ctx, id); err == nil {
			_, err = deps.cards.Add(ctx, card)
		}
	}
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(card)
	}
	return scoring.WriteText(stdout, card)
}

// rescoreCmd scores every sealed call of a scenario (or one call) again, after a rubric
// change or against another studio version, and replaces the stored cards, drawing a
// progress bar on stderr.
func rescoreCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("rescore", flag.ContinueOnError)
	fs.SetOutput(stderr)
	configPath := fs.String("config", os.Getenv("SPAR_CONFIG"), "YAML config file (env SPAR_CONFIG)")
	scen := fs.String("scenario", "", "scenario id whose calls are rescored")
	callID := fs.String("call", "", "rescore this one call instead of a scenario's")
	version := fs.Int("version", 0, "score against this studio version of the scenario (its scenario and rubric) instead of each call's own")
	if err := fs.Parse(args); err != nil {
		return err
	}
	switch {
	case (*scen == "") == (*callID == ""):
		return usageError{"rescore: give --scenario ID or --call CALL_ID"}
	case *version < 0:
		return usageError{"rescore: --version is a studio version number, 1 or more"}
	case fs.NArg() != 0:
		return usageError{"rescore: unexpected arguments " + strings.Join(fs.Args(), " ")}
	}
	deps, err := loadScoring(ctx, *configPath, stderr)
	if err != nil {
		return err
	}
	defer deps.close()
	if *callID != "" {
		rec, err := deps.st.Get(ctx, *callID)
		if err != nil {
			return fmt.Errorf("rescore: call %s: %w", *callID, err)
		}
		*scen = rec.Scenario
	}
	if *version > 0 {
		if err := checkVersion(ctx, deps.studio, *scen, *version); err != nil {
			return err
		}
	}
	var ids []string
	until := time.Time{}
	for *callID == "" { // List pages by start time, newest first.
		recs, err := deps.st.List(ctx, store.Query{Scenario: *scen, Until: until, Limit: 1000})
		if err != nil {
			return err
		}
		for _, r := range recs {
			ids = append(ids, r.ID)
		}
		if len(recs) < 1000 {
			break
		}
		until = recs[len(recs)-1].Started
	}
	if *callID != "" {
		ids = []string{*callID}
	}
	bar := progress{w: stderr, total: len(ids)}
	var failed []error
	passed := 0
	for i, id := range ids {
		card, err := deps.scoreAt(ctx, id, *version)
		if err == nil {
			err = deps.cards.Replace(ctx, card)
		}
		if err != nil {
			failed = append(failed, err)
		} else if card.Pass {
			passed++
		}
		bar.draw(i + 1)
	}
	bar.done()
	against := ""
	if *version > 0 {
		against = fmt.Sprintf(" against version %d", *version)
	}
	fmt.Fprintf(stdout, "rescored %d calls of %s%s: %d passed, %d failed to score\n", len(ids)-len(failed), *scen, against, passed, len(failed))
	return errors.Join(failed...)
}

// checkVersion refuses, with what there is instead, a version n of scenario id that the
// studio does not have or that cannot score (lint problems).
func checkVersion(ctx context.Context, sdo *studio.Studio, id string, n int) error {
	v, err := sdo.Get(ctx, id, n)
	switch {
	case err == nil && len(v.Problems) > 0:
		return fmt.Errorf("rescore: %s version %d has %d lint problems (the first: %s): it cannot score; save a fixed version in the studio",
			id, n, len(v.Problems), v.Problems[0])
	case err == nil:
		return nil
	case !errors.Is(err, studio.ErrNotFound):
		return fmt.Errorf("rescore: %w", err)
	case sdo.IsFile(id):
		return fmt.Errorf("rescore: %s is a built-in or directory scenario: it has no studio versions (drop --version)", id)
	}
	e, eerr := sdo.Entry(ctx, id)
	if eerr != nil {
		return fmt.Errorf("rescore: no studio scenario %q, so no version %d", id, n)
	}
	return fmt.Errorf("rescore: scenario %s has no version %d (its versions are 1 to %d)", id, n, e.Latest)
}

// progress draws "[#####.....] 12/40" on one terminal line.
type progress struct {
	w     io.Writer
	total int
}

func (p progress) draw(n int) {
	const width = 30
	filled := width
	if p.total > 0 {
		filled = width * n / p.total
	}
	fmt.Fprintf(p.w, "\r[%s%s] %d/%d", strings.Repeat("#", filled), strings.Repeat(".", width-filled), n, p.total)
}

func (p progress) done() { fmt.Fprintln(p.w) }

// scoreTranscript scores a transcript file with the rubric of scenario id (or the file's
// own) and the configured judge, falling back to the deterministic one if an LLM judge fails.
func scoreTranscript(ctx context.Context, configPath, path, id, format string, asJSON bool, stdout io.Writer) error {
	cfg, err := loadConfig(configPath, os.Getenv)
	if err != nil {
		return err
	}
	catalog, err := loadScenarios(cfg.ScenarioDir)
	if err != nil {
		return err
	}
	scfg := scoringConfig(cfg)
	rubrics, err := loadRubrics(scfg.RubricDir, catalog)
	if err != nil {
		return err
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	tf, err := scoring.ReadTranscriptFormat(f, format)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	id = cmp.Or(id, tf.Scenario)
	sc, ok := catalog.Get(id)
	if !ok {
		var known []string
		for _, s := range catalog.List() {
			known = append(known, s.ID)
		}
		if id == "" {
			return usageError{"score: which scenario? give --scenario (one of " + strings.Join(known, ", ") + ")"}
		}
		return fmt.Errorf("score: no scenario %q (known: %s)", id, strings.Join(known, ", "))
	}
	rubric, err := rubrics.Get(id)
	if err != nil {
		return err
	}
	judge, name, needsFallback, err := scoring.NewJudge(scfg.Judge, nil)
	if err != nil {
		return err
	}
	call := tf.Call(strings.TrimSuffix(filepath.Base(path), filepath.Ext(path)), sc, rubric)
	card, err := scoring.Score(ctx, judge, name, call, time.Now())
	if err != nil && needsFallback && errors.Is(err, scoring.ErrJudge) {
		fmt.Fprintf(os.Stderr, "spar score: the judge failed (%v); scoring with the offline rules\n", err)
		if card, err = scoring.Score(ctx, scoring.Deterministic{}, scoring.JudgeDeterministic, call, time.Now()); err == nil {
			card.AddFlag(scoring.FlagJudgeFallback)
		}
	}
	if err != nil {
		return err
	}
	tf.Annotate(card)
	if asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(card)
	}
	return scoring.WriteText(stdout, card)
}
