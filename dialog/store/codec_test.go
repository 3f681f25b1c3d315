package store

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/sparlab/spar/dialog"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/")

// codecCases covers every field, fractional times, and empty events.
var codecCases = []struct {
	name string
	e    dialog.Event
}{
	{"call start", dialog.Event{Kind: dialog.EventCallStart, Detail: "twilio"}},
	{"learner said", dialog.Event{Kind: dialog.EventLearnerSaid, At: 4250 * time.Millisecond,
		Speaker: dialog.SpeakerLearner, Text: "I was charged twice", Dur: 1800 * time.Millisecond}},
	{"learner said with confidence", dialog.Event{Kind: dialog.EventLearnerSaid, At: 9100 * time.Millisecond,
		Speaker: dialog.SpeakerLearner, Text: "let me fix that", Dur: 1200 * time.Millisecond,
		Data: map[string]string{dialog.DataConfidence: dialog.FormatConfidence(0.8734)}}},
	{"persona heard truncated", dialog.Event{Kind: dialog.EventPersonaHeard, At: 7*time.Second + 20*time.Millisecond,
		Speaker: dialog.SpeakerPersona, Text: "Well I want my", Data: map[string]string{"truncated": "true"}}},
	{"mood with reason", dialog.Event{Kind: dialog.EventMood, At: 9 * time.Second, Mood: 7, Stage: "complaint",
		Detail: "learner interrupted"}},
	{"latency fractions", dialog.Event{Kind: dialog.EventLatency, At: 12345678 * time.Microsecond,
		Dur: 1500 * time.Nanosecond, Data: map[string]string{"stt": "120", "llm_ttft": "340", "tts_ttfb": "95"}}},
	{"negative sub-ms", dialog.Event{Kind: dialog.EventFault, At: -500 * time.Microsecond, Detail: "clock skew"}},
	{"unicode text", dialog.Event{Kind: dialog.EventPersonaSays, At: time.Hour, Text: "Ça coûte 20 €, d'accord?\n"}},
}

func TestEventRoundTrip(t *testing.T) {
	for _, tc := range codecCases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := DecodeEvent(EncodeEvent(tc.e))
			if err != nil {
				t.Fatalf("DecodeEvent: %v", err)
			}
			if !reflect.DeepEqual(got, tc.e) {
				t.Errorf("round trip:\n got %+v\nwant %+v", got, tc.e)
			}
			// The XADD argument list must carry the same fields.
			args := eventArgs(tc.e)
			m := map[string]any{}
			for i := 0; i < len(args); i += 2 {
				m[args[i].(string)] = args[i+1]
			}
			if !reflect.DeepEqual(m, EncodeEvent(tc.e)) {
				t.Errorf("eventArgs %v differs from EncodeEvent %v", m, EncodeEvent(tc.e))
			}
		})
	}
}

func TestEventGolden(t *testing.T) {
	var encoded []map[string]any
	for _, tc := range codecCases {
		encoded = append(encoded, EncodeEvent(tc.e))
	}
	got, err := json.MarshalIndent(encoded, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	path := filepath.Join("testdata", "events.golden.json")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("encoded events differ from %s:\n%s", path, got)
	}
}

func TestDecodeEventErrors(t *testing.T) {
	cases := []struct {
		name   string
		fields map[string]any
	}{
		{"no kind", map[string]any{"at_ms": "1"}},
		{"bad at", map[string]any{"kind": "x", "at_ms": "1.2.3"}},
		{"long fraction", map[string]any{"kind": "x", "at_ms": "1.1234567"}},
		{"signed fraction", map[string]any{"kind": "x", "dur_ms": "1.-5"}},
		{"bad mood", map[string]any{"kind": "x", "mood": "furious"}},
		{"not a string", map[string]any{"kind": "x", "text": 42}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if e, err := DecodeEvent(tc.fields); err == nil {
				t.Errorf("DecodeEvent(%v) = %+v, want an error", tc.fields, e)
			}
		})
	}
}

func FuzzDecodeEvent(f *testing.F) {
	f.Add("speech.stop", "1500", "250.5", "3")
	f.Add("x", "-0.001", "", "")
	f.Fuzz(func(t *testing.T, kind, at, dur, mood string) {
		e, err := DecodeEvent(map[string]any{"kind": kind, "at_ms": at, "dur_ms": dur, "mood": mood})
		if err != nil {
			return
		}
		again, err := DecodeEvent(EncodeEvent(e))
		if err != nil || !reflect.DeepEqual(again, e) {
			t.Fatalf("re-encode of %+v: %+v, %v", e, again, err)
		}
	})
}
