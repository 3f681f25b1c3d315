package studio

import (
	"bytes"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// The form's lists: objections, behaviours, stages and the rubric's criteria, one row per
// element. A row's columns are the keys the form edits; every other key of the element (a
// stage's skip, a criterion's max) stays as it was, because a row carries the index
// of the element it came from.

// Column kinds: how a form value is read from and written to YAML.
const (
	KindText   = "text"   // a string
	KindNumber = "number" // a number
	KindBool   = "bool"   // "true" or ""
	KindLines  = "lines"  // a list of strings, one a line
	KindWords  = "words"  // a list of names, comma-separated
	KindChoice = "choice" // one of Column.Options, or empty
	// KindMetrics is a criterion's metric thresholds, one a line: "talk_ratio 0.55 0.8" is
	// {metric: talk_ratio, full: 0.55, zero: 0.8}.
	KindMetrics = "metrics"
)

// Column is one value of a row: Key is a path inside the element ("handled_by.any").
type Column struct {
	Key     string   `json:"key"`
	Label   string   `json:"label"`
	Kind    string   `json:"kind"`
	Options []string `json:"options,omitempty"` // KindChoice's values
}

func col(key, label, kind string, options ...string) Column {
	return Column{Key: key, Label: label, Kind: kind, Options: options}
}

// List describes one of the form's lists.
type List struct {
	Name  string   `json:"name"` // the top key: "objections"
	Doc   string   `json:"doc"`  // DocScenario or DocRubric
	Title string   `json:"title"`
	Item  string   `json:"item"` // what a row is called: "objection"
	Keyed bool     `json:"keyed"`
	Cols  []Column `json:"cols"`
}

// Row is one row of a list: its values by column key and Origin, the index of the element
// it came from in the file the request carries (-1: a new row). Keyed lists (behaviours, a
// mapping) hold the key under "name".
type Row struct {
	Origin int               `json:"origin"`
	Values map[string]string `json:"values"`
}

// Lists are the form's lists, in the order the form shows them.
var Lists = []List{
	{Name: "stages", Doc: DocScenario, Title: "Stages", Item: "stage", Cols: []Column{
		col("name", "Name", KindText),
		col("advance.all", "Moves on when the learner did all of (behaviours, comma-separated)", KindWords),
		col("advance.any", "… and any of", KindWords),
		col("max_mood", "Moves on only at or below this mood", KindNumber),
	}},
	{Name: "objections", Doc: DocScenario, Title: "Objections", Item: "objection", Cols: []Column{
		col("id", "ID", KindText),
		col("stage", "Stage", KindText),
		col("says", "What the persona says (one a line)", KindLines),
		col("handled_by.any", "Handled by any of (behaviours, comma-separated)", KindWords),
		col("handled_by.all", "Handled by all of", KindWords),
		col("again", "Said again while it is not handled (one a line)", KindLines),
		col("yields", "What the persona gives up once it is handled (one a line)", KindLines),
	}},
	{Name: "behaviours", Doc: DocScenario, Title: "Behaviours and what moves the mood", Item: "behaviour", Keyed: true, Cols: []Column{
		col("name", "Name", KindText),
		col("label", "Label (what the learner did)", KindText),
		col("mood", "Mood effect (negative calms)", KindNumber),
		col("repeat", "Mood effect when said again (empty: none for kind words, the same for provocations)", KindNumber),
		col("needs", "Counts only in", KindChoice, "question", "open_question", "statement", "commitment"),
		col("ends_call", "Ends the call", KindBool),
		col("corrected_by", "Taken back when the learner later does (behaviours, comma-separated)", KindWords),
		col("shown_by", "Shown by the persona's reply to a misheard line (phrases, one a line)", KindLines),
		col("list", "Heard only as a list of this many of its phrases in one line (empty: one is enough)", KindNumber),
		col("phrases", "Phrases (one a line)", KindLines),
	}},
	{Name: "criteria", Doc: DocRubric, Title: "Criteria", Item: "criterion", Cols: []Column{
		col("id", "ID", KindText),
		col("name", "Name", KindText),
		col("weight", "Weight", KindNumber),
		col("required", "Required", KindBool),
		col("description", "Description", KindText),
		col("good", "Good line", KindText),
		col("better", "Better lines (one a line)", KindLines),
		col("behaviours", "Behaviours (comma-separated)", KindWords),
		col("want", "How many of them earn full credit (empty: all)", KindNumber),
		col("avoid_behaviours", "Behaviours that cost credit (comma-separated)", KindWords),
		col("metrics", "Metrics (one a line: name, full-credit value, no-credit value)", KindMetrics),
	}},
}

// ListRows returns the rows of every list found in the two files.
func ListRows(scen, rub []byte) map[string][]Row {
	out := map[string][]Row{}
	roots := map[string]*yaml.Node{DocScenario: rootOf(scen), DocRubric: rootOf(rub)}
	for _, l := range Lists {
		if root := roots[l.Doc]; root != nil {
			out[l.Name] = rowsOf(nodeAt(root, l.Name), l)
		}
	}
	return out
}

// rowsOf reads the rows of list node n (nil: no rows).
func rowsOf(n *yaml.Node, l List) []Row {
	rows := []Row{}
	if n == nil {
		return rows
	}
	add := func(i int, key string, el *yaml.Node) {
		r := Row{Origin: i, Values: map[string]string{}}
		for _, c := range l.Cols {
			if l.Keyed && c.Key == "name" {
				r.Values["name"] = key
				continue
			}
			r.Values[c.Key] = read(nodeAt(el, c.Key), c.Kind)
		}
		rows = append(rows, r)
	}
	switch {
	case l.Keyed && n.Kind == yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			add(i/2, n.Content[i].Value, n.Content[i+1])
		}
	case !l.Keyed && n.Kind == yaml.SequenceNode:
		for i, el := range n.Content {
			add(i, "", el)
		}
	}
	return rows
}

// read renders a value node as the form shows it.
func read(n *yaml.Node, kind string) string {
	if n == nil {
		return ""
	}
	if n.Kind == yaml.SequenceNode {
		var parts []string
		for _, c := range n.Content {
			if kind == KindMetrics {
				parts = append(parts, strings.Join([]string{scalar(nodeAt(c, "metric")), scalar(nodeAt(c, "full")), scalar(nodeAt(c, "zero"))}, " "))
				continue
			}
			parts = append(parts, c.Value)
		}
		if kind == KindWords {
			return strings.Join(parts, ", ")
		}
		return strings.Join(parts, "\n")
	}
	if kind == KindBool && n.Value != "true" {
		return ""
	}
	return n.Value
}

func scalar(n *yaml.Node) string {
	if n == nil {
		return ""
	}
	return n.Value
}

// norm is a form value as it would read back from the file.
func norm(v, kind string) string {
	switch kind {
	case KindLines:
		return strings.Join(splitLines(v), "\n")
	case KindMetrics:
		var out []string
		for _, line := range splitLines(v) {
			out = append(out, strings.Join(splitWords(line), " "))
		}
		return strings.Join(out, "\n")
	case KindWords:
		return strings.Join(splitWords(v), ", ")
	case KindBool:
		if v == "true" {
			return "true"
		}
		return ""
	case KindText:
		return v
	}
	return strings.TrimSpace(v)
}

func splitLines(v string) []string {
	var out []string
	for _, s := range strings.Split(v, "\n") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

func splitWords(v string) []string {
	return strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' || r == '\t' })
}

// SetLists returns data (a file of doc) with the given lists replaced by rows. Lists
// absent from lists are left alone; when no row differs from the file, data is returned byte
// for byte.
func SetLists(data []byte, doc string, lists map[string][]Row) ([]byte, error) {
	var d yaml.Node
	if err := yaml.Unmarshal(data, &d); err != nil {
		return nil, fmt.Errorf("the YAML does not parse, so the form cannot change it: %w", err)
	}
	if len(d.Content) == 0 {
		d = yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{{Kind: yaml.MappingNode}}}
	}
	root := d.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("the YAML is not a mapping of keys")
	}
	changed := false
	for _, l := range Lists {
		rows, ok := lists[l.Name]
		if !ok || l.Doc != doc {
			continue
		}
		if err := keysOK(rows, l); err != nil {
			return nil, err
		}
		if err := valuesOK(rows, l); err != nil {
			return nil, err
		}
		n := nodeAt(root, l.Name)
		if same(rowsOf(n, l), rows, l) {
			continue
		}
		changed = true
		if n == nil {
			n = &yaml.Node{}
			root.Content = append(root.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: l.Name}, n)
		}
		setRows(n, rows, l)
	}
	if !changed {
		return data, nil
	}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(&d); err != nil {
		return nil, err
	}
	return buf.Bytes(), enc.Close()
}

// ListError is a row the file cannot hold: a keyed row without a name or with another's.
type ListError struct {
	Field string // the row's name field, as the form names it: "behaviours.greet.name"
	Msg   string
}

func (e *ListError) Error() string { return e.Field + ": " + e.Msg }

// keysOK checks that a keyed list's names are there and different.
func keysOK(rows []Row, l List) error {
	if !l.Keyed {
		return nil
	}
	seen := map[string]bool{}
	for _, r := range rows {
		name := strings.TrimSpace(r.Values["name"])
		field := l.Name + "." + name + ".name"
		switch {
		case name == "":
			return &ListError{field, "every " + l.Item + " needs a name"}
		case seen[name]:
			return &ListError{field, fmt.Sprintf("two %s are named %q", l.Name, name)}
		}
		seen[name] = true
	}
	return nil
}

// valuesOK checks the values the file cannot hold as typed: a choice that is not one of its
// options, a metric line that is not a name and two numbers, a number that is not one.
func valuesOK(rows []Row, l List) error {
	for i, r := range rows {
		at := fmt.Sprintf("%s[%d]", l.Name, i)
		if l.Keyed {
			at = l.Name + "." + strings.TrimSpace(r.Values["name"])
		}
		for _, c := range l.Cols {
			v := norm(r.Values[c.Key], c.Kind)
			if v == "" {
				continue
			}
			field := at + "." + c.Key
			switch c.Kind {
			case KindChoice:
				if !slices.Contains(c.Options, v) {
					return &ListError{field, fmt.Sprintf("%q: want one of %s, or nothing", v, strings.Join(c.Options, ", "))}
				}
			case KindNumber:
				if !isNumber(v) {
					return &ListError{field, fmt.Sprintf("%q is not a number", v)}
				}
			case KindMetrics:
				for _, line := range strings.Split(v, "\n") {
					if f := strings.Fields(line); len(f) != 3 || !isNumber(f[1]) || !isNumber(f[2]) {
						return &ListError{field, fmt.Sprintf("%q: want a metric's name, the value for full credit and the value for none, as in \"talk_ratio 0.55 0.8\"", line)}
					}
				}
			}
		}
	}
	return nil
}

func isNumber(v string) bool {
	_, err := strconv.ParseFloat(v, 64)
	return err == nil
}

// same reports whether the form's rows say what the file's rows say.
func same(old, rows []Row, l List) bool {
	if len(old) != len(rows) {
		return false
	}
	for i, r := range rows {
		if r.Origin != i {
			return false
		}
		for _, c := range l.Cols {
			if norm(old[i].Values[c.Key], c.Kind) != norm(r.Values[c.Key], c.Kind) {
				return false
			}
		}
	}
	return true
}

// setRows rebuilds list node n from rows, each from its original element when it has one.
func setRows(n *yaml.Node, rows []Row, l List) {
	var oldKeys, oldVals []*yaml.Node
	switch {
	case l.Keyed && n.Kind == yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			oldKeys, oldVals = append(oldKeys, n.Content[i]), append(oldVals, n.Content[i+1])
		}
	case !l.Keyed && n.Kind == yaml.SequenceNode:
		oldVals = n.Content
	}
	var content []*yaml.Node
	for _, r := range rows {
		el, key := &yaml.Node{Kind: yaml.MappingNode}, &yaml.Node{Kind: yaml.ScalarNode}
		if r.Origin >= 0 && r.Origin < len(oldVals) && oldVals[r.Origin].Kind == yaml.MappingNode {
			el = oldVals[r.Origin]
			if l.Keyed {
				key = oldKeys[r.Origin]
			}
		}
		for _, c := range l.Cols {
			v := r.Values[c.Key]
			if l.Keyed && c.Key == "name" {
				key.Value = strings.TrimSpace(v)
				continue
			}
			setValue(el, c, v)
		}
		if l.Keyed {
			content = append(content, key, el)
		} else {
			content = append(content, el)
		}
	}
	kind, style := yaml.SequenceNode, yaml.Style(0)
	if l.Keyed {
		kind = yaml.MappingNode
	}
	if n.Kind == kind {
		style = n.Style &^ yaml.FlowStyle
	}
	*n = yaml.Node{Kind: kind, Style: style, Content: content,
		HeadComment: n.HeadComment, LineComment: n.LineComment, FootComment: n.FootComment}
}

// setValue writes one column into element el: an empty value removes the key (and a parent
// it leaves empty); a value that reads back the same leaves the node as it was.
func setValue(el *yaml.Node, c Column, v string) {
	v = norm(v, c.Kind)
	cur := nodeAt(el, c.Key)
	if cur != nil && read(cur, c.Kind) == v {
		return
	}
	if v == "" {
		remove(el, c.Key)
		return
	}
	n, err := ensure(el, c.Key)
	if err != nil {
		return // a parent that is not a mapping: lint reports the file as it is
	}
	keep := yaml.Node{HeadComment: n.HeadComment, LineComment: n.LineComment, FootComment: n.FootComment}
	switch c.Kind {
	case KindLines, KindWords:
		items := splitLines(v)
		style := yaml.Style(0)
		if c.Kind == KindWords {
			items, style = splitWords(v), yaml.FlowStyle
		}
		*n = yaml.Node{Kind: yaml.SequenceNode, Style: style}
		for _, s := range items {
			n.Content = append(n.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s})
		}
	case KindMetrics:
		*n = yaml.Node{Kind: yaml.SequenceNode}
		for _, line := range strings.Split(v, "\n") {
			f := strings.Fields(line) // valuesOK checked three
			n.Content = append(n.Content, &yaml.Node{Kind: yaml.MappingNode, Style: yaml.FlowStyle, Content: []*yaml.Node{
				{Kind: yaml.ScalarNode, Value: "metric"}, {Kind: yaml.ScalarNode, Tag: "!!str", Value: f[0]},
				{Kind: yaml.ScalarNode, Value: "full"}, {Kind: yaml.ScalarNode, Value: f[1]},
				{Kind: yaml.ScalarNode, Value: "zero"}, {Kind: yaml.ScalarNode, Value: f[2]},
			}})
		}
	case KindNumber:
		*n = yaml.Node{Kind: yaml.ScalarNode, Value: v} // resolved on encoding
	case KindBool:
		*n = yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: "true"}
	default:
		*n = yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: v}
		if strings.Contains(strings.TrimRight(v, "\n"), "\n") {
			n.Style = yaml.LiteralStyle
		}
	}
	n.HeadComment, n.LineComment, n.FootComment = keep.HeadComment, keep.LineComment, keep.FootComment
}

// remove deletes the key at path in el, then parents it leaves empty.
func remove(el *yaml.Node, path string) {
	parent, key := el, path
	if i := strings.LastIndex(path, "."); i >= 0 {
		parent, key = nodeAt(el, path[:i]), path[i+1:]
	}
	if parent == nil || parent.Kind != yaml.MappingNode {
		return
	}
	for i := 0; i+1 < len(parent.Content); i += 2 {
		if parent.Content[i].Value == key {
			parent.Content = append(parent.Content[:i], parent.Content[i+2:]...)
			break
		}
	}
	if len(parent.Content) == 0 && parent != el {
		remove(el, path[:strings.LastIndex(path, ".")])
	}
}
