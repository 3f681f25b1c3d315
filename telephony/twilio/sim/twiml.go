package sim

import (
	"encoding/xml"
	"fmt"
	"strings"
)

// TwiML as Twilio reads it: a <Response> holding verbs, each with attributes, text and nested
// nouns. Attribute order is irrelevant, so verbs are read generically.
// https://www.twilio.com/docs/voice/twiml
type twimlNode struct {
	XMLName  xml.Name
	Attrs    []xml.Attr  `xml:",any,attr"`
	Text     string      `xml:",chardata"`
	Children []twimlNode `xml:",any"`
}

func (n twimlNode) attr(name string) string {
	for _, a := range n.Attrs {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

// parseTwiML decodes a webhook answer into its verbs.
func parseTwiML(body []byte) ([]twimlNode, error) {
	var root twimlNode
	if err := xml.Unmarshal(body, &root); err != nil {
		return nil, fmt.Errorf("%w: TwiML: %v", ErrWebhook, err)
	}
	if root.XMLName.Local != "Response" {
		return nil, fmt.Errorf("%w: TwiML root is <%s>, want <Response>", ErrWebhook, root.XMLName.Local)
	}
	return root.Children, nil
}

// stream is what a <Connect><Stream> asks for.
type stream struct {
	URL    string
	Params map[string]string
}

// gather is a <Gather> menu: where to post the digits and what it said.
type gather struct {
	Action, Method string
	FinishOnKey    string
	Prompt         string
}

// answer is one TwiML document read the way Twilio executes it, up to the verb that leaves it.
type answer struct {
	Said     []string // <Say> text, in order (including Gather prompts)
	Stream   *stream  // <Connect><Stream>
	Gather   *gather  // a <Gather> (Twilio waits for input there)
	Redirect string   // <Redirect> URL
	Rest     []twimlNode
	Ended    bool // <Hangup> or <Reject>, or the document ran out
}

// readAnswer walks verbs until one leaves the document. Verbs after a <Gather> are kept in
// Rest: Twilio runs them if no digits come.
func readAnswer(verbs []twimlNode) answer {
	var a answer
	for i, v := range verbs {
		switch v.XMLName.Local {
		case "Say":
			a.Said = append(a.Said, strings.TrimSpace(v.Text))
		case "Hangup", "Reject":
			a.Ended = true
			return a
		case "Redirect":
			a.Redirect = strings.TrimSpace(v.Text)
			return a
		case "Gather":
			g := &gather{Action: v.attr("action"), Method: v.attr("method"), FinishOnKey: "#"}
			if hasAttr(v, "finishOnKey") {
				g.FinishOnKey = v.attr("finishOnKey")
			}
			var prompt []string
			for _, c := range v.Children {
				if c.XMLName.Local == "Say" {
					prompt = append(prompt, strings.TrimSpace(c.Text))
				}
			}
			g.Prompt = strings.Join(prompt, " ")
			a.Said = append(a.Said, prompt...)
			a.Gather = g
			a.Rest = verbs[i+1:]
			return a
		case "Connect":
			for _, c := range v.Children {
				if c.XMLName.Local != "Stream" {
					continue
				}
				s := &stream{URL: c.attr("url"), Params: map[string]string{}}
				for _, p := range c.Children {
					if p.XMLName.Local == "Parameter" {
						s.Params[p.attr("name")] = p.attr("value")
					}
				}
				a.Stream = s
				return a
			}
		}
	}
	a.Ended = true
	return a
}

func hasAttr(n twimlNode, name string) bool {
	for _, a := range n.Attrs {
		if a.Name.Local == name {
			return true
		}
	}
	return false
}
