package scenario

import (
	"cmp"
	"fmt"
	"slices"

	"gopkg.in/yaml.v3"
)

// Problem is one thing wrong with a scenario file, at the line of the offending node.
type Problem struct {
	File      string
	Line, Col int
	Msg       string
}

// String returns "file:line:col: msg", the form editors jump to.
func (p Problem) String() string { return fmt.Sprintf("%s:%d:%d: %s", p.File, p.Line, p.Col, p.Msg) }

// Error makes a Problem usable as an error.
func (p Problem) Error() string { return p.String() }

// key in a path points at a mapping key node itself (not its value).
type key string

// problems collects Problems of one file, locating them by a path of mapping keys (string or
// key) and sequence indexes (int) from the document's top mapping.
type problems struct {
	file string
	root *yaml.Node
	list []Problem
}

func (ps *problems) add(n *yaml.Node, format string, args ...any) {
	line, col := 1, 1
	if n != nil {
		line, col = n.Line, n.Column
	}
	ps.list = append(ps.list, Problem{File: ps.file, Line: line, Col: col, Msg: fmt.Sprintf(format, args...)})
}

// at records a problem at the node the path leads to, or at the deepest node that exists
// (the parent mapping of a missing key).
func (ps *problems) at(path []any, format string, args ...any) {
	ps.add(locate(ps.root, path), format, args...)
}

func (ps *problems) sorted() []Problem {
	slices.SortStableFunc(ps.list, func(a, b Problem) int {
		return cmp.Or(cmp.Compare(a.Line, b.Line), cmp.Compare(a.Col, b.Col))
	})
	return ps.list
}

func locate(root *yaml.Node, path []any) *yaml.Node {
	n, _ := find(root, path)
	return n
}

// find follows path from root; exact is false when it stopped early.
func find(root *yaml.Node, path []any) (n *yaml.Node, exact bool) {
	n = root
	for _, el := range path {
		if n == nil {
			return nil, false
		}
		var next *yaml.Node
		switch e := el.(type) {
		case string:
			if k := mapKey(n, e); k != nil {
				next = mapValueOf(n, k)
			}
		case key:
			next = mapKey(n, string(e))
		case int:
			if n.Kind == yaml.SequenceNode && e >= 0 && e < len(n.Content) {
				next = n.Content[e]
			}
		}
		if next == nil {
			return n, false
		}
		n = next
	}
	return n, true
}

func mapKey(n *yaml.Node, name string) *yaml.Node {
	if n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == name {
			return n.Content[i]
		}
	}
	return nil
}

func mapValueOf(n, k *yaml.Node) *yaml.Node {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i] == k {
			return n.Content[i+1]
		}
	}
	return nil
}

// mapKeys returns the keys of the mapping at path, in file order.
func mapKeys(root *yaml.Node, path ...any) []string {
	n, exact := find(root, path)
	if n == nil || !exact || n.Kind != yaml.MappingNode {
		return nil
	}
	var out []string
	for i := 0; i+1 < len(n.Content); i += 2 {
		out = append(out, n.Content[i].Value)
	}
	return out
}
