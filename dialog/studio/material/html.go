package material

import (
	"bytes"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// invisible are the elements whose content is never shown as text.
var invisible = map[atom.Atom]bool{atom.Script: true, atom.Style: true, atom.Noscript: true, atom.Template: true,
	atom.Head: true, atom.Iframe: true, atom.Object: true, atom.Svg: true, atom.Math: true,
	atom.Select: true, atom.Textarea: true, atom.Button: true}

// blocks are the elements that start and end a line.
var blocks = map[atom.Atom]bool{atom.P: true, atom.Div: true, atom.Br: true, atom.Li: true, atom.Tr: true,
	atom.H1: true, atom.H2: true, atom.H3: true, atom.H4: true, atom.H5: true, atom.H6: true, atom.Dt: true,
	atom.Dd: true, atom.Blockquote: true, atom.Pre: true, atom.Section: true, atom.Article: true,
	atom.Header: true, atom.Footer: true, atom.Table: true, atom.Ul: true, atom.Ol: true, atom.Hr: true,
	atom.Main: true, atom.Aside: true, atom.Nav: true, atom.Form: true, atom.Figcaption: true,
	atom.Summary: true, atom.Details: true, atom.Dl: true, atom.Caption: true, atom.Address: true}

// HTMLText is the visible text of an HTML page: scripts, styles, the head and other
// invisible elements dropped, entities decoded, one line per block element, spaces
// collapsed, headings kept as Markdown ("## ") so the drafter skips them as facts. It reads
// the page with the HTML5 tokenizer, which never fails: broken markup gives what a browser
// would show, near enough.
func HTMLText(data []byte) string {
	z := html.NewTokenizer(bytes.NewReader(data))
	var out, line strings.Builder
	skip := 0 // depth inside invisible elements
	flush := func() {
		if l := strings.Join(strings.Fields(line.String()), " "); l != "" && strings.Trim(l, "# ") != "" {
			out.WriteString(l + "\n")
		}
		line.Reset()
	}
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			flush()
			return out.String()
		case html.TextToken:
			if skip == 0 {
				line.Write(z.Text())
			}
		case html.StartTagToken, html.SelfClosingTagToken:
			name, _ := z.TagName()
			a := atom.Lookup(name)
			if invisible[a] {
				if tt == html.StartTagToken {
					skip++
				}
				continue
			}
			if skip > 0 {
				continue
			}
			switch {
			case blocks[a]:
				flush()
			case a == atom.Td || a == atom.Th:
				line.WriteString(" ")
			}
			if h := heading(a); h > 0 {
				line.WriteString(strings.Repeat("#", h) + " ")
			}
		case html.EndTagToken:
			name, _ := z.TagName()
			a := atom.Lookup(name)
			if invisible[a] {
				skip = max(0, skip-1)
				continue
			}
			if skip == 0 && (blocks[a] || heading(a) > 0) {
				flush()
			}
		}
	}
}

// heading is the level of an h1-h6 element, else 0.
func heading(a atom.Atom) int {
	switch a {
	case atom.H1:
		return 1
	case atom.H2:
		return 2
	case atom.H3:
		return 3
	case atom.H4:
		return 4
	case atom.H5:
		return 5
	case atom.H6:
		return 6
	}
	return 0
}
