package main

import (
	"bytes"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/sparlab/spar/dialog"
	"github.com/sparlab/spar/dialog/llm"
	"github.com/sparlab/spar/dialog/store"
	"github.com/sparlab/spar/dialog/store/storetest"
	"github.com/sparlab/spar/dialog/studio"
	"github.com/sparlab/spar/dialog/studio/draft"
	"github.com/sparlab/spar/media"
	"github.com/sparlab/spar/scoring"
	"github.com/sparlab/spar/telephony"
	"github.com/sparlab/spar/web/metrics"
)

// TestNewDrafter: the offline drafter stays the default; a configured LLM drafts instead.
func TestNewDrafter(t *testing.T) {
	log := slog.New(slog.DiscardHandler)
	if d, err := newDrafter(Config{}, studio.Linter{}, log); err != nil || d != nil {
		t.Errorf("no LLM: drafter %v, %v; want none (the console's offline one)", d, err)
	}
	cfg := Config{}
	cfg.Providers.LLM = &llm.Config{BaseURL: "http://127.0.0.1:11434", Model: "llama3"}
	d, err := newDrafter(cfg, studio.Linter{}, log)
	if _, ok := d.(*draft.LLM); err != nil || !ok {
		t.Errorf("with an LLM: drafter %T, %v; want *draft.LLM", d, err)
	}
}

// TestRescoreVersion: `spar rescore --call ID --version N` scores a call that ran with
// version 1 against version 2's rubric and stores that card; a version the scenario does
// not have, or any version of a file scenario, is refused saying what there is.
func TestRescoreVersion(t *testing.T) {
	ctx := t.Context()
	url, prefix := storetest.URL(t), storetest.Prefix(t)
	cfgPath := filepath.Join(t.TempDir(), "spar.yaml")
	if err := os.WriteFile(cfgPath, fmt.Appendf(nil, "store:\n  prefix: %q\n", prefix), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("REDIS_URL", url)
	t.Setenv("SPAR_CONFIG", "")
	rdb := storetest.Client(t, url)
	st, err := store.New(rdb, store.Config{Prefix: prefix}, nil)
	if err != nil {
		t.Fatal(err)
	}
	studioWithV2(t, rdb, st, "refund-red", nil)
	l, err := st.Begin(ctx, telephony.Info{ID: "call-r1", Scenario: "refund-red", Learner: "l1", Transport: "webrtc",
		Started: time.Now(), Params: map[string]string{store.ParamScenarioVersion: "1"}}, "")
	if err != nil {
		t.Fatal(err)
	}
	said := "I'm so sorry, that's our mistake. Can I take the email on the account?"
	l.Append(dialog.Event{Kind: dialog.EventLearnerSaid, At: 3 * time.Second, Dur: time.Second, Speaker: dialog.SpeakerLearner, Text: said})
	if _, err := l.Seal(ctx, dialog.Result{EndReason: "learner hung up", Duration: 5 * time.Second,
		Transcript: []dialog.Utterance{{Speaker: dialog.SpeakerLearner, Text: said, Start: 2 * time.Second, End: 3 * time.Second}}}); err != nil {
		t.Fatal(err)
	}

	var out, errOut bytes.Buffer
	if err := rescoreCmd(ctx, []string{"--config", cfgPath, "--call", "call-r1", "--version", "2"}, &out, &errOut); err != nil {
		t.Fatalf("rescore: %v\n%s", err, errOut.String())
	}
	if !strings.Contains(out.String(), "rescored 1 calls of refund-red against version 2") {
		t.Errorf("output %q", out.String())
	}
	card, err := scoring.NewCards(rdb, st).Get(ctx, "call-r1")
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]string{}
	for _, c := range card.Criteria {
		names[c.ID] = c.Name
	}
	if card.ScenarioVersion != 2 || names["verify"] != "Checked who she is" {
		t.Errorf("card: version %d, criteria %v; want version 2's", card.ScenarioVersion, names)
	}

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--call", "call-r1", "--version", "9"}, "scenario refund-red has no version 9 (its versions are 1 to 2)"},
		{[]string{"--scenario", "refund-red", "--version", "3"}, "has no version 3"},
		{[]string{"--scenario", "double-charge", "--version", "1"}, "double-charge is a built-in or directory scenario: it has no studio versions"},
		{[]string{"--scenario", "nope", "--version", "1"}, `no studio scenario "nope"`},
		{[]string{"--version", "1"}, "give --scenario ID or --call CALL_ID"},
	} {
		err := rescoreCmd(ctx, append([]string{"--config", cfgPath}, tc.args...), &out, &errOut)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("rescore %v: %v, want %q", tc.args, err, tc.want)
		}
	}
}

// TestVoicePreview: "hear it" speaks through the TTS a studio version's calls would use; by
// default the offline flite voices, at 16 kHz.
func TestVoicePreview(t *testing.T) {
	cfg, err := loadTestConfig(t, "providers:\n  stt: instant\n", nil)
	if err != nil {
		t.Fatal(err)
	}
	catalog, err := loadScenarios("")
	if err != nil {
		t.Fatal(err)
	}
	m, err := metrics.New(prometheus.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	prov, err := buildProviders(cfg, catalog, m, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { prov.Close() })
	base, _ := catalog.Get("double-charge")
	sc := *base
	sc.ID, sc.Version = "refund-red", 3
	var n int
	err = voicePreview{prov}.Speak(t.Context(), &sc, "rms", "Hello, this is Dana.", media.WriterFunc(func(p []int16) error {
		n += len(p)
		return nil
	}))
	if err != nil || n < media.Rate16k/2 {
		t.Fatalf("preview: %d samples, %v; want at least half a second of speech", n, err)
	}
}
