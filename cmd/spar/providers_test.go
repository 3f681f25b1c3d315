package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/sparlab/spar/configs"
	"github.com/sparlab/spar/dialog"
	"github.com/sparlab/spar/dialog/llm"
	"github.com/sparlab/spar/dialog/persona"
	"github.com/sparlab/spar/dialog/scenario"
	sttinstant "github.com/sparlab/spar/dialog/stt/instant"
	ttscache "github.com/sparlab/spar/dialog/tts/cache"
	ttsinstant "github.com/sparlab/spar/dialog/tts/instant"
	ttsopenai "github.com/sparlab/spar/dialog/tts/openai"
	"github.com/sparlab/spar/media"
	"github.com/sparlab/spar/web/metrics"
)

// scenarioFile is the shipped double-charge scenario under another id, with a providers
// block appended after its last line (see blockLine).
func scenarioFile(t *testing.T, id, providers string) []byte {
	t.Helper()
	data, err := configs.Scenarios.ReadFile("scenarios/double-charge.yaml")
	if err != nil {
		t.Fatal(err)
	}
	data = bytes.Replace(data, []byte("\nid: double-charge\n"), []byte("\nid: "+id+"\n"), 1)
	return append(data, providers...)
}

// blockLine is the line of the k-th setting (from 0) in a providers block appended by
// scenarioFile ("\nproviders:\n  persona: ..."), as a position in error messages.
func blockLine(t *testing.T, k int) string {
	t.Helper()
	data, err := configs.Scenarios.ReadFile("scenarios/double-charge.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return strconv.Itoa(bytes.Count(data, []byte("\n")) + 2 + k)
}

// writeScenarios writes id -> providers block as scenario files in a new directory.
func writeScenarios(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for id, block := range files {
		if err := os.WriteFile(filepath.Join(dir, id+".yaml"), scenarioFile(t, id, block), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// loadTestConfig loads yaml as spar.yaml with env as the environment.
func loadTestConfig(t *testing.T, yaml string, env map[string]string) (Config, error) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "spar.yaml")
	if err := os.WriteFile(path, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	return loadConfig(path, func(k string) string { return env[k] })
}

// seenRequest is what the fake vendor was asked, per request.
type seenRequest struct{ path, auth, model, voice string }

// recordingAPI puts fakeOpenAI (providers_e2e_test.go) behind a recorder of each request's
// key, model and voice. onChat runs once a chat request has been read.
type recordingAPI struct {
	fake   *fakeOpenAI
	onChat func()
	mu     sync.Mutex
	seen   []seenRequest
}

func (a *recordingAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	var req struct{ Model, Voice string }
	json.Unmarshal(body, &req)
	a.mu.Lock()
	a.seen = append(a.seen, seenRequest{r.URL.Path, r.Header.Get("Authorization"), req.Model, req.Voice})
	a.mu.Unlock()
	if r.URL.Path == "/v1/chat/completions" && a.onChat != nil {
		a.onChat()
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	a.fake.ServeHTTP(w, r)
}

func (a *recordingAPI) requests() []seenRequest {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]seenRequest(nil), a.seen...)
}

// TestScenarioProviders builds the engines of two scenarios with different providers: the
// offline defaults for one, a named LLM and the OpenAI-compatible TTS with its own voice for
// the other. Each gets its own, and each vendor request carries its instance's model and key.
func TestScenarioProviders(t *testing.T) {
	api := &recordingAPI{fake: &fakeOpenAI{}}
	srv := httptest.NewServer(api)
	defer srv.Close()
	dir := writeScenarios(t, map[string]string{
		"plain":  "",
		"vendor": "providers:\n  persona: llm-fast\n  tts: openai\n  voice: nova\n",
	})
	cfg, err := loadTestConfig(t, `scenario_dir: `+dir+`
providers:
  stt: instant
  tts: instant
  openai_tts: {base_url: "`+srv.URL+`", api_key_env: TTS_KEY}
  llm: {base_url: "`+srv.URL+`", model: slow-model}
  named:
    llm-fast: {type: llm, base_url: "`+srv.URL+`", model: fast-model, api_key_env: FAST_KEY}
`, map[string]string{"TTS_KEY": "tts-secret", "FAST_KEY": "fast-secret", "OPENAI_API_KEY": "default-secret"})
	if err != nil {
		t.Fatal(err)
	}
	catalog, err := loadScenarios(dir)
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
	plainSc, _ := catalog.Get("plain")
	vendorSc, _ := catalog.Get("vendor")
	plain, err := prov.of(plainSc)
	if err != nil {
		t.Fatal(err)
	}
	// The studio transcribes uploaded recordings with the default recognizer the calls share.
	if stt, err := prov.defaultSTT(); err != nil || stt != plain.stt {
		t.Errorf("defaultSTT: %T %v, want the calls' default recognizer %T", stt, err, plain.stt)
	}
	vendor, err := prov.of(vendorSc)
	if err != nil {
		t.Fatal(err)
	}
	// A studio version published after start gets its engines at its first call: the same
	// shared ones as a file scenario naming the same providers.
	studioSc := *vendorSc
	studioSc.ID, studioSc.Version = "vendor-copy", 2
	copied, err := prov.of(&studioSc)
	if err != nil {
		t.Fatal(err)
	}
	if copied == vendor || copied.names != vendor.names || copied.engine != vendor.engine || copied.voice != vendor.voice {
		t.Errorf("a studio copy of vendor runs on %+v (engine shared: %v), want its own entry on vendor's engines %+v",
			copied.names, copied.engine == vendor.engine, vendor.names)
	}

	if want := (scenario.Providers{Persona: "scripted", STT: "instant", TTS: "instant"}); plain.names != want {
		t.Errorf("plain scenario runs on %+v, want the defaults %+v", plain.names, want)
	}
	if want := (scenario.Providers{Persona: "llm-fast", STT: "instant", TTS: "openai"}); vendor.names != want {
		t.Errorf("vendor scenario runs on %+v, want %+v", vendor.names, want)
	}
	// Every voice sits behind the persona line cache.
	plainTTS, okP := plain.tts.(*ttscache.Synth)
	vendorTTS, okV := vendor.tts.(*ttscache.Synth)
	if !okP || !okV {
		t.Fatalf("tts %T and %T: want each behind the line cache", plain.tts, vendor.tts)
	}
	if _, ok := plainTTS.Unwrap().(*ttsinstant.Synthesizer); !ok {
		t.Errorf("plain tts is %T, want the instant synthesizer", plainTTS.Unwrap())
	}
	if _, ok := vendorTTS.Unwrap().(*ttsopenai.Synth); !ok {
		t.Errorf("vendor tts is %T, want the OpenAI-compatible one", vendorTTS.Unwrap())
	}
	if _, ok := plain.stt.(*sttinstant.Recognizer); !ok || plain.stt != vendor.stt {
		t.Errorf("stt %T and %T: want one instant recognizer shared by both", plain.stt, vendor.stt)
	}
	if plain.engine == vendor.engine {
		t.Error("both scenarios share one engine, so one TTS")
	}
	if plain.voice != "slt" || vendor.voice != "nova" {
		t.Errorf("voices %q and %q, want persona.voice slt and providers.voice nova", plain.voice, vendor.voice)
	}
	if _, ok := plain.persona(plainSc, 1, nil).(*persona.Scripted); !ok {
		t.Error("plain persona is not the scripted one")
	}

	// The vendor scenario's persona asks the named LLM; its TTS speaks with the scenario's voice.
	ctx, cancel := context.WithCancel(t.Context())
	api.onChat = cancel // the request is recorded: no need for the slow fake's whole reply
	p, ok := vendor.persona(vendorSc, 1, slog.New(slog.DiscardHandler)).(*llm.Persona)
	if !ok {
		t.Fatal("vendor persona is not the LLM one")
	}
	p.Respond(ctx, dialog.Input{Kind: dialog.InputAnswer}, func(string) error { return nil })
	if err := vendor.tts.Synthesize(t.Context(), "Hi.", vendor.voice, media.Discard); err != nil {
		t.Fatal(err)
	}
	if err := plain.tts.Synthesize(t.Context(), "Hi.", plain.voice, media.Discard); err != nil {
		t.Fatal(err)
	}
	want := []seenRequest{
		{"/v1/chat/completions", "Bearer fast-secret", "fast-model", ""},
		{"/v1/audio/speech", "Bearer tts-secret", "tts-1", "nova"},
	}
	if got := api.requests(); len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("vendor requests:\ngot  %+v\nwant %+v", got, want)
	}
}

// TestScenarioProvidersUnknown: a scenario naming a provider the config lacks stops the
// build with the file:line:col of the name and what to add to the config.
func TestScenarioProvidersUnknown(t *testing.T) {
	tests := []struct {
		name, block string
		want        []string
	}{
		{"unknown name", "providers:\n  persona: llm-slow\n",
			[]string{"bad.yaml:" + blockLine(t, 0) + ":12: providers.persona \"llm-slow\"", "has no persona provider of that name (it has scripted, llm)", "providers.named", "llm-slow: {type: llm"}},
		{"vendor not configured", "providers:\n  tts: elevenlabs\n",
			[]string{"bad.yaml:" + blockLine(t, 0) + ":8: providers.tts \"elevenlabs\"", "add `elevenlabs: {default_voice: <voice id>}` under providers:"}},
		{"wrong role", "providers:\n  stt: llm\n",
			[]string{"bad.yaml:" + blockLine(t, 0) + ":8:", "llm is a persona provider, not an stt one"}},
		{"voice the offline tts lacks", "providers:\n  voice: nova\n",
			[]string{"bad.yaml:" + blockLine(t, 0) + ":10: providers.voice \"nova\"", "offline tts has no such voice"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeScenarios(t, map[string]string{"bad": tc.block, "good": ""})
			cfg, err := loadTestConfig(t, "scenario_dir: "+dir+"\nproviders:\n  stt: instant\n  llm: {model: m}\n", nil)
			if err != nil {
				t.Fatal(err)
			}
			catalog, err := loadScenarios(dir)
			if err != nil {
				t.Fatal(err)
			}
			_, err = buildProviders(cfg, catalog, nil, slog.New(slog.DiscardHandler))
			if err == nil {
				t.Fatal("built providers for a scenario naming one the server lacks")
			}
			for _, w := range append(tc.want, filepath.Join(dir, "bad.yaml")) {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
		})
	}
}

// TestLintWithConfig: `spar scenario lint --config` reports a provider the server lacks at
// its file:line:col; without a config only the files' shape is checked.
func TestLintWithConfig(t *testing.T) {
	t.Setenv("SPAR_CONFIG", "")
	dir := writeScenarios(t, map[string]string{"bad": "providers:\n  persona: llm-slow\n  sst: x\n"})
	cfgPath := filepath.Join(t.TempDir(), "spar.yaml")
	if err := os.WriteFile(cfgPath, []byte("providers:\n  llm: {model: m}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := lintCmd([]string{"--config", cfgPath, dir}, &out, io.Discard); err != errLint {
		t.Fatalf("err = %v, want errLint", err)
	}
	file := filepath.Join(dir, "bad.yaml")
	for _, want := range []string{
		file + ":" + blockLine(t, 0) + `:12: providers.persona "llm-slow": this server has no persona provider of that name (it has scripted, llm)`,
		file + ":" + blockLine(t, 1) + `:3: unknown key "sst" in providers (known: persona, stt, tts, voice)`,
	} {
		if !strings.Contains(out.String(), want+"\n") && !strings.Contains(out.String(), want+":") {
			t.Errorf("lint output lacks %q:\n%s", want, out.String())
		}
	}
	out.Reset()
	lintCmd([]string{dir}, &out, io.Discard)
	if strings.Contains(out.String(), "llm-slow") || !strings.Contains(out.String(), `unknown key "sst"`) {
		t.Errorf("lint without a config:\n%s\nwant only the unknown key", out.String())
	}
}
