package main

import (
	"github.com/sparlab/spar/dialog/llm"
	"github.com/sparlab/spar/dialog/stt/deepgram"
	"github.com/sparlab/spar/dialog/stt/whisper"
	"github.com/sparlab/spar/dialog/tts/elevenlabs"
	ttsopenai "github.com/sparlab/spar/dialog/tts/openai"
)

// providerSpec is one provider: an offline one by Type alone, or a vendor type with its
// settings (the field of that type; each package's Config owns its defaults). Under
// providers.named it is written as the type plus that type's settings, inline:
//
//	llm-fast: {type: llm, model: gpt-4o-mini, api_key_env: OPENAI_API_KEY}
type providerSpec struct {
	Type       string
	LLM        *llm.Config
	Deepgram   *deepgram.Config
	Whisper    *whisper.Config
	OpenAITTS  *ttsopenai.Config
	ElevenLabs *elevenlabs.Config
}

// UnmarshalYAML reads the type, then the rest as that type's settings. It takes the
// decoder's unmarshal function (not a node) so the config file's strictness holds inside:
// a misspelt key is still an error naming its line. An unknown type is Validate's to report.
func (s *providerSpec) UnmarshalYAML(unmarshal func(any) error) error {
	var head map[string]any
	if err := unmarshal(&head); err != nil {
		return err
	}
	t, _ := head["type"].(string)
	*s = providerSpec{Type: t}
	var err error
	switch t {
	case "llm":
		s.LLM, err = inline[llm.Config](unmarshal)
	case "deepgram":
		s.Deepgram, err = inline[deepgram.Config](unmarshal)
	case "whisper":
		s.Whisper, err = inline[whisper.Config](unmarshal)
	case "openai":
		s.OpenAITTS, err = inline[ttsopenai.Config](unmarshal)
	case "elevenlabs":
		s.ElevenLabs, err = inline[elevenlabs.Config](unmarshal)
	}
	return err
}

func inline[T any](unmarshal func(any) error) (*T, error) {
	var v struct {
		Type     string `yaml:"type"`
		Settings T      `yaml:",inline"`
	}
	err := unmarshal(&v)
	return &v.Settings, err
}

// role is the role of a vendor type ("" for the offline ones, which name their role).
func (s providerSpec) role() string { return vendorTypes[s.Type].role }

// configured reports whether the settings of s's vendor type are present.
func (s providerSpec) configured() bool {
	switch s.Type {
	case "llm":
		return s.LLM != nil
	case "deepgram":
		return s.Deepgram != nil
	case "whisper":
		return s.Whisper != nil
	case "openai":
		return s.OpenAITTS != nil
	case "elevenlabs":
		return s.ElevenLabs != nil
	}
	return false
}

// validate checks the settings of s's type.
func (s providerSpec) validate() error {
	switch s.Type {
	case "llm":
		return s.LLM.Validate()
	case "deepgram":
		return s.Deepgram.Validate()
	case "whisper":
		return s.Whisper.Validate()
	case "openai":
		return s.OpenAITTS.Validate()
	case "elevenlabs":
		return s.ElevenLabs.Validate()
	}
	return nil
}

// withKeys applies the defaults of every settings present and takes each key from the
// variable its api_key_env names.
func (s providerSpec) withKeys(getenv func(string) string) {
	if c := s.LLM; c != nil {
		*c = c.WithDefaults()
		c.APIKey = getenv(c.APIKeyEnv)
	}
	if c := s.Deepgram; c != nil {
		*c = c.WithDefaults()
		c.APIKey = getenv(c.APIKeyEnv)
	}
	if c := s.Whisper; c != nil {
		*c = c.WithDefaults()
		c.APIKey = getenv(c.APIKeyEnv)
	}
	if c := s.OpenAITTS; c != nil {
		*c = c.WithDefaults()
		c.APIKey = getenv(c.APIKeyEnv)
	}
	if c := s.ElevenLabs; c != nil {
		*c = c.WithDefaults()
		c.APIKey = getenv(c.APIKeyEnv)
	}
}
