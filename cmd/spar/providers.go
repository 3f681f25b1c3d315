package main

import (
	"cmp"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/sparlab/spar/dialog/llm"
	"github.com/sparlab/spar/dialog/scenario"
	"github.com/sparlab/spar/dialog/stt/deepgram"
	"github.com/sparlab/spar/dialog/stt/whisper"
	"github.com/sparlab/spar/dialog/tts/elevenlabs"
	ttsopenai "github.com/sparlab/spar/dialog/tts/openai"
)

// providersConfig is the `providers:` section of the config file (docs/PROVIDERS.md): the
// default engine of each role, the settings of the vendor engines, and more instances of
// them under names of the operator's choosing. Scenarios pick any of these by name.
type providersConfig struct {
	Persona string `yaml:"persona"` // default persona: scripted (default), llm or a named one
	STT     string `yaml:"stt"`     // default STT: sphinx (default), deepgram, whisper, instant or a named one
	TTS     string `yaml:"tts"`     // default TTS: flite (default), openai, elevenlabs, instant or a named one
	// Vendor settings. A vendor is available by its type name (llm, deepgram, whisper,
	// openai, elevenlabs) once its section is written here or it is a default.
	LLM        *llm.Config        `yaml:"llm"`
	Deepgram   *deepgram.Config   `yaml:"deepgram"`
	Whisper    *whisper.Config    `yaml:"whisper"`
	OpenAITTS  *ttsopenai.Config  `yaml:"openai_tts"`
	ElevenLabs *elevenlabs.Config `yaml:"elevenlabs"`
	// Named holds more instances: llm-fast: {type: llm, model: ...}.
	Named map[string]providerSpec `yaml:"named"`
}

// Provider roles, as scenarios' providers keys name them.
const (
	rolePersona = "persona"
	roleSTT     = "stt"
	roleTTS     = "tts"
)

// offlineProviders need no settings under providers: and are always available.
var offlineProviders = map[string][]string{
	rolePersona: {"scripted"},
	roleSTT:     {"sphinx", "instant"},
	roleTTS:     {"flite", "instant"},
}

// vendorTypes are the types a section or a named instance configures: the role each plays,
// its section under providers:, and the settings to show an operator who has none.
var vendorTypes = map[string]struct{ role, section, example string }{
	"llm":        {rolePersona, "llm", "{model: gpt-4o-mini}"},
	"deepgram":   {roleSTT, "deepgram", "{model: nova-3}"},
	"whisper":    {roleSTT, "whisper", "{model: whisper-1}"},
	"openai":     {roleTTS, "openai_tts", "{model: tts-1}"},
	"elevenlabs": {roleTTS, "elevenlabs", "{default_voice: <voice id>}"},
}

// defaultOf returns the default provider name of role.
func (p providersConfig) defaultOf(role string) string {
	switch role {
	case rolePersona:
		return cmp.Or(p.Persona, "scripted")
	case roleSTT:
		return cmp.Or(p.STT, "sphinx")
	}
	return cmp.Or(p.TTS, "flite")
}

// section returns the settings written under the vendor type's own key, nil when absent.
func (p providersConfig) section(typ string) providerSpec {
	s := providerSpec{Type: typ, LLM: p.LLM, Deepgram: p.Deepgram, Whisper: p.Whisper,
		OpenAITTS: p.OpenAITTS, ElevenLabs: p.ElevenLabs}
	if !s.configured() {
		return providerSpec{}
	}
	return s
}

// lookup finds the provider of role named name ("" for the default). Its error says what
// to add to the config file.
func (p providersConfig) lookup(role, name string) (providerSpec, error) {
	if name == "" {
		name = p.defaultOf(role)
	}
	if n, ok := p.Named[name]; ok {
		if r := n.role(); r != role {
			return providerSpec{}, fmt.Errorf("providers.named.%s is a %s provider, not %s one", name, r, aRole(role))
		}
		return n, nil
	}
	if slices.Contains(offlineProviders[role], name) {
		return providerSpec{Type: name}, nil
	}
	if v, ok := vendorTypes[name]; ok {
		if v.role != role {
			return providerSpec{}, fmt.Errorf("%s is a %s provider, not %s one", name, v.role, aRole(role))
		}
		if s := p.section(name); s.Type != "" {
			return s, nil
		}
		return providerSpec{}, fmt.Errorf("this server does not configure it: add `%s: %s` under providers: in spar.yaml (docs/PROVIDERS.md)", v.section, v.example)
	}
	return providerSpec{}, fmt.Errorf("this server has no %s provider of that name (it has %s): add it under providers.named in spar.yaml, e.g. `%s: {type: %s, ...}`",
		role, strings.Join(p.names(role), ", "), name, exampleType(role))
}

func aRole(role string) string {
	if role == roleSTT {
		return "an " + role
	}
	return "a " + role
}

func exampleType(role string) string {
	for _, t := range []string{"llm", "deepgram", "elevenlabs"} {
		if vendorTypes[t].role == role {
			return t
		}
	}
	return ""
}

// names lists the providers of role this server has.
func (p providersConfig) names(role string) []string {
	out := slices.Clone(offlineProviders[role])
	for t, v := range vendorTypes {
		if v.role == role && p.section(t).Type != "" {
			out = append(out, t)
		}
	}
	for n, s := range p.Named {
		if s.role() == role {
			out = append(out, n)
		}
	}
	slices.Sort(out[len(offlineProviders[role]):])
	return out
}

var nameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]*$`)

// Validate checks the defaults name providers the server has, the named instances, and the
// settings of every vendor provider configured.
func (p providersConfig) Validate() error {
	var errs []error
	for _, role := range []string{rolePersona, roleSTT, roleTTS} {
		if _, err := p.lookup(role, ""); err != nil {
			errs = append(errs, fmt.Errorf("providers: %s %q: %w", role, p.defaultOf(role), err))
		}
	}
	for _, t := range slices.Sorted(maps.Keys(vendorTypes)) {
		if s := p.section(t); s.Type != "" {
			if err := s.validate(); err != nil {
				errs = append(errs, fmt.Errorf("providers: %s: %w", vendorTypes[t].section, err))
			}
		}
	}
	for _, name := range slices.Sorted(maps.Keys(p.Named)) {
		s := p.Named[name]
		_, vendor := vendorTypes[name]
		switch {
		case !nameRE.MatchString(name):
			errs = append(errs, fmt.Errorf("providers: named: %q: use lower-case letters, digits, - and _", name))
		case vendor || isOffline(name):
			errs = append(errs, fmt.Errorf("providers: named: %q is a built-in provider's name: pick another", name))
		case s.Type == "":
			errs = append(errs, fmt.Errorf("providers: named: %s: type is required (one of %s)", name, vendorTypeList()))
		case !s.configured():
			errs = append(errs, fmt.Errorf("providers: named: %s: type %q: want one of %s", name, s.Type, vendorTypeList()))
		default:
			if err := s.validate(); err != nil {
				errs = append(errs, fmt.Errorf("providers: named: %s: %w", name, err))
			}
		}
	}
	return errors.Join(errs...)
}

func isOffline(name string) bool {
	for _, names := range offlineProviders {
		if slices.Contains(names, name) {
			return true
		}
	}
	return false
}

func vendorTypeList() string { return strings.Join(slices.Sorted(maps.Keys(vendorTypes)), ", ") }

// withKeys applies each vendor provider's defaults and fills its API key from the
// environment: keys never come from files. A vendor chosen as a default without a section
// gets one, with its defaults.
func (p *providersConfig) withKeys(getenv func(string) string) {
	for _, role := range []string{rolePersona, roleSTT, roleTTS} {
		switch p.defaultOf(role) {
		case "llm":
			p.LLM = cmpPtr(p.LLM)
		case "deepgram":
			p.Deepgram = cmpPtr(p.Deepgram)
		case "whisper":
			p.Whisper = cmpPtr(p.Whisper)
		case "openai":
			p.OpenAITTS = cmpPtr(p.OpenAITTS)
		case "elevenlabs":
			p.ElevenLabs = cmpPtr(p.ElevenLabs)
		}
	}
	all := providerSpec{LLM: p.LLM, Deepgram: p.Deepgram, Whisper: p.Whisper, OpenAITTS: p.OpenAITTS, ElevenLabs: p.ElevenLabs}
	all.withKeys(getenv)
	for _, s := range p.Named {
		s.withKeys(getenv)
	}
}

func cmpPtr[T any](p *T) *T {
	if p == nil {
		return new(T)
	}
	return p
}

// checkScenario returns the check scenario.CheckProviders runs for a scenario against this
// config: each name must be a provider of its role here, and a voice for the offline TTS
// must be one it has.
func (p providersConfig) checkScenario() func(scenario.Providers, string) error {
	return func(sp scenario.Providers, key string) error {
		if key != "voice" {
			_, err := p.lookup(key, sp.Get(key))
			return err
		}
		tts, err := p.lookup(roleTTS, sp.TTS)
		if err != nil || tts.Type != "flite" {
			return nil // a bad tts is reported on its own line; vendors take any voice id
		}
		if v := sp.Voice; !slices.Contains(scenario.FliteVoices, v) && !strings.HasPrefix(v, "espeak:") {
			return fmt.Errorf("the offline tts has no such voice: want one of %s, or espeak:<voice>", strings.Join(scenario.FliteVoices, ", "))
		}
		return nil
	}
}
