package draft_test

import (
	"os"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/sparlab/spar/dialog/studio/draft"
)

// FuzzMake feeds pasted material (untrusted) to the drafter: it never panics, and a draft
// it returns is YAML the editor can open.
func FuzzMake(f *testing.F) {
	for _, name := range []string{"refund-policy.md", "product-faq.txt", "cold-call-transcript.txt", "support-call.txt", "recorded-call.txt"} {
		b, err := os.ReadFile("testdata/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(b))
	}
	f.Add("Q: $99999999999999999999.99?\nA: 1.2.3 <b>x</b>")
	f.Add("Customer: ?\nAgent: ?")
	f.Add("Speaker: a\nSpeaker: why\nSpeaker: b\nx")
	f.Add("Sam: hi\nPriya: why?\nSam: because\nPriya: ok!")
	f.Fuzz(func(t *testing.T, material string) {
		d, err := draft.Make(draft.Input{ID: "x", Kind: draft.Sales, Material: material})
		if err != nil {
			return
		}
		var n yaml.Node
		if err := yaml.Unmarshal(d.Scenario, &n); err != nil {
			t.Fatalf("scenario draft is not YAML: %v", err)
		}
		if err := yaml.Unmarshal(d.Rubric, &n); err != nil {
			t.Fatalf("rubric draft is not YAML: %v", err)
		}
	})
}

// FuzzParseReply feeds model replies (untrusted) to the LLM drafter's parser: it never
// panics, and a reply it accepts has both files.
func FuzzParseReply(f *testing.F) {
	f.Add(`{"scenario_yaml": "id: x\n", "rubric_yaml": "scenario: x\n", "facts": [{"fact": "a", "source": "b"}]}`)
	f.Add("```json\n{\"scenario_yaml\": \"a\", \"rubric_yaml\": \"b\", \"facts\": []}\n```")
	f.Add(`{"scenario_yaml": 1}`)
	f.Add(`{} {}`)
	f.Fuzz(func(t *testing.T, content string) {
		r, err := draft.ParseReply(content)
		if err != nil {
			return
		}
		if strings.TrimSpace(r.Scenario) == "" || strings.TrimSpace(r.Rubric) == "" {
			t.Fatalf("accepted a reply without both files: %q", content)
		}
	})
}
