package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"text/tabwriter"

	"github.com/sparlab/spar/configs"
	"github.com/sparlab/spar/dialog"
	"github.com/sparlab/spar/dialog/scenario"
)

// loadScenarios reads dir, or the built-in scenarios when dir is empty.
func loadScenarios(dir string) (*scenario.Catalog, error) {
	if dir == "" {
		return scenario.Load(configs.Scenarios, "scenarios")
	}
	c, err := scenario.Load(os.DirFS(dir), ".")
	if err != nil {
		return nil, fmt.Errorf("scenarios in %s: %w", dir, err)
	}
	return c, nil
}

// turnsOf maps a scenario's turn-taking settings onto the engine's.
func turnsOf(sc *scenario.Scenario) dialog.Turns {
	t := sc.Turns
	return dialog.Turns{
		EndSilence:         t.EndSilence,
		EndSilenceComplete: min(t.EndSilenceDone, t.EndSilence),
		ResumeWithin:       t.ResumeWithin,
		MinBargeIn:         t.MinBargeIn,
		Backchannels:       t.Backchannels,
		SilenceTimeout:     t.SilenceTimeout,
		MaxDuration:        t.MaxDuration,
		PersonaBargeIn:     t.PersonaBargeIn.Enabled,
		AfterTalk:          t.PersonaBargeIn.AfterTalk,
		Triggers:           t.PersonaBargeIn.Triggers,
	}
}

func scenarioCmd(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stdout, `Usage:
  spar scenario lint [--config spar.yaml] [file.yaml | dir ...]
                                             check scenario files; no arguments: the built-in ones
  spar scenario list [--dir dir]             list scenarios (built-in unless --dir or SPAR_SCENARIO_DIR)

lint prints one problem per line as file:line:col: message and exits 1 if there are any.
With --config (or SPAR_CONFIG) it also checks that the server has every provider a
scenario names (providers: persona, stt, tts, voice), as spar serve does at start-up.
`)
		return nil
	}
	switch args[0] {
	case "lint":
		return lintCmd(args[1:], stdout, stderr)
	case "list":
		fs := flag.NewFlagSet("scenario list", flag.ContinueOnError)
		fs.SetOutput(stderr)
		dir := fs.String("dir", os.Getenv("SPAR_SCENARIO_DIR"), "scenario directory (default: built-in)")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		c, err := loadScenarios(*dir)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tTITLE\tCATEGORY\tDIFFICULTY\tPERSONA")
		for _, sc := range c.List() {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", sc.ID, sc.Title, sc.Category, sc.Difficulty, sc.Persona.Name)
		}
		return tw.Flush()
	}
	return usageError{fmt.Sprintf("unknown scenario command %q (want lint or list)", args[0])}
}

// errLint makes the exit status 1 after the problems were printed.
var errLint = errors.New("scenario lint found problems")

func lintCmd(args []string, stdout, stderr io.Writer) error {
	flags := flag.NewFlagSet("scenario lint", flag.ContinueOnError)
	flags.SetOutput(stderr)
	configPath := flags.String("config", os.Getenv("SPAR_CONFIG"), "server config whose providers the scenarios may name (env SPAR_CONFIG); none: not checked")
	if err := flags.Parse(args); err != nil {
		return err
	}
	args = flags.Args()
	var linter scenario.Linter
	if *configPath != "" {
		cfg, err := loadConfig(*configPath, os.Getenv)
		if err != nil {
			return err
		}
		linter.Providers = cfg.Providers.checkScenario()
	}
	var problems []scenario.Problem
	files := 0
	if len(args) == 0 {
		paths, err := fs.Glob(configs.Scenarios, "scenarios/*.yaml")
		if err != nil {
			return err
		}
		files = len(paths)
		problems = linter.Lint(configs.Scenarios, paths...)
	}
	for _, arg := range args {
		paths, err := yamlFiles(arg)
		if err != nil {
			return err
		}
		files += len(paths)
		for _, p := range paths {
			dir, name := filepath.Split(p)
			if dir == "" {
				dir = "."
			}
			for _, pr := range linter.Lint(os.DirFS(dir), name) {
				pr.File = filepath.Join(dir, pr.File)
				problems = append(problems, pr)
			}
		}
	}
	for _, p := range problems {
		fmt.Fprintln(stdout, p.String())
	}
	if len(problems) > 0 {
		fmt.Fprintf(stderr, "%d problem(s) in %d file(s)\n", len(problems), files)
		return errLint
	}
	fmt.Fprintf(stderr, "%d file(s) OK\n", files)
	return nil
}

// yamlFiles expands a directory argument into its YAML files.
func yamlFiles(arg string) ([]string, error) {
	st, err := os.Stat(arg)
	if err != nil {
		return nil, err
	}
	if !st.IsDir() {
		return []string{arg}, nil
	}
	var out []string
	for _, pat := range []string{"*.yaml", "*.yml"} {
		m, _ := filepath.Glob(filepath.Join(arg, pat))
		out = append(out, m...)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no .yaml files", arg)
	}
	return out, nil
}
