package console_test

import (
	"context"
	"encoding/json"
	"math"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/sparlab/spar/dialog"
	"github.com/sparlab/spar/dialog/scenario"
	"github.com/sparlab/spar/dialog/studio"
	"github.com/sparlab/spar/media"
	"github.com/sparlab/spar/web/console"
)

// uploadMaterial sends a file to the draft form's upload as the page's script does and
// returns the status and the decoded answer.
func uploadMaterial(t *testing.T, c *client, name string, data []byte) (int, map[string]any) {
	t.Helper()
	resp, body := c.send("POST", "/console/api/studio/material", map[string]any{"name": name, "data": data}, true)
	var out map[string]any
	if err := json.Unmarshal([]byte(body), &out); err != nil && resp.StatusCode != http.StatusForbidden {
		t.Fatalf("upload %s: %d %q: %v", name, resp.StatusCode, body, err)
	}
	return resp.StatusCode, out
}

// draftFrom drafts scenario id from material through the draft form and returns it parsed.
func draftFrom(t *testing.T, c *client, sdo *studio.Studio, id, material string) (*studio.Version, *scenario.Scenario) {
	t.Helper()
	resp := c.form("/console/studio/draft", url.Values{"csrf": {c.csrf}, "id": {id}, "kind": {"support"}, "material": {material}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("draft %s: %d", id, resp.StatusCode)
	}
	v, err := sdo.Get(t.Context(), id, 1)
	if err != nil {
		t.Fatal(err)
	}
	sc, err := scenario.Parse(id+".yaml", []byte(v.YAML))
	if err != nil {
		t.Fatal(err)
	}
	if len(v.Problems) != 0 {
		t.Errorf("draft %s has problems: %v", id, v.Problems)
	}
	return v, sc
}

// TestStudioUploadMaterial: an uploaded text, HTML or PDF file comes back as the material's
// text (HTML without its scripts, PDF read by pdftotext) and drafts, a damaged PDF and other
// types are refused with what to do, a recording is refused when the server has no
// recognizer, and learners cannot upload.
func TestStudioUploadMaterial(t *testing.T) {
	f, sdo := newStudioFixture(t)
	tina := f.login(t, "tina@example.com")
	if _, page := tina.get("/console/studio"); !strings.Contains(page, `id="material-file"`) {
		t.Errorf("the studio page has no file upload in its draft form")
	}
	faq := "Q: Can I return a sofa after 30 days?\nA: Returns are accepted within 30 days of delivery only.\n"
	if st, out := uploadMaterial(t, tina, "faq.md", []byte(faq)); st != http.StatusOK || out["material"] != faq || out["call"] != false {
		t.Errorf("markdown: %d %v", st, out)
	}
	page := `<html><head><script>track("x")</script></head><body><h2>Can I return a sofa after 30 days?</h2><p>Returns are accepted within 30 days of delivery only.</p></body></html>`
	st, out := uploadMaterial(t, tina, "returns.html", []byte(page))
	text, _ := out["material"].(string)
	if st != http.StatusOK || strings.Contains(text, "track") || !strings.Contains(text, "Returns are accepted within 30 days") {
		t.Fatalf("html: %d %v", st, out)
	}
	_, sc := draftFrom(t, tina, sdo, "sofa-html", text)
	if len(sc.Objections) == 0 || sc.Objections[0].Says[0] != "Can I return a sofa after thirty days?" {
		t.Errorf("HTML draft's objections %+v", sc.Objections)
	}
	pdf, err := os.ReadFile("../../dialog/studio/material/testdata/returns-policy.pdf")
	if err != nil {
		t.Fatal(err)
	}
	st, out = uploadMaterial(t, tina, "returns-policy.pdf", pdf)
	text, _ = out["material"].(string)
	if st != http.StatusOK || !strings.Contains(text, "\nA: No. Sofas must come back within 30 days of delivery, in their original packaging.\n") {
		t.Fatalf("pdf: %d %v", st, out)
	}
	_, sc = draftFrom(t, tina, sdo, "sofa-pdf", text)
	if len(sc.Objections) < 2 || sc.Objections[0].Says[0] != "Can I return a sofa after thirty days?" || !strings.Contains(sc.Persona.Backstory, "A return label costs £4.95") {
		t.Errorf("PDF draft's objections %+v, backstory %q", sc.Objections, sc.Persona.Backstory)
	}
	for name, want := range map[string]string{"policy.pdf": "policy.pdf is damaged or not a PDF: paste the text", "sheet.docx": "or paste the text", "call.wav": "paste the call's transcript"} {
		if st, out := uploadMaterial(t, tina, name, []byte("RIFF%PDF-1.4")); st != http.StatusUnsupportedMediaType || !strings.Contains(out["error"].(string), want) {
			t.Errorf("%s: %d %v, want 415 saying %q", name, st, out, want)
		}
	}
	alice := f.login(t, "alice@example.com")
	if st, _ := uploadMaterial(t, alice, "faq.md", []byte(faq)); st != http.StatusForbidden {
		t.Errorf("learner upload: %d, want 403", st)
	}
}

// TestStudioUploadRecording: a call recording (48 kHz stereo) is cut into utterances and
// transcribed with the console's recognizer (here a fake one reading a script), one Speaker
// line each; drafted, the second voice (the customer) becomes the persona: her first line
// greets, her questions are the objections, the agent's replies the better lines.
func TestStudioUploadRecording(t *testing.T) {
	script := []string{"thank you for calling brightwave how can i help", "i was charged twice for my order",
		"i am sorry about that let me check your account", "why was i charged twice",
		"the second charge is a hold and it drops off in three days", "okay thanks that helps"}
	f, sdo := newStudioFixtureWith(t, func(d *console.Deps, _ studio.Linter) { d.STT = &scriptSTT{lines: script} })
	tina := f.login(t, "tina@example.com")
	wav := toneCall(t, len(script))
	st, out := uploadMaterial(t, tina, "call.wav", wav)
	if st != http.StatusOK || out["call"] != true {
		t.Fatalf("recording: %d %v", st, out)
	}
	text := out["material"].(string)
	if want := "Speaker: " + strings.Join(script, "\nSpeaker: ") + "\n"; text != want {
		t.Fatalf("transcript %q, want %q", text, want)
	}
	v, sc := draftFrom(t, tina, sdo, "charged-twice-call", text)
	if sc.Lines.Greeting[0] != script[1] || sc.Objections[0].Says[0] != script[1] || sc.Objections[1].Says[0] != script[3] {
		t.Errorf("persona greeting %q, objections %+v: want the customer's lines", sc.Lines.Greeting, sc.Objections)
	}
	if !strings.Contains(v.Note, "read as a call of 6 lines") {
		t.Errorf("note %q does not say the material was read as a call", v.Note)
	}
	if !strings.Contains(v.Rubric, script[4]) {
		t.Errorf("rubric lacks the agent's answer %q as a better line:\n%s", script[4], v.Rubric)
	}
}

// scriptSTT recognizes each flushed utterance as the next line of a script.
type scriptSTT struct {
	lines []string
	n     int
}

func (s *scriptSTT) Stream(context.Context, dialog.STTOptions) (dialog.RecognizeStream, error) {
	return &scriptStream{s: s, out: make(chan dialog.Transcript, 1)}, nil
}

type scriptStream struct {
	s   *scriptSTT
	out chan dialog.Transcript
}

func (st *scriptStream) Write([]int16) error { return nil }
func (st *scriptStream) Flush() error {
	text := ""
	if st.s.n < len(st.s.lines) {
		text = st.s.lines[st.s.n]
	}
	st.s.n++
	st.out <- dialog.Transcript{Text: text, Final: true}
	return nil
}
func (st *scriptStream) Results() <-chan dialog.Transcript { return st.out }
func (st *scriptStream) Close() error                      { return nil }

// toneCall is a 48 kHz stereo WAV of n one-second "utterances" (a warbling tone) a second
// apart.
func toneCall(t *testing.T, n int) []byte {
	t.Helper()
	const rate = media.Rate48k
	var pcm []int16
	gap := make([]int16, 2*rate)
	pcm = append(pcm, gap...)
	for range n {
		for i := range rate {
			v := int16(9000 * math.Sin(2*math.Pi*(200+50*math.Sin(float64(i)/4000))*float64(i)/rate))
			pcm = append(pcm, v, v)
		}
		pcm = append(pcm, gap...)
	}
	return writeWAV(t, rate, 2, pcm)
}

// writeWAV encodes interleaved PCM as a WAV file.
func writeWAV(t *testing.T, rate, channels int, pcm []int16) []byte {
	t.Helper()
	b, err := media.EncodeWAV(pcm, rate, channels)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
