package studio

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// ScenarioFields are the scenario keys the editor's form shows; everything else is edited in
// the YAML beside it.
var ScenarioFields = []string{"id", "title", "difficulty", "situation", "learner_goal",
	"persona.name", "persona.voice", "persona.backstory", "persona.goal", "persona.start_mood"}

// numeric fields are written as YAML numbers, the others as strings.
var numeric = map[string]bool{"persona.start_mood": true, "pass_mark": true}

// Fields returns the form's fields: ScenarioFields from scen, and from rub "scenario",
// "pass_mark" and "criteria[i].name" / "criteria[i].weight" for each criterion. Missing keys
// are absent; n is the number of criteria.
func Fields(scen, rub []byte) (f map[string]string, n int) {
	f = map[string]string{}
	if root := rootOf(scen); root != nil {
		for _, k := range ScenarioFields {
			if v := nodeAt(root, k); v != nil && v.Kind == yaml.ScalarNode {
				f[k] = v.Value
			}
		}
	}
	root := rootOf(rub)
	if root == nil {
		return f, 0
	}
	for _, k := range []string{"scenario", "pass_mark"} {
		if v := nodeAt(root, k); v != nil && v.Kind == yaml.ScalarNode {
			f[k] = v.Value
		}
	}
	crit := nodeAt(root, "criteria")
	if crit == nil || crit.Kind != yaml.SequenceNode {
		return f, 0
	}
	for i := range crit.Content {
		for _, k := range []string{"name", "weight"} {
			name := fmt.Sprintf("criteria[%d].%s", i, k)
			if v := nodeAt(root, name); v != nil && v.Kind == yaml.ScalarNode {
				f[name] = v.Value
			}
		}
	}
	return f, len(crit.Content)
}

// SetFields returns data with the fields (paths as Fields names them) set. Unchanged
// values leave data byte for byte as it was; a change re-encodes the document (comments are
// kept, layout becomes two-space YAML). A field whose parent is missing is created, except
// inside a sequence.
func SetFields(data []byte, fields map[string]string) ([]byte, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("the YAML does not parse, so the form cannot change it: %w", err)
	}
	if len(doc.Content) == 0 {
		doc = yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{{Kind: yaml.MappingNode}}}
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("the YAML is not a mapping of keys")
	}
	changed := false
	for field, value := range fields {
		n, err := ensure(root, field)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", field, err)
		}
		if n.Kind == yaml.ScalarNode && n.Value == value {
			continue
		}
		changed = true
		*n = yaml.Node{Kind: yaml.ScalarNode, Value: value, Tag: "!!str",
			HeadComment: n.HeadComment, LineComment: n.LineComment, FootComment: n.FootComment}
		if numeric[field] || strings.HasSuffix(field, ".weight") {
			n.Tag = "" // resolved on encoding: a number stays a number
		} else if strings.Contains(strings.TrimRight(value, "\n"), "\n") {
			n.Style = yaml.LiteralStyle
		}
	}
	if !changed {
		return data, nil
	}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return nil, err
	}
	return buf.Bytes(), enc.Close()
}

// pathOf splits "criteria[1].weight" into "criteria", 1, "weight".
func pathOf(field string) []any {
	var out []any
	for _, part := range strings.Split(field, ".") {
		name, idx, hasIdx := strings.Cut(part, "[")
		out = append(out, name)
		if hasIdx {
			i, err := strconv.Atoi(strings.TrimSuffix(idx, "]"))
			if err != nil {
				i = -1
			}
			out = append(out, i)
		}
	}
	return out
}

// nodeAt returns the node at field, or nil.
func nodeAt(root *yaml.Node, field string) *yaml.Node {
	if field == "" {
		return nil
	}
	n := root
	for _, el := range pathOf(field) {
		switch e := el.(type) {
		case string:
			if n.Kind != yaml.MappingNode {
				return nil
			}
			var next *yaml.Node
			for i := 0; i+1 < len(n.Content); i += 2 {
				if n.Content[i].Value == e {
					next = n.Content[i+1]
				}
			}
			if next == nil {
				return nil
			}
			n = next
		case int:
			if n.Kind != yaml.SequenceNode || e < 0 || e >= len(n.Content) {
				return nil
			}
			n = n.Content[e]
		}
	}
	return n
}

// ensure returns the node at field, adding missing mapping keys.
func ensure(root *yaml.Node, field string) (*yaml.Node, error) {
	n := root
	path := pathOf(field)
	for i, el := range path {
		switch e := el.(type) {
		case string:
			if n.Kind != yaml.MappingNode {
				return nil, errNoField
			}
			var next *yaml.Node
			for j := 0; j+1 < len(n.Content); j += 2 {
				if n.Content[j].Value == e {
					next = n.Content[j+1]
				}
			}
			if next == nil {
				next = &yaml.Node{Kind: yaml.ScalarNode}
				if i+1 < len(path) {
					next = &yaml.Node{Kind: yaml.MappingNode}
				}
				n.Content = append(n.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: e}, next)
			}
			n = next
		case int:
			if n.Kind != yaml.SequenceNode || e < 0 || e >= len(n.Content) {
				return nil, errNoField
			}
			n = n.Content[e]
		}
	}
	return n, nil
}

// FieldAt names the field of the node at line and col (col 0: the first node on the line),
// as "persona.start_mood" or "criteria[1].weight"; "" when none is there.
func FieldAt(root *yaml.Node, line, col int) string {
	if root == nil {
		return ""
	}
	best := ""
	var walk func(n *yaml.Node, path string) bool
	at := func(n *yaml.Node) bool { return n.Line == line && (col == 0 || n.Column == col) }
	walk = func(n *yaml.Node, path string) bool {
		switch n.Kind {
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				p := n.Content[i].Value
				if path != "" {
					p = path + "." + p
				}
				if at(n.Content[i]) || (at(n.Content[i+1]) && n.Content[i+1].Kind == yaml.ScalarNode) {
					best = p
					return true
				}
				if walk(n.Content[i+1], p) {
					return true
				}
			}
		case yaml.SequenceNode:
			for i, c := range n.Content {
				p := fmt.Sprintf("%s[%d]", path, i)
				if c.Kind == yaml.ScalarNode && at(c) {
					best = p
					return true
				}
				if walk(c, p) {
					return true
				}
			}
		}
		if at(n) && best == "" {
			best = path
			return true
		}
		return false
	}
	walk(root, "")
	return best
}
