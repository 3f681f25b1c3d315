package scenario

import (
	"fmt"
	"reflect"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// checkSchema walks the document against the Go types of file (their yaml tags are the
// schema) and reports unknown keys, duplicate keys and values of the wrong shape, each at its
// node. It is what a strict decoder (yaml KnownFields) does, but it finds every problem, not
// the first, and speaks in the file's terms rather than Go's.
func checkSchema(ps *problems, n *yaml.Node, t reflect.Type, where string) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if n.Kind == yaml.AliasNode {
		ps.add(n, "%s: aliases are not supported", where)
		return
	}
	if n.Tag == "!!null" {
		return // "key:" with nothing: unset
	}
	switch t.Kind() {
	case reflect.Struct:
		if !expect(ps, n, yaml.MappingNode, where, "a mapping") {
			return
		}
		fields := map[string]reflect.Type{}
		var names []string
		for i := range t.NumField() {
			f := t.Field(i)
			if tag := strings.Split(f.Tag.Get("yaml"), ",")[0]; tag != "" && tag != "-" {
				fields[tag] = f.Type
				names = append(names, tag)
			}
		}
		eachPair(ps, n, where, func(k, v *yaml.Node) {
			ft, ok := fields[k.Value]
			if !ok {
				ps.add(k, "unknown key %q in %s (known: %s)", k.Value, where, strings.Join(names, ", "))
				return
			}
			checkSchema(ps, v, ft, child(where, k.Value))
		})
	case reflect.Map:
		if !expect(ps, n, yaml.MappingNode, where, "a mapping") {
			return
		}
		eachPair(ps, n, where, func(k, v *yaml.Node) { checkSchema(ps, v, t.Elem(), child(where, k.Value)) })
	case reflect.Slice:
		if !expect(ps, n, yaml.SequenceNode, where, "a list") {
			return
		}
		for i, c := range n.Content {
			checkSchema(ps, c, t.Elem(), fmt.Sprintf("%s[%d]", where, i))
		}
	case reflect.String:
		expect(ps, n, yaml.ScalarNode, where, "a text value")
	case reflect.Int:
		if expect(ps, n, yaml.ScalarNode, where, "a whole number") && n.Tag != "!!int" {
			ps.add(n, "%s: %q is not a whole number", where, n.Value)
		}
	case reflect.Float64:
		if expect(ps, n, yaml.ScalarNode, where, "a number") && n.Tag != "!!int" && n.Tag != "!!float" {
			ps.add(n, "%s: %q is not a number", where, n.Value)
		}
	case reflect.Bool:
		if expect(ps, n, yaml.ScalarNode, where, "true or false") && n.Tag != "!!bool" {
			ps.add(n, "%s: %q is not true or false", where, n.Value)
		}
	}
}

// child names a key under where, as a reader of the file would: persona.name.
func child(where, k string) string {
	if where == "scenario" {
		return k
	}
	return where + "." + k
}

func expect(ps *problems, n *yaml.Node, kind yaml.Kind, where, what string) bool {
	if n.Kind == kind {
		return true
	}
	ps.add(n, "%s: expected %s", where, what)
	return false
}

// eachPair visits the pairs of a mapping, reporting keys defined twice.
func eachPair(ps *problems, n *yaml.Node, where string, visit func(k, v *yaml.Node)) {
	var seen []*yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if j := slices.IndexFunc(seen, func(s *yaml.Node) bool { return s.Value == k.Value }); j >= 0 {
			ps.add(k, "%s: key %q already defined at line %d", where, k.Value, seen[j].Line)
			continue
		}
		seen = append(seen, k)
		visit(k, v)
	}
}
