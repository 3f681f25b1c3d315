package main

import (
	"fmt"
	"log/slog"
	"net/http"

	"github.com/sparlab/spar/dialog"
	"github.com/sparlab/spar/dialog/llm"
	"github.com/sparlab/spar/dialog/persona"
	"github.com/sparlab/spar/dialog/scenario"
	"github.com/sparlab/spar/dialog/stt/deepgram"
	sttinstant "github.com/sparlab/spar/dialog/stt/instant"
	"github.com/sparlab/spar/dialog/stt/sphinx"
	"github.com/sparlab/spar/dialog/stt/whisper"
	"github.com/sparlab/spar/dialog/tts/elevenlabs"
	"github.com/sparlab/spar/dialog/tts/flite"
	ttsinstant "github.com/sparlab/spar/dialog/tts/instant"
	ttsopenai "github.com/sparlab/spar/dialog/tts/openai"
	"github.com/sparlab/spar/web/metrics"
)

// providersConfig selects the model providers (docs/PROVIDERS.md). It is the `providers:`
// section of the config file; each provider's own section is its package's Config.
type providersConfig struct {
	Persona    string            `yaml:"persona"` // scripted (default) or llm
	STT        string            `yaml:"stt"`     // sphinx (default), deepgram, whisper or instant (benchmarks)
	TTS        string            `yaml:"tts"`     // flite (default), openai, elevenlabs or instant (benchmarks)
	LLM        llm.Config        `yaml:"llm"`
	Deepgram   deepgram.Config   `yaml:"deepgram"`
	Whisper    whisper.Config    `yaml:"whisper"`
	OpenAITTS  ttsopenai.Config  `yaml:"openai_tts"`
	ElevenLabs elevenlabs.Config `yaml:"elevenlabs"`
}

// Validate checks the provider choices and the chosen providers' settings.
func (p providersConfig) Validate() error {
	check := func(what, got string, ok ...string) error {
		if got == "" {
			return nil
		}
		for _, o := range ok {
			if got == o {
				return nil
			}
		}
		return fmt.Errorf("providers: %s %q: want one of %v", what, got, ok)
	}
	if err := check("persona", p.Persona, "scripted", "llm"); err != nil {
		return err
	}
	if err := check("stt", p.STT, "sphinx", "deepgram", "whisper", "instant"); err != nil {
		return err
	}
	if err := check("tts", p.TTS, "flite", "openai", "elevenlabs", "instant"); err != nil {
		return err
	}
	for use, v := range map[string]struct {
		on  bool
		cfg interface{ Validate() error }
	}{
		"llm":        {p.Persona == "llm", p.LLM},
		"deepgram":   {p.STT == "deepgram", p.Deepgram},
		"whisper":    {p.STT == "whisper", p.Whisper},
		"openai_tts": {p.TTS == "openai", p.OpenAITTS},
		"elevenlabs": {p.TTS == "elevenlabs", p.ElevenLabs},
	} {
		if v.on {
			if err := v.cfg.Validate(); err != nil {
				return fmt.Errorf("providers: %s: %w", use, err)
			}
		}
	}
	return nil
}

// keyFrom returns the API key named by env, or by def when env is empty.
func keyFrom(getenv func(string) string, env, def string) string {
	if env == "" {
		env = def
	}
	return getenv(env)
}

// withKeys fills each provider's API key from the environment: keys never come from files.
func (p *providersConfig) withKeys(getenv func(string) string) {
	p.LLM.APIKey = keyFrom(getenv, p.LLM.APIKeyEnv, "OPENAI_API_KEY")
	p.Deepgram.APIKey = keyFrom(getenv, p.Deepgram.APIKeyEnv, "DEEPGRAM_API_KEY")
	p.Whisper.APIKey = keyFrom(getenv, p.Whisper.APIKeyEnv, "OPENAI_API_KEY")
	p.OpenAITTS.APIKey = keyFrom(getenv, p.OpenAITTS.APIKeyEnv, "OPENAI_API_KEY")
	p.ElevenLabs.APIKey = keyFrom(getenv, p.ElevenLabs.APIKeyEnv, "ELEVENLABS_API_KEY")
}

// providers are the speech and persona engines serve runs calls with.
type providers struct {
	stt     dialog.Transcriber
	tts     dialog.Synthesizer
	persona func(sc *scenario.Scenario, seed int64, log *slog.Logger) dialog.Persona
}

// buildProviders makes the configured providers, reporting their timings and errors to m.
func buildProviders(cfg Config, m *metrics.Metrics, log *slog.Logger) (*providers, error) {
	p := cfg.Providers
	hc := &http.Client{}
	out := &providers{persona: func(sc *scenario.Scenario, seed int64, _ *slog.Logger) dialog.Persona {
		return persona.NewScripted(sc, seed)
	}}
	var err error
	switch p.STT {
	case "deepgram":
		out.stt, err = deepgram.New(p.Deepgram, log, deepgram.Hooks{
			Final: m.StageFunc(metrics.StageSTTFinal), Error: m.ProviderErrorFunc("deepgram")})
	case "whisper":
		out.stt, err = whisper.New(p.Whisper, hc, log, whisper.Hooks{
			Final: m.StageFunc(metrics.StageSTTFinal), Error: m.ProviderErrorFunc("whisper")})
	case "instant":
		out.stt, err = sttinstant.New(sttinstant.Config{})
	default:
		out.stt, err = sphinx.New(cfg.STT, log)
	}
	if err != nil {
		return nil, fmt.Errorf("speech recognition: %w", err)
	}
	switch p.TTS {
	case "openai":
		out.tts, err = ttsopenai.New(p.OpenAITTS, hc, ttsopenai.Hooks{
			FirstByte: m.StageFunc(metrics.StageTTSFirstByte), Error: m.ProviderErrorFunc("openai_tts")})
	case "elevenlabs":
		out.tts, err = elevenlabs.New(p.ElevenLabs, elevenlabs.Hooks{
			FirstByte: m.StageFunc(metrics.StageTTSFirstByte), Error: m.ProviderErrorFunc("elevenlabs")})
	case "instant":
		out.tts, err = ttsinstant.New(ttsinstant.Config{})
	default:
		out.tts, err = flite.New(cfg.TTS)
	}
	if err != nil {
		return nil, fmt.Errorf("speech synthesis: %w", err)
	}
	if p.Persona == "llm" {
		client, err := llm.NewClient(p.LLM, hc)
		if err != nil {
			return nil, fmt.Errorf("llm persona: %w", err)
		}
		hooks := llm.Hooks{FirstToken: m.StageFunc(metrics.StageLLMFirstToken), Error: m.ProviderErrorFunc("llm")}
		out.persona = func(sc *scenario.Scenario, seed int64, log *slog.Logger) dialog.Persona {
			return llm.NewPersona(client, sc, seed, log, hooks)
		}
	}
	return out, nil
}
