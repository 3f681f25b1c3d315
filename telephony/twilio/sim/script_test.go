package sim

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestParseScript(t *testing.T) {
	tests := []struct {
		name    string
		yaml    string
		want    Script
		wantErr string
	}{
		{name: "every step", yaml: `
# a comment
- say: "Hi, you're through to billing, this is Sam. How can I help?"
- say: "I'm really sorry."
  barge: 1.5s
- wav: learner.wav
  gap: 1s
  pause: 200ms
- dtmf: "1#"
- wait: 3s
- hangup: true
`, want: Script{
			{Say: "Hi, you're through to billing, this is Sam. How can I help?"},
			{Say: "I'm really sorry.", Barge: 1500 * time.Millisecond},
			{WAV: "learner.wav", Gap: time.Second, Pause: 200 * time.Millisecond},
			{DTMF: "1#"},
			{Wait: 3 * time.Second},
			{Hangup: true},
		}},
		{name: "empty", yaml: "", want: nil},
		{name: "unknown key", yaml: "- sya: hi\n", wantErr: "field sya not found"},
		{name: "two actions", yaml: "- say: hi\n  dtmf: '1'\n", wantErr: "exactly one"},
		{name: "no action", yaml: "- pause: 1s\n", wantErr: "exactly one"},
		{name: "barge on dtmf", yaml: "- dtmf: '1'\n  barge: 1s\n", wantErr: "barge applies"},
		{name: "bad digit", yaml: "- dtmf: '1a'\n", wantErr: "only 0-9"},
		{name: "bad duration", yaml: "- wait: soon\n", wantErr: "soon"},
		{name: "not a list", yaml: "say: hi\n", wantErr: "cannot unmarshal"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseScript(strings.NewReader(tt.yaml))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestParseScriptFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "s.yaml")
	if err := os.WriteFile(path, []byte("- wav: a.wav\n- wav: /abs/b.wav\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	sc, err := ParseScriptFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if sc[0].WAV != filepath.Join(dir, "a.wav") || sc[1].WAV != "/abs/b.wav" {
		t.Errorf("wav paths = %q %q", sc[0].WAV, sc[1].WAV)
	}
}

func TestDefaultScript(t *testing.T) {
	sc := DefaultScript()
	if err := sc.Validate(); err != nil || len(sc) != 3 {
		t.Fatalf("DefaultScript: %d steps, %v", len(sc), err)
	}
	for _, want := range []string{"help", "sorry", "refund"} {
		if !strings.Contains(strings.ToLower(sc[0].Say+sc[1].Say+sc[2].Say), want) {
			t.Errorf("default script never says %q", want)
		}
	}
}

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		ok   bool
	}{
		{"minimal", Config{BaseURL: "http://127.0.0.1:8080"}, true},
		{"https with path", Config{BaseURL: "https://spar.example.com/base", Digits: "12*#"}, true},
		{"empty", Config{}, false},
		{"ws scheme", Config{BaseURL: "ws://h"}, false},
		{"bad digits", Config{BaseURL: "http://h", Digits: "1a"}, false},
		{"bad script", Config{BaseURL: "http://h", Script: Script{{}}}, false},
		{"negative timeout", Config{BaseURL: "http://h", ReplyTimeout: -1}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.withDefaults().Validate()
			if (err == nil) != tt.ok {
				t.Fatalf("Validate = %v, want ok %v", err, tt.ok)
			}
			if err != nil && !errors.Is(err, ErrInvalidConfig) && !errors.Is(err, ErrInvalidScript) {
				t.Errorf("error %v wraps neither sentinel", err)
			}
		})
	}
}

func TestSummary(t *testing.T) {
	var b strings.Builder
	r := &Result{CallID: "c1", CallSid: "CA1", Duration: 2 * time.Second, FramesSent: 100, Marks: 3, ServerClosed: true,
		Heard: []Segment{{Start: 0, End: time.Second, Cleared: true}}, LearnerTurns: []Turn{{Kind: "say"}}}
	r.Summary(&b)
	for _, want := range []string{"c1 (CA1): 2s, persona hung up", "frames sent 100", "marks echoed 3", "persona spoke 1 times for 1s (1 cut short)"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("summary lacks %q:\n%s", want, b.String())
		}
	}
	b.Reset()
	(&Result{CallSid: "CA2", Refused: "closed"}).Summary(&b)
	if !strings.Contains(b.String(), `refused: "closed"`) {
		t.Errorf("refused summary: %s", b.String())
	}
}
