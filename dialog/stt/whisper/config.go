package whisper

import (
	"cmp"
	"errors"
	"fmt"
	"time"

	"github.com/sparlab/spar/dialog/httpapi"
)

// Config selects the transcription server and model.
type Config struct {
	// BaseURL is the server root; utterances go to BaseURL + "/v1/audio/transcriptions".
	// A trailing "/v1" is accepted. Default "https://api.openai.com".
	BaseURL string `yaml:"base_url"`
	// Model is the model name. Default "whisper-1" (faster-whisper servers take e.g.
	// "Systran/faster-whisper-small.en"; whisper.cpp ignores it).
	Model string `yaml:"model"`
	// Language is an ISO-639-1 code such as "en"; empty lets the server detect it.
	Language string `yaml:"language"`
	// Prompt sends the call's expected phrases as the prompt, which biases spelling.
	Prompt bool `yaml:"prompt"`
	// APIKeyEnv names the environment variable holding the key. Default "OPENAI_API_KEY".
	APIKeyEnv string `yaml:"api_key_env"`
	// APIKey is filled by cmd from APIKeyEnv; it never comes from the file.
	APIKey string `yaml:"-"`
	// Timeout bounds one utterance's request. Default 10s.
	Timeout time.Duration `yaml:"timeout"`
	// MaxUtterance caps the audio kept for one utterance. Default 60s.
	MaxUtterance time.Duration `yaml:"max_utterance"`
}

// WithDefaults returns c with every unset field at its default: what New runs with. cmd
// reads the defaults from here (the key's variable, the URL and model doctor checks) so
// they are written once.
func (c Config) WithDefaults() Config {
	c.BaseURL = cmp.Or(c.BaseURL, "https://api.openai.com")
	c.Model = cmp.Or(c.Model, "whisper-1")
	c.APIKeyEnv = cmp.Or(c.APIKeyEnv, "OPENAI_API_KEY")
	c.Timeout = cmp.Or(c.Timeout, 10*time.Second)
	c.MaxUtterance = cmp.Or(c.MaxUtterance, time.Minute)
	return c
}

// Validate checks the configuration after defaults are applied.
func (c Config) Validate() error {
	c = c.WithDefaults()
	var errs []error
	if !httpapi.ValidURL(c.BaseURL, "http", "https") {
		errs = append(errs, fmt.Errorf("whisper: config: base_url %q: want an http(s) URL", c.BaseURL))
	}
	if c.Timeout < 0 || c.MaxUtterance < time.Second {
		errs = append(errs, fmt.Errorf("whisper: config: timeout %s must not be negative and max_utterance %s at least 1s", c.Timeout, c.MaxUtterance))
	}
	return errors.Join(errs...)
}
