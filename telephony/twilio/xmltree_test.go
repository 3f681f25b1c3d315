package twilio

import (
	"encoding/xml"
	"fmt"
	"io"
	"sort"
	"strings"
)

// xmlNode is a generic XML element: twiml writes attributes in map order, so tests compare
// parsed trees, never strings.
type xmlNode struct {
	Name     string
	Attrs    map[string]string
	Text     string
	Children []*xmlNode
}

func parseXML(s string) (*xmlNode, error) {
	d := xml.NewDecoder(strings.NewReader(s))
	var stack []*xmlNode
	var root *xmlNode
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			n := &xmlNode{Name: tok.Name.Local, Attrs: map[string]string{}}
			for _, a := range tok.Attr {
				n.Attrs[a.Name.Local] = a.Value
			}
			if len(stack) > 0 {
				p := stack[len(stack)-1]
				p.Children = append(p.Children, n)
			} else if root == nil {
				root = n
			} else {
				return nil, fmt.Errorf("second root element %s", n.Name)
			}
			stack = append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				stack[len(stack)-1].Text += strings.TrimSpace(string(tok))
			}
		}
	}
	if root == nil {
		return nil, fmt.Errorf("no root element")
	}
	return root, nil
}

// String renders the tree canonically (sorted attributes, one element a line) for diffs.
func (n *xmlNode) String() string {
	var b strings.Builder
	n.write(&b, 0)
	return b.String()
}

func (n *xmlNode) write(b *strings.Builder, depth int) {
	keys := make([]string, 0, len(n.Attrs))
	for k := range n.Attrs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	fmt.Fprintf(b, "%s<%s", strings.Repeat("  ", depth), n.Name)
	for _, k := range keys {
		fmt.Fprintf(b, " %s=%q", k, n.Attrs[k])
	}
	fmt.Fprintf(b, "> %q\n", n.Text)
	for _, c := range n.Children {
		c.write(b, depth+1)
	}
}

// find returns the first element named name, depth first.
func (n *xmlNode) find(name string) *xmlNode {
	if n.Name == name {
		return n
	}
	for _, c := range n.Children {
		if f := c.find(name); f != nil {
			return f
		}
	}
	return nil
}

// params returns the <Parameter> name/value pairs under n.
func (n *xmlNode) params() map[string]string {
	out := map[string]string{}
	var walk func(*xmlNode)
	walk = func(m *xmlNode) {
		if m.Name == "Parameter" {
			out[m.Attrs["name"]] = m.Attrs["value"]
		}
		for _, c := range m.Children {
			walk(c)
		}
	}
	walk(n)
	return out
}
