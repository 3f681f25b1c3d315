package main

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"os/exec"
	"slices"
	"strings"
)

// doctorProviders checks each provider a scenario uses, once, saying which scenarios use
// it. When the scenarios cannot be read it checks the defaults; a scenario naming a provider
// the config lacks is a failed "scenarios" check, as it would stop serve.
func doctorProviders(cfg Config) []doctorCheck {
	p := cfg.Providers
	roles := []string{rolePersona, roleSTT, roleTTS}
	uses := map[string]map[string][]string{} // role -> name -> scenario ids
	for _, r := range roles {
		uses[r] = map[string][]string{}
	}
	var checks []doctorCheck
	catalog, err := loadScenarios(cfg.ScenarioDir)
	if err == nil {
		err = checkScenarioProviders(p, catalog, cfg.ScenarioDir)
	}
	if err != nil {
		checks = append(checks, doctorCheck{name: "scenarios", run: func(context.Context) (string, string, error) {
			return "", "fix the scenario files (spar scenario lint) or add what they name to providers: in the config", err
		}})
		for _, r := range roles {
			uses[r][p.defaultOf(r)] = nil
		}
	} else {
		list := catalog.List()
		checks = append(checks, doctorCheck{name: "scenarios", run: func(context.Context) (string, string, error) {
			return fmt.Sprintf("%d scenario(s) from %s; every provider they name is configured", len(list), doctorOr(cfg.ScenarioDir, "the built-in set")), "", nil
		}})
		for _, sc := range list {
			for _, r := range roles {
				n := cmp.Or(sc.Providers.Get(r), p.defaultOf(r))
				uses[r][n] = append(uses[r][n], sc.ID)
			}
		}
	}
	for _, r := range roles {
		def := p.defaultOf(r)
		names := slices.Sorted(maps.Keys(uses[r]))
		// The default first: it is what most scenarios run on.
		slices.SortStableFunc(names, func(a, b string) int { return boolCmp(b == def, a == def) })
		for _, n := range names {
			spec, err := p.lookup(r, n)
			if err != nil {
				continue // reported by the scenarios (or config) check
			}
			used := strings.Join(uses[r][n], ", ")
			if n == def {
				used = strings.TrimSuffix("server default; "+used, "; ")
			}
			checks = append(checks, doctorCheck{name: r + " " + n, usedBy: used, run: doctorProvider(cfg, spec)})
		}
	}
	return checks
}

func boolCmp(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}

// doctorProvider checks one provider with its settings as serve would run them: the
// defaults are each package's (Config.WithDefaults), and keys come from the environment.
func doctorProvider(cfg Config, s providerSpec) func(ctx context.Context) (string, string, error) {
	return func(ctx context.Context) (string, string, error) {
		switch s.Type {
		case "llm":
			c := s.LLM.WithDefaults()
			return doctorModels(ctx, "LLM", c.BaseURL, c.Model, c.APIKey, c.APIKeyEnv)
		case "whisper":
			c := s.Whisper.WithDefaults()
			return doctorModels(ctx, "Whisper", c.BaseURL, c.Model, c.APIKey, c.APIKeyEnv)
		case "openai":
			c := s.OpenAITTS.WithDefaults()
			return doctorModels(ctx, "TTS", c.BaseURL, c.Model, c.APIKey, c.APIKeyEnv)
		case "deepgram":
			return doctorDeepgram(ctx, s.Deepgram.WithDefaults())
		case "elevenlabs":
			return doctorEleven(ctx, s.ElevenLabs.WithDefaults())
		case "sphinx":
			return doctorFile(cfg.STT.WithDefaults().ModelDir, "apt-get install pocketsphinx-en-us libpocketsphinx-dev, then make build")
		case "flite":
			bin := cfg.TTS.WithDefaults().Flite
			path, err := exec.LookPath(bin)
			if err != nil {
				return "", "apt-get install flite", err
			}
			return path + " found", "", nil
		}
		return "built in, nothing to check", "", nil
	}
}
