package main

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"path/filepath"
	"strings"
	"sync"

	"github.com/sparlab/spar/dialog"
	"github.com/sparlab/spar/dialog/llm"
	"github.com/sparlab/spar/dialog/persona"
	"github.com/sparlab/spar/dialog/scenario"
	"github.com/sparlab/spar/dialog/stt/deepgram"
	sttinstant "github.com/sparlab/spar/dialog/stt/instant"
	"github.com/sparlab/spar/dialog/stt/sphinx"
	"github.com/sparlab/spar/dialog/stt/whisper"
	ttscache "github.com/sparlab/spar/dialog/tts/cache"
	"github.com/sparlab/spar/dialog/tts/elevenlabs"
	"github.com/sparlab/spar/dialog/tts/flite"
	ttsinstant "github.com/sparlab/spar/dialog/tts/instant"
	ttsopenai "github.com/sparlab/spar/dialog/tts/openai"
	"github.com/sparlab/spar/web/metrics"
)

// personaFunc makes one call's persona.
type personaFunc func(sc *scenario.Scenario, seed int64, log *slog.Logger) dialog.Persona

// callProviders are the engines one scenario's calls run on.
type callProviders struct {
	names   scenario.Providers // resolved: persona, stt and tts names, never empty
	engine  *dialog.Engine
	stt     dialog.Transcriber
	tts     dialog.Synthesizer
	persona personaFunc
	voice   string // the TTS voice: the scenario's providers.voice, else its persona.voice
}

// scenarioProviders holds every scenario's engines. Each provider is built once and shared
// by the scenarios naming it. Studio scenarios, published while the server runs, get theirs
// when their first call starts.
type scenarioProviders struct {
	byID map[string]*callProviders // the file scenarios, built at start

	mu       sync.Mutex
	b        *providerBuilder
	byStudio map[scenario.Providers]*callProviders // resolved names and voice -> engines
}

// of returns the engines of a scenario: a file scenario's were built at start, a studio
// scenario's (Version > 0) are built now if no earlier call needed the same ones.
func (s *scenarioProviders) of(sc *scenario.Scenario) (*callProviders, error) {
	if cp, ok := s.byID[sc.ID]; ok && sc.Version == 0 {
		return cp, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cp := s.b.resolve(sc)
	key := cp.names
	key.Voice = cp.voice
	if have, ok := s.byStudio[key]; ok {
		return have, nil
	}
	if err := s.b.build(cp); err != nil {
		return nil, fmt.Errorf("scenario %s version %d: %w", sc.ID, sc.Version, err)
	}
	s.byStudio[key] = cp
	return cp, nil
}

// Close releases the engines that hold resources of their own (pocketsphinx's decoders and
// the feature file it writes at start), once the server's calls have ended.
func (s *scenarioProviders) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	var errs []error
	for _, t := range s.b.stt {
		if c, ok := t.(io.Closer); ok {
			errs = append(errs, c.Close())
		}
	}
	for _, t := range s.b.tts {
		if c, ok := t.(io.Closer); ok {
			errs = append(errs, c.Close())
		}
	}
	return errors.Join(errs...)
}

// defaultSTT is the server's default speech recognizer (the providers' default stt), built
// as for calls and shared with the calls that use it: the studio transcribes uploaded call
// recordings with it.
func (s *scenarioProviders) defaultSTT() (dialog.Transcriber, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.sttOf(s.b.cfg.Providers.defaultOf(roleSTT))
}

// scenarioPath names a scenario file as its author finds it: under dir, or in the source
// tree for the built-in ones.
func scenarioPath(dir, file string) string {
	if dir == "" {
		return filepath.Join("configs", file)
	}
	return filepath.Join(dir, file)
}

// checkScenarioProviders reports, as file:line:col, every provider a scenario names that
// the config does not have, with what to add to the config.
func checkScenarioProviders(p providersConfig, catalog *scenario.Catalog, dir string) error {
	var probs []string
	for _, sc := range catalog.List() {
		for _, pr := range sc.CheckProviders(p.checkScenario()) {
			pr.File = scenarioPath(dir, pr.File)
			probs = append(probs, pr.String())
		}
	}
	if len(probs) > 0 {
		return fmt.Errorf("scenarios name providers this server does not have:\n  %s", strings.Join(probs, "\n  "))
	}
	return nil
}

// buildProviders makes the engines of every scenario in catalog from cfg, reporting their
// timings and errors to m. A scenario naming a provider cfg lacks is an error.
func buildProviders(cfg Config, catalog *scenario.Catalog, m *metrics.Metrics, log *slog.Logger) (*scenarioProviders, error) {
	p := cfg.Providers
	if err := checkScenarioProviders(p, catalog, cfg.ScenarioDir); err != nil {
		return nil, err
	}
	b := &providerBuilder{cfg: cfg, m: m, log: log, hc: &http.Client{}, voices: map[string][]string{},
		stt: map[string]dialog.Transcriber{}, tts: map[string]dialog.Synthesizer{},
		persona: map[string]personaFunc{}, engines: map[[2]string]*dialog.Engine{}}
	out := &scenarioProviders{byID: map[string]*callProviders{}, b: b, byStudio: map[scenario.Providers]*callProviders{}}
	for _, sc := range catalog.List() {
		out.byID[sc.ID] = b.resolve(sc)
	}
	for _, cp := range out.byID {
		if err := b.build(cp); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// resolve names the providers of sc's calls, the config's defaults filling the gaps.
func (b *providerBuilder) resolve(sc *scenario.Scenario) *callProviders {
	p, n := b.cfg.Providers, sc.Providers
	cp := &callProviders{voice: sc.Persona.Voice, names: scenario.Providers{
		Persona: cmp.Or(n.Persona, p.defaultOf(rolePersona)),
		STT:     cmp.Or(n.STT, p.defaultOf(roleSTT)),
		TTS:     cmp.Or(n.TTS, p.defaultOf(roleTTS))}}
	if n.Voice != "" {
		cp.voice = n.Voice
		b.voices[cp.names.TTS] = append(b.voices[cp.names.TTS], n.Voice)
	}
	return cp
}

// build makes (or reuses) the engines cp names.
func (b *providerBuilder) build(cp *callProviders) error {
	var err error
	if cp.persona, err = b.personaOf(cp.names.Persona); err != nil {
		return fmt.Errorf("persona %s: %w", cp.names.Persona, err)
	}
	if cp.stt, err = b.sttOf(cp.names.STT); err != nil {
		return fmt.Errorf("speech recognition %s: %w", cp.names.STT, err)
	}
	if cp.tts, err = b.ttsOf(cp.names.TTS); err != nil {
		return fmt.Errorf("speech synthesis %s: %w", cp.names.TTS, err)
	}
	key := [2]string{cp.names.STT, cp.names.TTS}
	if b.engines[key] == nil {
		if b.engines[key], err = dialog.New(b.cfg.Dialog, cp.stt, cp.tts); err != nil {
			return err
		}
	}
	cp.engine = b.engines[key]
	return nil
}

// providerBuilder builds each named provider once.
type providerBuilder struct {
	cfg     Config
	m       *metrics.Metrics
	log     *slog.Logger
	hc      *http.Client
	voices  map[string][]string // tts name -> voice ids scenarios pass to it as is
	stt     map[string]dialog.Transcriber
	tts     map[string]dialog.Synthesizer
	persona map[string]personaFunc
	engines map[[2]string]*dialog.Engine
}

// label names a provider in metrics: the section of a built-in vendor (as before named
// instances existed), else the instance's name.
func label(name string) string {
	if v, ok := vendorTypes[name]; ok {
		return v.section
	}
	return name
}

func (b *providerBuilder) personaOf(name string) (personaFunc, error) {
	if f, ok := b.persona[name]; ok {
		return f, nil
	}
	s, err := b.cfg.Providers.lookup(rolePersona, name)
	if err != nil {
		return nil, err
	}
	f := func(sc *scenario.Scenario, seed int64, _ *slog.Logger) dialog.Persona {
		return persona.NewScripted(sc, seed)
	}
	if s.Type == "llm" {
		client, err := llm.NewClient(*s.LLM, b.hc)
		if err != nil {
			return nil, err
		}
		hooks := llm.Hooks{FirstToken: b.m.StageFunc(metrics.StageLLMFirstToken), Error: b.m.ProviderErrorFunc(label(name))}
		f = func(sc *scenario.Scenario, seed int64, log *slog.Logger) dialog.Persona {
			return llm.NewPersona(client, sc, seed, log, hooks)
		}
	}
	b.persona[name] = f
	return f, nil
}

func (b *providerBuilder) sttOf(name string) (dialog.Transcriber, error) {
	if t, ok := b.stt[name]; ok {
		return t, nil
	}
	s, err := b.cfg.Providers.lookup(roleSTT, name)
	if err != nil {
		return nil, err
	}
	var t dialog.Transcriber
	final, fault := b.m.StageFunc(metrics.StageSTTFinal), b.m.ProviderErrorFunc(label(name))
	switch s.Type {
	case "deepgram":
		t, err = deepgram.New(*s.Deepgram, b.log, deepgram.Hooks{Final: final, Error: fault})
	case "whisper":
		t, err = whisper.New(*s.Whisper, b.hc, b.log, whisper.Hooks{Final: final, Error: fault})
	case "instant":
		t, err = sttinstant.New(sttinstant.Config{})
	default:
		t, err = sphinx.New(b.cfg.STT, b.log)
	}
	if err != nil {
		return nil, err
	}
	b.stt[name] = t
	return t, nil
}

func (b *providerBuilder) ttsOf(name string) (dialog.Synthesizer, error) {
	if t, ok := b.tts[name]; ok {
		return t, nil
	}
	s, err := b.cfg.Providers.lookup(roleTTS, name)
	if err != nil {
		return nil, err
	}
	var t dialog.Synthesizer
	first, fault := b.m.StageFunc(metrics.StageTTSFirstByte), b.m.ProviderErrorFunc(label(name))
	switch s.Type {
	case "openai":
		c := *s.OpenAITTS
		c.Voices = withVoices(c.Voices, b.voices[name])
		t, err = ttsopenai.New(c, b.hc, ttsopenai.Hooks{FirstByte: first, Error: fault})
	case "elevenlabs":
		c := *s.ElevenLabs
		c.Voices = withVoices(c.Voices, b.voices[name])
		t, err = elevenlabs.New(c, elevenlabs.Hooks{FirstByte: first, Error: fault})
	case "instant":
		t, err = ttsinstant.New(ttsinstant.Config{})
	default:
		t, err = flite.New(b.cfg.TTS)
	}
	if err != nil {
		return nil, err
	}
	// A persona says some lines again and again (greetings, "are you still there?", its
	// reactions): those play from memory. 4 M samples: 8 MB, about four minutes of speech.
	t = ttscache.New(t, ttsCacheSamples)
	b.tts[name] = t
	return t, nil
}

// ttsCacheSamples is each voice provider's budget of remembered sentences, in samples.
const ttsCacheSamples = 4 << 20

// withVoices returns voices plus each id mapped to itself, so a scenario's providers.voice
// reaches the vendor as written (the synthesizers map a session's voice through Voices and
// fall back to their default voice).
func withVoices(voices map[string]string, ids []string) map[string]string {
	if len(ids) == 0 {
		return voices
	}
	out := maps.Clone(voices)
	if out == nil {
		out = map[string]string{}
	}
	for _, id := range ids {
		if _, mapped := out[id]; !mapped {
			out[id] = id
		}
	}
	return out
}
