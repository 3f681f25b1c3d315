package openai

import (
	"cmp"
	"errors"
	"fmt"
	"time"

	"github.com/sparlab/spar/dialog/httpapi"
)

// Config selects the speech server, model and voices.
type Config struct {
	// BaseURL is the server root; speech comes from BaseURL + "/v1/audio/speech". A trailing
	// "/v1" is accepted. Default "https://api.openai.com" (Kokoro-FastAPI, openedai-speech
	// and Piper front-ends expose the same endpoint).
	BaseURL string `yaml:"base_url"`
	// Model is "tts-1", "gpt-4o-mini-tts" or the server's own name. Default "tts-1".
	Model string `yaml:"model"`
	// DefaultVoice is used when a scenario's voice is not in Voices. Default "alloy".
	DefaultVoice string `yaml:"default_voice"`
	// Voices maps a scenario's voice name (slt, rms...) to this server's voice.
	Voices map[string]string `yaml:"voices"`
	// Speed is the speaking rate, 0.25-4. Default 1.
	Speed float64 `yaml:"speed"`
	// Instructions steer gpt-4o-mini-tts's delivery ("sound tired and annoyed"); other
	// models ignore them.
	Instructions string `yaml:"instructions"`
	// APIKeyEnv names the environment variable holding the key. Default "OPENAI_API_KEY".
	APIKeyEnv string `yaml:"api_key_env"`
	// APIKey is filled by cmd from APIKeyEnv; it never comes from the file.
	APIKey string `yaml:"-"`
	// FirstByteTimeout bounds the wait for the first audio. Default 3s.
	FirstByteTimeout time.Duration `yaml:"first_byte_timeout"`
	// Timeout bounds one sentence. Default 20s.
	Timeout time.Duration `yaml:"timeout"`
}

// WithDefaults returns c with every unset field at its default: what New runs with. cmd
// reads the defaults from here (the key's variable, the URL and model doctor checks) so
// they are written once.
func (c Config) WithDefaults() Config {
	c.BaseURL = cmp.Or(c.BaseURL, "https://api.openai.com")
	c.Model = cmp.Or(c.Model, "tts-1")
	c.DefaultVoice = cmp.Or(c.DefaultVoice, "alloy")
	c.Speed = cmp.Or(c.Speed, 1)
	c.APIKeyEnv = cmp.Or(c.APIKeyEnv, "OPENAI_API_KEY")
	c.FirstByteTimeout = cmp.Or(c.FirstByteTimeout, 3*time.Second)
	c.Timeout = cmp.Or(c.Timeout, 20*time.Second)
	return c
}

// Validate checks the configuration after defaults are applied.
func (c Config) Validate() error {
	c = c.WithDefaults()
	var errs []error
	if !httpapi.ValidURL(c.BaseURL, "http", "https") {
		errs = append(errs, fmt.Errorf("openai tts: config: base_url %q: want an http(s) URL", c.BaseURL))
	}
	if c.Speed < 0.25 || c.Speed > 4 {
		errs = append(errs, fmt.Errorf("openai tts: config: speed %g: want 0.25-4", c.Speed))
	}
	if c.FirstByteTimeout < 0 || c.Timeout < c.FirstByteTimeout {
		errs = append(errs, fmt.Errorf("openai tts: config: first_byte_timeout %s must be positive and at most timeout %s", c.FirstByteTimeout, c.Timeout))
	}
	return errors.Join(errs...)
}
