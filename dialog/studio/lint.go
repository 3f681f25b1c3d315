package studio

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/sparlab/spar/dialog/scenario"
)

// Documents a Problem can be in.
const (
	DocScenario = "scenario"
	DocRubric   = "rubric"
)

// Problem is one lint finding, located by field as well as by line so the editor can mark
// the form field or the YAML line.
type Problem struct {
	Doc   string `json:"doc"`   // DocScenario or DocRubric
	Field string `json:"field"` // e.g. "persona.start_mood", "criteria[1].weight"; "" for the file
	Line  int    `json:"line"`
	Col   int    `json:"col"`
	Msg   string `json:"msg"`
}

func (p Problem) String() string {
	if p.Field == "" {
		return fmt.Sprintf("%s:%d:%d: %s", p.Doc, p.Line, p.Col, p.Msg)
	}
	return fmt.Sprintf("%s %s (%d:%d): %s", p.Doc, p.Field, p.Line, p.Col, p.Msg)
}

// Linter checks a studio scenario and its rubric: the scenario with exactly the checks of
// `spar scenario lint`, the rubric with Rubric.
type Linter struct {
	Scenario scenario.Linter
	// Rubric checks the rubric against its scenario (scoring's rules, wired by cmd); nil
	// checks only that it is YAML naming the scenario.
	Rubric func(sc *scenario.Scenario, rubric []byte) error
}

// Lint returns the problems of scenario id's two files, in file order.
func (l Linter) Lint(id string, scen, rub []byte) []Problem {
	var out []Problem
	root := rootOf(scen)
	for _, p := range l.Scenario.LintFile(id+".yaml", scen) {
		out = append(out, Problem{Doc: DocScenario, Field: FieldAt(root, p.Line, p.Col), Line: p.Line, Col: p.Col, Msg: p.Msg})
	}
	if f, _ := Fields(scen, nil); root != nil && f["id"] != id {
		n := nodeOf(root, "id")
		out = append(out, Problem{Doc: DocScenario, Field: "id", Line: n.Line, Col: n.Column,
			Msg: fmt.Sprintf("id is %q; this scenario's id is %q (duplicate it to make another)", f["id"], id)})
	}
	return append(out, l.lintRubric(id, scen, rub)...)
}

var (
	rubricLineRE  = regexp.MustCompile(`line (\d+)`)
	rubricFieldRE = regexp.MustCompile(`^(criteria\[\d+\])[^:]*: (\w+)`)
)

func (l Linter) lintRubric(id string, scen, rub []byte) []Problem {
	root := rootOf(rub)
	if root == nil {
		msg := "the rubric is empty: it needs scenario, pass_mark and criteria"
		if err := yaml.Unmarshal(rub, new(yaml.Node)); err != nil {
			msg = err.Error()
		}
		return []Problem{{Doc: DocRubric, Line: 1, Col: 1, Msg: msg}}
	}
	var out []Problem
	if f, _ := Fields(nil, rub); f["scenario"] != id {
		n := nodeOf(root, "scenario")
		out = append(out, Problem{Doc: DocRubric, Field: "scenario", Line: n.Line, Col: n.Column,
			Msg: fmt.Sprintf("scenario is %q; it must be this scenario's id %q", f["scenario"], id)})
	}
	if l.Rubric == nil {
		return out
	}
	sc, err := scenario.Parse(id+".yaml", scen)
	if err != nil {
		return out // the scenario's own problems are reported; its rubric waits for it
	}
	err = l.Rubric(sc, rub)
	if err == nil {
		return out
	}
	for _, line := range strings.Split(err.Error(), "\n") {
		out = append(out, rubricProblem(root, line))
	}
	return out
}

// rubricProblem places one line of the rubric checker's error at its field.
func rubricProblem(root *yaml.Node, msg string) Problem {
	p := Problem{Doc: DocRubric, Line: root.Line, Col: root.Column, Msg: msg}
	// Drop the "scoring: invalid rubric: name: " lead-in the trainer does not need.
	if i := strings.Index(msg, ".yaml: "); i >= 0 {
		p.Msg = msg[i+len(".yaml: "):]
	}
	if m := rubricLineRE.FindStringSubmatch(p.Msg); m != nil {
		p.Line, _ = strconv.Atoi(m[1])
		p.Col = 1
		p.Field = FieldAt(root, p.Line, 0)
		return p
	}
	if m := rubricFieldRE.FindStringSubmatch(p.Msg); m != nil {
		field := m[1] + "." + m[2]
		if m[2] == "id" || m[2] == "no" || m[2] == "nothing" || m[2] == "duplicate" {
			field = m[1]
		}
		p.Field = field
	} else {
		for _, k := range []string{"pass_mark", "criteria", "scenario"} {
			if strings.HasPrefix(p.Msg, k) || strings.HasPrefix(p.Msg, "no "+k) {
				p.Field = k
			}
		}
	}
	if n := nodeAt(root, p.Field); n != nil {
		p.Line, p.Col = n.Line, n.Column
	}
	return p
}

// rootOf returns the top mapping of a YAML document, or nil.
func rootOf(data []byte) *yaml.Node {
	var doc yaml.Node
	if yaml.Unmarshal(data, &doc) != nil || len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return nil
	}
	return doc.Content[0]
}

// nodeOf returns the value of key in mapping m, or m itself when it is absent.
func nodeOf(m *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return m
}

var errNoField = errors.New("no such field")
