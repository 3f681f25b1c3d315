package scoring

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sparlab/spar/dialog"
)

// transcriptFiles are the example files of testdata/transcripts and the scenario each is
// scored as.
var transcriptFiles = []struct{ file, scenario string }{
	{"double-charge-warm.txt", "double-charge"},
	{"double-charge-warm.json", "double-charge"},
	{"lost-appointment-blame.txt", "lost-appointment"},
	{"cold-call-array.json", "cold-call-vendor"},
}

// TestReadTranscriptGolden reads each example file and scores it with the deterministic
// judge; the lines as read (with their times) and the JSON scorecard are golden files
// (go test ./scoring -run TestReadTranscriptGolden -update rewrites them).
func TestReadTranscriptGolden(t *testing.T) {
	rs, cat := shipped(t)
	for _, tc := range transcriptFiles {
		t.Run(tc.file, func(t *testing.T) {
			path := filepath.Join("testdata/transcripts", tc.file)
			f, err := os.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			tf, err := ReadTranscript(f)
			if err != nil {
				t.Fatal(err)
			}
			if want := strings.TrimPrefix(filepath.Ext(tc.file), "."); tf.Format != map[string]string{"txt": TranscriptText, "json": TranscriptJSON}[want] {
				t.Errorf("format %q, want the one of a .%s file", tf.Format, want)
			}
			golden(t, path+".lines.golden", []byte(fmtTranscript(tf)))
			r, err := rs.Get(tc.scenario)
			if err != nil {
				t.Fatal(err)
			}
			sc, _ := cat.Get(tc.scenario)
			card, err := Score(context.Background(), Deterministic{}, JudgeDeterministic, tf.Call(tc.file, sc, r), time.Unix(0, 0))
			if err != nil {
				t.Fatal(err)
			}
			tf.Annotate(card)
			if tf.Estimated != slices.Contains(card.Flags, FlagEstimatedTimes) {
				t.Errorf("estimated %v but flags %v", tf.Estimated, card.Flags)
			}
			out, err := json.MarshalIndent(card, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			golden(t, path+".scorecard.golden.json", append(out, '\n'))
		})
	}
}

// TestTranscriptFormatsAgree scores the same call written as text without times and as
// JSON with times: the criteria read the words, so they agree; only the timing differs.
func TestTranscriptFormatsAgree(t *testing.T) {
	rs, cat := shipped(t)
	r, _ := rs.Get("double-charge")
	sc, _ := cat.Get("double-charge")
	cards := map[string]*Scorecard{}
	for _, name := range []string{"double-charge-warm.txt", "double-charge-warm.json"} {
		data, err := os.ReadFile(filepath.Join("testdata/transcripts", name))
		if err != nil {
			t.Fatal(err)
		}
		tf, err := ReadTranscript(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		card, err := Score(context.Background(), Deterministic{}, JudgeDeterministic, tf.Call(name, sc, r), time.Unix(0, 0))
		if err != nil {
			t.Fatal(err)
		}
		cards[filepath.Ext(name)] = card
	}
	txt, js := cards[".txt"], cards[".json"]
	if !js.Pass || !txt.Pass {
		t.Errorf("the trainers' good call should pass in both forms: text %d %v, json %d %v", txt.Overall, txt.Pass, js.Overall, js.Pass)
	}
	for i, c := range js.Criteria {
		if len(r.Criteria[i].Metrics) == 0 && c.Score != txt.Criteria[i].Score {
			t.Errorf("%s: json %.2f, text %.2f: a criterion on words alone should not depend on the times", c.ID, c.Score, txt.Criteria[i].Score)
		}
	}
}

func TestReadTranscriptText(t *testing.T) {
	sec := func(f float64) time.Duration { return time.Duration(f * float64(time.Second)) }
	tests := []struct {
		name      string
		in        string
		want      []dialog.Utterance
		estimated bool
	}{
		{
			name: "ranges in brackets",
			in:   "[00:01-00:03] Persona: Hello?\n[00:03.5-00:06] Learner: Hi, how can I help?\n",
			want: []dialog.Utterance{
				{Speaker: "persona", Text: "Hello?", Start: sec(1), End: sec(3)},
				{Speaker: "learner", Text: "Hi, how can I help?", Start: sec(3.5), End: sec(6)},
			},
		},
		{
			name: "start times only: each line ends by the next one's start",
			in:   "00:00:01 CUSTOMER: I want my money back, all of it, now please.\n00:00:02.5 agent: I understand.\n",
			want: []dialog.Utterance{
				{Speaker: "persona", Text: "I want my money back, all of it, now please.", Start: sec(1), End: sec(2.5)},
				{Speaker: "learner", Text: "I understand.", Start: sec(2.5), End: sec(2.5) + 741*time.Millisecond},
			},
			estimated: true,
		},
		{
			name: "no times: 2.7 words a second, 0.6 s between turns",
			in:   "# a comment\n\nCaller: one two three\nRep: four five six seven eight nine\n",
			want: []dialog.Utterance{
				{Speaker: "persona", Text: "one two three", Start: sec(0.6), End: sec(0.6) + 1111*time.Millisecond},
				{Speaker: "learner", Text: "four five six seven eight nine", Start: sec(2.311), End: sec(2.311) + 2222*time.Millisecond},
			},
			estimated: true,
		},
		{
			name: "time after the speaker, seconds, continuation lines",
			in:   "Prospect (12.5s): who is this\nLearner [13.1 to 15]: it's Sam\n  from Ledgerly.\n3 days is fine: really\n",
			want: []dialog.Utterance{
				{Speaker: "persona", Text: "who is this", Start: sec(12.5), End: sec(13.1)},
				{Speaker: "learner", Text: "it's Sam from Ledgerly. 3 days is fine: really", Start: sec(13.1), End: sec(15)},
			},
			estimated: true,
		},
		{
			name: "speaker with nothing said is dropped; its continuation is kept",
			in:   "Learner:\nhello there\nPersona: \nLearner: [inaudible]\n",
			want: []dialog.Utterance{
				{Speaker: "learner", Text: "hello there", Start: sec(0.6), End: sec(0.6) + 741*time.Millisecond},
				{Speaker: "learner", Text: "[inaudible]", Start: sec(1.941), End: sec(1.941) + 370*time.Millisecond},
			},
			estimated: true,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tf, err := ReadTranscript(strings.NewReader(tc.in))
			if err != nil {
				t.Fatal(err)
			}
			if tf.Format != TranscriptText {
				t.Errorf("format %q", tf.Format)
			}
			if !slices.Equal(tf.Lines, tc.want) {
				t.Errorf("lines\n got %+v\nwant %+v", tf.Lines, tc.want)
			}
			if tf.Estimated != tc.estimated {
				t.Errorf("estimated %v, want %v", tf.Estimated, tc.estimated)
			}
		})
	}
}

func TestReadTranscriptJSON(t *testing.T) {
	in := `{"scenario": "double-charge", "goal": true, "end_reason": "resolved",
  "events": [{"at": 0.5, "kind": "mood", "mood": 6}, {"at": 4, "kind": "barge_in", "speaker": "agent"}, {"at": 9, "kind": "stage", "stage": "resolution"}, {"at": 12, "kind": "silence"}],
  "lines": [
    {"speaker": "Customer", "text": "You charged me twice.", "start": 0.5, "end": 4.2, "truncated": true},
    {"speaker": "agent", "text": "I'm so sorry, let me fix that.", "start": 4, "end": 6, "confidence": 0.55}
  ]}`
	tf, err := ReadTranscript(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	want := []dialog.Utterance{
		{Speaker: "persona", Text: "You charged me twice.", Start: 500 * time.Millisecond, End: 4200 * time.Millisecond, Truncated: true},
		{Speaker: "learner", Text: "I'm so sorry, let me fix that.", Start: 4 * time.Second, End: 6 * time.Second, Confidence: 0.55},
	}
	if !slices.Equal(tf.Lines, want) || tf.Estimated || tf.Scenario != "double-charge" || !tf.Goal || tf.EndReason != "resolved" || tf.Format != TranscriptJSON {
		t.Errorf("got %+v", tf)
	}
	if len(tf.Events) != 4 || tf.Events[1].Kind != dialog.EventBargeIn || tf.Events[1].Speaker != "learner" {
		t.Errorf("events %+v", tf.Events)
	}
	// The file's own barge_in stands; no second one is read from the overlap.
	rs, cat := shipped(t)
	r, _ := rs.Get("double-charge")
	sc, _ := cat.Get("double-charge")
	c := tf.Call("x", sc, r)
	if c.Metrics.LearnerInterruptions != 1 || c.Metrics.SilencePrompts != 1 || c.Record.FinalMood != 6 || c.Record.FinalStage != "resolution" || !c.Metrics.Goal {
		t.Errorf("call from the file: %+v record %+v", c.Metrics, c.Record)
	}
}

// TestTranscriptOverlaps reads interruptions from the times: a learner line that starts
// well before the persona's line ended cut it off; a backchannel or a small overlap did not.
func TestTranscriptOverlaps(t *testing.T) {
	in := `[0-5] Persona: I have been waiting on hold for forty minutes and nobody
[4.9-6] Learner: I understand that, really
[6.5-12] Persona: and now you tell me the booking is gone, it is not good enough
[8-8.4] Learner: mm-hm okay
[10-14] Learner: okay stop there, here's what we'll do
`
	tf, err := ReadTranscript(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	rs, cat := shipped(t)
	r, _ := rs.Get("lost-appointment")
	sc, _ := cat.Get("lost-appointment")
	c := tf.Call("x", sc, r)
	if c.Metrics.LearnerInterruptions != 1 || c.Metrics.PersonaInterruptions != 0 {
		t.Errorf("interruptions learner %d persona %d, want 1 and 0", c.Metrics.LearnerInterruptions, c.Metrics.PersonaInterruptions)
	}
	if !c.Record.Transcript[2].Truncated || c.Record.Transcript[0].Truncated {
		t.Errorf("only the second persona line was cut off: %+v", c.Record.Transcript)
	}
	if tf.Lines[2].Truncated {
		t.Error("Call changed the file's lines")
	}
}

func TestReadTranscriptErrors(t *testing.T) {
	tests := []struct {
		name, in, format, want string
		line                   int
	}{
		{"no speaker on the first line", "# notes\n\nhello there\nLearner: hi\n", "", "line 3: no speaker: start the line with Learner: or Persona:", 3},
		{"unknown speaker", "Learner: hi\nPersona: hello\nSarah: what?\n", "", `line 3: unknown speaker "Sarah"`, 3},
		{"time without speaker", "Learner: hi\n[00:12] so anyway\n", "", "line 2: a time but no speaker", 2},
		{"bad clock", "[01:75] Learner: hi\n", "", `line 1: time "01:75"`, 1},
		{"end before start", "Persona: hi\n[00:20-00:10] Learner: hi\n", "", "line 2: ends at 10s, before it starts at 20s", 2},
		{"times go backwards", "[00:20] Persona: hi\n[00:10] Learner: hi\n", "", "line 2: starts at 10s, before the line above it (20s)", 2},
		{"two times", "[00:01] Learner [00:02]: hi\n", "", "line 1: two times", 1},
		{"no learner lines", "Persona: hello?\nCustomer: anyone there?\n", "", "no learner lines", 0},
		{"empty", "\n# nothing\n", "", "no lines", 0},
		{"json syntax", "{\n  \"lines\": [\n    {\"speaker\": \"learner\" \"text\": \"hi\"}\n  ]\n}", "", "line 3: not valid JSON", 3},
		{"json unknown speaker", "{\"lines\": [\n {\"speaker\": \"learner\", \"text\": \"hi\"},\n {\"speaker\": \"bob\", \"text\": \"hi\"}\n]}", "", `line 3: unknown speaker "bob"`, 3},
		{"json no speaker", "[\n {\"text\": \"hi\"}\n]", "", `line 2: no speaker`, 2},
		{"json unknown field", "[\n {\"speaker\": \"learner\", \"text\": \"hi\", \"strat\": 1}\n]", "", `line 2: line 1 of the transcript: unknown field "strat"`, 2},
		{"json wrong type", "[\n {\"speaker\": \"learner\", \"text\": \"hi\", \"start\": \"0:01\"}\n]", "", "line 2: line 1 of the transcript: start: want a number, not string", 2},
		{"json negative time", "[\n {\"speaker\": \"learner\", \"text\": \"hi\", \"start\": -1}\n]", "", "line 2: start -1", 2},
		{"json bad confidence", "[{\"speaker\": \"learner\", \"text\": \"hi\", \"confidence\": 7}]", "", "line 1: confidence 7", 1},
		{"json top-level field", "{\n\"scenario\": \"x\",\n\"transcript\": []}", "", `line 3: unknown field "transcript"`, 3},
		{"json no lines", `{"scenario": "x"}`, "", `no "lines"`, 0},
		{"json lines not an array", "{\"lines\": \"hi\"}", "", "lines: want an array", 1},
		{"json scenario not a string", "{\"scenario\": 3, \"lines\": []}", "", "line 1: scenario: want a string", 1},
		{"json bad event", "{\"lines\": [{\"speaker\": \"learner\", \"text\": \"hi\"}], \"events\": [{\"at\": 1, \"kind\": \"party\"}]}", "", `event kind "party"`, 1},
		{"forced json on text", "Learner: hi\n", TranscriptJSON, "line 1: not valid JSON", 1},
		{"unknown format", "Learner: hi\n", "yaml", `format "yaml"`, 0},
		{"too big", "Learner: " + strings.Repeat("a", MaxTranscriptBytes), "", "larger than 4 MB", 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ReadTranscriptFormat(strings.NewReader(tc.in), tc.format)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want %q", err, tc.want)
			}
			if !errors.Is(err, ErrTranscript) {
				t.Errorf("%v does not wrap ErrTranscript", err)
			}
			var te *TranscriptError
			if errors.As(err, &te) && te.Line != tc.line {
				t.Errorf("line %d, want %d", te.Line, tc.line)
			}
		})
	}
}

// TestDetectFormat: a text line may start with a bracketed time, a JSON array with [{.
func TestDetectFormat(t *testing.T) {
	for in, want := range map[string]string{
		"[00:12] Learner: hi": TranscriptText, "[ 12.5 ] Learner: hi": TranscriptText, "Learner: {": TranscriptText,
		" \n[\n  {\"speaker\"": TranscriptJSON, "[]": TranscriptJSON, "{}": TranscriptJSON, "\ufeff{": TranscriptJSON,
	} {
		if got := detectFormat(bytes.TrimPrefix([]byte(in), []byte("\ufeff"))); got != want {
			t.Errorf("%q: %s, want %s", in, got, want)
		}
	}
}

// FuzzReadTranscript feeds arbitrary bytes to the reader: it must return lines or an error,
// never panic, and whatever it returns must be a call Score can take.
func FuzzReadTranscript(f *testing.F) {
	files, _ := filepath.Glob("testdata/transcripts/*")
	for _, name := range files {
		if strings.HasSuffix(name, ".golden") || strings.HasSuffix(name, ".golden.json") {
			continue
		}
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, s := range []string{
		"[00:01-00:02] Learner: hi\n", "12.5 Persona: x\ncontinued", "Rep (1:02:03.5): ok\n", "[]", "{}",
		`[{"speaker":"learner","text":"a","start":1e308}]`, `{"lines":[{"speaker":"learner"}],"events":[{"kind":"mood"}]}`,
		"\ufeff\xff\xfeLearner: \x00", "[99999:59:59.999999s-0] Learner: x",
	} {
		f.Add([]byte(s))
	}
	rs, cat := shipped(f)
	r, _ := rs.Get("double-charge")
	sc, _ := cat.Get("double-charge")
	f.Fuzz(func(t *testing.T, data []byte) {
		tf, err := ReadTranscript(bytes.NewReader(data))
		if err != nil {
			if !errors.Is(err, ErrTranscript) {
				t.Fatalf("error %v does not wrap ErrTranscript", err)
			}
			return
		}
		learner := false
		for i, u := range tf.Lines {
			if u.End < u.Start || u.Start < 0 || u.End > 2*maxTranscriptTime || strings.TrimSpace(u.Text) == "" {
				t.Fatalf("line %d: %+v", i, u)
			}
			learner = learner || u.Speaker == dialog.SpeakerLearner
		}
		if !learner {
			t.Fatal("a transcript without learner lines was accepted")
		}
		if _, err := Score(context.Background(), Deterministic{}, JudgeDeterministic, tf.Call("fuzz", sc, r), time.Unix(0, 0)); err != nil {
			t.Fatal(err)
		}
	})
}

// fmtTranscript prints the lines as read, one a line: speaker, start-end, text.
func fmtTranscript(tf *TranscriptFile) string {
	var b strings.Builder
	fmt.Fprintf(&b, "format %s scenario %q estimated %v goal %v end_reason %q events %d\n", tf.Format, tf.Scenario, tf.Estimated, tf.Goal, tf.EndReason, len(tf.Events))
	for _, u := range tf.Lines {
		fmt.Fprintf(&b, "%-7s %7.3f-%7.3f", u.Speaker, u.Start.Seconds(), u.End.Seconds())
		if u.Confidence > 0 {
			fmt.Fprintf(&b, " conf %.2f", u.Confidence)
		}
		fmt.Fprintf(&b, "  %s\n", u.Text)
	}
	return b.String()
}
