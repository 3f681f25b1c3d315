package scenario

import (
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"
)

// Lint checks scenario files and returns every problem found, each at the line of the
// offending node: YAML syntax, unknown keys, missing fields, bad durations, unknown voices,
// references to unknown stages, behaviours or mood bands, behaviours with no phrases,
// unreachable stages, lines unfit for speech, and ids used by two files. A path naming a
// directory lints its *.yaml files.
func Lint(fsys fs.FS, paths ...string) []Problem { return Linter{}.Lint(fsys, paths...) }

// Linter lints scenario files for one server. The zero Linter checks the files alone.
type Linter struct {
	// Providers, when set, also checks each provider a scenario names (see CheckProviders):
	// `spar scenario lint --config` passes one that knows the server's config.
	Providers func(p Providers, key string) error
}

// Lint is Lint with the Linter's extra checks.
func (l Linter) Lint(fsys fs.FS, paths ...string) []Problem {
	var out []Problem
	ids := map[string]string{} // id -> first file
	for _, name := range expand(fsys, paths, &out) {
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			out = append(out, Problem{File: name, Line: 1, Col: 1, Msg: fmt.Sprintf("read: %v", err)})
			continue
		}
		probs := l.lintFile(name, data, ids)
		ps := &problems{list: probs}
		out = append(out, ps.sorted()...)
	}
	return out
}

// LintFile lints one file held in memory (a scenario being edited in the console), with
// the same checks as Lint.
func (l Linter) LintFile(name string, data []byte) []Problem {
	ps := &problems{list: l.lintFile(name, data, map[string]string{})}
	return ps.sorted()
}

// lintFile returns the problems of one file, unsorted; ids maps each id seen to its file.
func (l Linter) lintFile(name string, data []byte, ids map[string]string) []Problem {
	s, probs := parse(name, data)
	if s != nil {
		// A node already reported as unreadable would only repeat as a semantic problem
		// (a number that is not a number is also out of range).
		bad := map[[2]int]bool{}
		for _, p := range probs {
			bad[[2]int{p.Line, p.Col}] = true
		}
		more := s.check()
		if l.Providers != nil {
			more = append(more, s.CheckProviders(l.Providers)...)
		}
		for _, p := range more {
			if !bad[[2]int{p.Line, p.Col}] {
				probs = append(probs, p)
			}
		}
		if first, dup := ids[s.ID]; dup && s.ID != "" {
			ps := &problems{file: name, root: s.src.root}
			ps.at([]any{"id"}, "id %q is already used by %s", s.ID, first)
			probs = append(probs, ps.list...)
		} else if s.ID != "" {
			ids[s.ID] = name
		}
	}
	return probs
}

// expand lists the files to lint: files as given, directories as their *.yaml files.
func expand(fsys fs.FS, paths []string, out *[]Problem) []string {
	var files []string
	for _, p := range paths {
		fi, err := fs.Stat(fsys, p)
		if err != nil {
			*out = append(*out, Problem{File: p, Line: 1, Col: 1, Msg: fmt.Sprintf("read: %v", err)})
			continue
		}
		if !fi.IsDir() {
			files = append(files, p)
			continue
		}
		entries, err := fs.ReadDir(fsys, p)
		if err != nil {
			*out = append(*out, Problem{File: p, Line: 1, Col: 1, Msg: fmt.Sprintf("read: %v", err)})
			continue
		}
		for _, e := range entries {
			if !e.IsDir() && isYAML(e.Name()) {
				files = append(files, path.Join(p, e.Name()))
			}
		}
	}
	slices.Sort(files)
	return slices.Compact(files)
}

func isYAML(name string) bool {
	return strings.HasSuffix(name, ".yaml") || strings.HasSuffix(name, ".yml")
}
