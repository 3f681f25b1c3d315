package main

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestScoreTranscript runs `spar score --transcript` on the embedded defaults, with no Redis:
// a text file and a JSON file are scored with their scenario's rubric; a file with no learner
// line, an unknown scenario and a missing scenario are clear errors.
func TestScoreTranscript(t *testing.T) {
	t.Setenv("SPAR_CONFIG", "")
	dir := "../../scoring/testdata/transcripts"
	var out bytes.Buffer
	if err := scoreCmd(t.Context(), []string{"--transcript", filepath.Join(dir, "double-charge-warm.txt"), "--scenario", "double-charge"}, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "double-charge") || !strings.Contains(out.String(), "Fixed it on the call") {
		t.Errorf("text scorecard:\n%s", out.String())
	}
	out.Reset()
	if err := scoreCmd(t.Context(), []string{"--json", "--transcript", filepath.Join(dir, "cold-call-array.json"), "--scenario", "cold-call-vendor"}, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	var card struct {
		Scenario string            `json:"scenario"`
		Criteria []json.RawMessage `json:"criteria"`
	}
	if err := json.Unmarshal(out.Bytes(), &card); err != nil || card.Scenario != "cold-call-vendor" || len(card.Criteria) != 6 {
		t.Errorf("JSON scorecard %+v (%v):\n%s", card, err, out.String())
	}

	empty := filepath.Join(t.TempDir(), "persona-only.txt")
	os.WriteFile(empty, []byte("Customer: hello?\nCustomer: anyone there?\n"), 0o600)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--transcript", filepath.Join(dir, "double-charge-warm.txt"), "--scenario", "nope"}, `no scenario "nope"`},
		{[]string{"--transcript", filepath.Join(dir, "double-charge-warm.txt")}, "give --scenario"},
		{[]string{"--transcript", filepath.Join(dir, "missing.txt"), "--scenario", "double-charge"}, "no such file"},
	} {
		err := scoreCmd(t.Context(), tc.args, io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: %v, want an error saying %q", tc.args, err, tc.want)
		}
	}
	out.Reset()
	err := scoreCmd(t.Context(), []string{"--transcript", empty, "--scenario", "double-charge"}, &out, io.Discard)
	if err == nil && !strings.Contains(out.String(), "FAIL") {
		t.Errorf("a persona-only transcript: %v\n%s", err, out.String())
	}
}
