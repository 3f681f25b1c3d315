package main

import (
	"context"
	"fmt"
	"io/fs"
	"log/slog"
	"os"

	"github.com/redis/go-redis/v9"

	"github.com/sparlab/spar/configs"
	"github.com/sparlab/spar/dialog/llm"
	"github.com/sparlab/spar/dialog/scenario"
	"github.com/sparlab/spar/dialog/store"
	"github.com/sparlab/spar/dialog/studio"
	"github.com/sparlab/spar/dialog/studio/draft"
	"github.com/sparlab/spar/media"
	"github.com/sparlab/spar/scoring"
	"github.com/sparlab/spar/web/console"
)

// newStudio returns the console's scenario studio: files are the read-only scenarios the
// server loaded (their YAML is read again to duplicate them), lint is `spar scenario lint`
// with this server's providers plus scoring's rubric rules.
func newStudio(cfg Config, rdb redis.UniversalClient, st *store.Store, files *scenario.Catalog, log *slog.Logger) *studio.Studio {
	src := fileSource{catalog: files, scenarios: configs.Scenarios, rubrics: configs.Rubrics, rubricDir: "rubrics"}
	if cfg.ScenarioDir != "" {
		src.scenarios = os.DirFS(cfg.ScenarioDir)
	}
	if dir := cfg.Scoring.RubricDir; dir != "" {
		src.rubrics, src.rubricDir = os.DirFS(dir), "."
	}
	lint := studio.Linter{
		Scenario: scenario.Linter{Providers: cfg.Providers.checkScenario()},
		Rubric:   checkRubric,
	}
	return studio.New(rdb, st.StudioKeys(), src, lint, nil, log)
}

// checkRubric applies scoring's rules to a studio rubric.
func checkRubric(sc *scenario.Scenario, data []byte) error {
	r, err := scoring.ParseRubric(sc.ID+".yaml", data)
	if err != nil {
		return err
	}
	return r.CheckScenario(sc)
}

// fileSource reads the YAML of the scenarios loaded from files, and their rubrics.
type fileSource struct {
	catalog   *scenario.Catalog
	scenarios fs.FS
	rubrics   fs.FS
	rubricDir string
}

func (f fileSource) Source(id string) (scen, rub []byte, ok bool) {
	sc, ok := f.catalog.Get(id)
	if !ok {
		return nil, nil, false
	}
	scen, err := fs.ReadFile(f.scenarios, sc.File())
	if err != nil {
		return nil, nil, false
	}
	rub, _ = fs.ReadFile(f.rubrics, f.rubricDir+"/"+id+".yaml") // no rubric: the copy's lint asks for one
	return scen, rub, true
}

// newDrafter is the studio's "Draft from your material": the LLM drafter when an LLM is
// configured (providers.llm, the persona's OpenAI-compatible server), linted by lint;
// otherwise nil, which leaves the console its offline drafter.
func newDrafter(cfg Config, lint draft.Linter, log *slog.Logger) (console.Drafter, error) {
	if cfg.Providers.LLM == nil {
		return nil, nil
	}
	c, err := llm.NewClient(*cfg.Providers.LLM, nil)
	if err != nil {
		return nil, fmt.Errorf("studio drafter: %w", err)
	}
	return draft.NewLLM(c, lint, log.With("component", "draft")), nil
}

// voicePreview is the studio editor's "hear it": a sample line through the TTS the
// scenario's calls would use (its providers block, else the server's default).
type voicePreview struct{ prov *scenarioProviders }

func (v voicePreview) Speak(ctx context.Context, sc *scenario.Scenario, voice, text string, w media.Writer) error {
	cp, err := v.prov.of(sc)
	if err != nil {
		return err
	}
	return cp.tts.Synthesize(ctx, text, voice, w)
}
