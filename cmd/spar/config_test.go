package main

import (
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"
	"time"
)

func TestExampleConfigLoads(t *testing.T) {
	env := map[string]string{"TWILIO_AUTH_TOKEN": "secret", "SPAR_LISTEN": "127.0.0.1:9999"}
	cfg, err := loadConfig("../../configs/spar.example.yaml", func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Listen != "127.0.0.1:9999" || cfg.Twilio.AuthToken != "secret" || !cfg.Twilio.ValidateSignatures {
		t.Errorf("environment not applied: %+v", cfg)
	}
	if cfg.Twilio.Numbers["+15550001111"] != "double-charge" || len(cfg.Twilio.Menu) != 2 || cfg.ShutdownGrace != 2*time.Minute {
		t.Errorf("file not applied: %+v", cfg.Twilio)
	}
}

func TestConfigErrors(t *testing.T) {
	tests := []struct {
		name, yaml string
		env        map[string]string
		want       string
	}{
		{"unknown key", "listen: :1\nlisten_addr: x\n", nil, "listen_addr"},
		{"unknown nested key", "twilio:\n  max_malformd: 3\n", nil, "max_malformd"},
		{"bad duration", "shutdown_grace: soon\n", nil, "line 1"},
		{"bad public url", "public_url: ftp://x\n", nil, "public_url"},
		{"bad log level", "log_level: loud\n", nil, "log_level"},
		{"bad env duration", "", map[string]string{"SPAR_SHUTDOWN_GRACE": "x"}, "SPAR_SHUTDOWN_GRACE"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "c.yaml")
			if err := os.WriteFile(path, []byte(tc.yaml), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := loadConfig(path, func(k string) string { return tc.env[k] })
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want it to mention %q", err, tc.want)
			}
		})
	}
}

func TestDefaultsWithoutToken(t *testing.T) {
	cfg, err := loadConfig("", func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Twilio.ValidateSignatures {
		t.Error("signatures checked with no token to check them against")
	}
	if cfg.Twilio.DefaultScenario == "" || cfg.RedisURL != "" {
		t.Errorf("defaults = %+v", cfg)
	}
}

func TestProvidersConfig(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.yaml")
	yaml := "providers:\n  persona: llm\n  stt: whisper\n  llm:\n    base_url: http://localhost:11434\n    model: llama3.2\n    api_key_env: MY_LLM_KEY\n"
	if err := os.WriteFile(path, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"MY_LLM_KEY": "k1", "OPENAI_API_KEY": "k2"}
	cfg, err := loadConfig(path, func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Providers.LLM.APIKey != "k1" || cfg.Providers.Whisper.APIKey != "k2" {
		t.Errorf("keys not taken from the environment: llm %q whisper %q", cfg.Providers.LLM.APIKey, cfg.Providers.Whisper.APIKey)
	}
	if err := os.WriteFile(path, []byte("providers:\n  tts: polly\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := loadConfig(path, func(string) string { return "" }); err == nil || !strings.Contains(err.Error(), "polly") {
		t.Errorf("unknown provider: err = %v", err)
	}
}

// TestNamedProviders: providers.named instances decode as strictly as the rest of the file,
// take their keys from their own variables, and may be the defaults.
func TestNamedProviders(t *testing.T) {
	cfg, err := loadTestConfig(t, `providers:
  persona: llm-local
  tts: eleven-uk
  named:
    llm-local: {type: llm, base_url: "http://localhost:11434", model: llama3.2}
    eleven-uk: {type: elevenlabs, default_voice: v-uk, api_key_env: UK_KEY}
`, map[string]string{"UK_KEY": "k-uk", "OPENAI_API_KEY": "k-openai"})
	if err != nil {
		t.Fatal(err)
	}
	p := cfg.Providers
	local, uk := p.Named["llm-local"], p.Named["eleven-uk"]
	if local.LLM == nil || local.LLM.Model != "llama3.2" || local.LLM.APIKey != "k-openai" || local.LLM.MaxTokens != 150 {
		t.Errorf("llm-local = %+v: want its model, the default key variable's key and the package's defaults", local.LLM)
	}
	if uk.ElevenLabs == nil || uk.ElevenLabs.APIKey != "k-uk" || uk.ElevenLabs.DefaultVoice != "v-uk" {
		t.Errorf("eleven-uk = %+v", uk.ElevenLabs)
	}
	if s, err := p.lookup(rolePersona, ""); err != nil || s.LLM != local.LLM {
		t.Errorf("default persona = %+v, %v: want llm-local", s, err)
	}
	if p.LLM != nil || p.ElevenLabs != nil {
		t.Error("a vendor section appeared that the file does not write and no default names")
	}

	tests := []struct{ name, yaml, want string }{
		{"misspelt key inside", "providers:\n  named:\n    x: {type: llm, modle: m}\n", "line 3: field modle not found"},
		{"unknown type", "providers:\n  named:\n    x: {type: polly}\n", `x: type "polly": want one of deepgram, elevenlabs, llm, openai, whisper`},
		{"no type", "providers:\n  named:\n    x: {model: m}\n", "x: type is required"},
		{"built-in name", "providers:\n  named:\n    flite: {type: openai}\n", `"flite" is a built-in provider's name`},
		{"bad name", "providers:\n  named:\n    Fast LLM: {type: llm}\n", `"Fast LLM": use lower-case`},
		{"bad settings", "providers:\n  named:\n    x: {type: llm, temperature: 9}\n", "named: x: llm: config: temperature 9"},
		{"default of the wrong role", "providers:\n  stt: x\n  named:\n    x: {type: llm}\n", "providers.named.x is a persona provider, not an stt one"},
		{"default not defined", "providers:\n  tts: eleven\n", `tts "eleven": this server has no tts provider of that name`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := loadTestConfig(t, tc.yaml, nil)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want it to mention %q", err, tc.want)
			}
		})
	}
}

// TestGCPercent: spar serve sets its garbage-collection target unless GOGC is in the
// environment, which wins.
func TestGCPercent(t *testing.T) {
	before := debug.SetGCPercent(100)
	defer debug.SetGCPercent(before)
	setGCPercent(func(string) string { return "" })
	if got := debug.SetGCPercent(100); got != gcPercent {
		t.Errorf("without GOGC: GC percent %d, want %d", got, gcPercent)
	}
	setGCPercent(func(k string) string { return map[string]string{"GOGC": "200"}[k] })
	if got := debug.SetGCPercent(100); got != 100 {
		t.Errorf("with GOGC set: GC percent changed to %d", got)
	}
}
