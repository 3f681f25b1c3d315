package llm

import (
	"cmp"
	"errors"
	"fmt"
	"time"

	"github.com/sparlab/spar/dialog/httpapi"
)

// DefaultBaseURL is OpenAI's API. Ollama, vLLM, llama.cpp server and Groq expose the same
// endpoint under their own base URL (docs/PROVIDERS.md).
const DefaultBaseURL = "https://api.openai.com"

// Config selects the chat server and model and bounds each turn.
type Config struct {
	// BaseURL is the server root; the client posts to BaseURL + "/v1/chat/completions".
	// A trailing "/v1" is accepted. Default DefaultBaseURL.
	BaseURL string `yaml:"base_url"`
	// Model is the model name the server knows. Default "gpt-4o-mini".
	Model string `yaml:"model"`
	// APIKeyEnv names the environment variable holding the key. Default "OPENAI_API_KEY".
	// Local servers (Ollama, llama.cpp) need none: an unset variable sends no Authorization.
	APIKeyEnv string `yaml:"api_key_env"`
	// APIKey is filled by cmd from APIKeyEnv; it never comes from the file.
	APIKey string `yaml:"-"`
	// MaxTokens caps one reply (a spoken turn is a few sentences). Default 150.
	MaxTokens int `yaml:"max_tokens"`
	// Temperature is the sampling temperature. Default 0.8.
	Temperature float64 `yaml:"temperature"`
	// FirstTokenTimeout is how long a turn waits for the first words before the persona
	// answers with its scripted line instead. Default 3s.
	FirstTokenTimeout time.Duration `yaml:"first_token_timeout"`
	// TurnTimeout bounds a whole reply. Default 20s.
	TurnTimeout time.Duration `yaml:"turn_timeout"`
	// History is how many earlier messages (learner and persona) are sent with each turn.
	// Default 24.
	History int `yaml:"history"`
}

// WithDefaults returns c with every unset field at its default: what New runs with. cmd
// reads the defaults from here (the key's variable, the URL and model doctor checks) so
// they are written once.
func (c Config) WithDefaults() Config {
	c.BaseURL = cmp.Or(c.BaseURL, DefaultBaseURL)
	c.Model = cmp.Or(c.Model, "gpt-4o-mini")
	c.APIKeyEnv = cmp.Or(c.APIKeyEnv, "OPENAI_API_KEY")
	c.MaxTokens = cmp.Or(c.MaxTokens, 150)
	c.Temperature = cmp.Or(c.Temperature, 0.8)
	c.FirstTokenTimeout = cmp.Or(c.FirstTokenTimeout, 3*time.Second)
	c.TurnTimeout = cmp.Or(c.TurnTimeout, 20*time.Second)
	c.History = cmp.Or(c.History, 24)
	return c
}

// Validate checks the configuration after defaults are applied.
func (c Config) Validate() error {
	c = c.WithDefaults()
	var errs []error
	if !httpapi.ValidURL(c.BaseURL, "http", "https") {
		errs = append(errs, fmt.Errorf("llm: config: base_url %q: want an http(s) URL", c.BaseURL))
	}
	if c.MaxTokens < 1 || c.MaxTokens > 4096 {
		errs = append(errs, fmt.Errorf("llm: config: max_tokens %d: want 1-4096", c.MaxTokens))
	}
	if c.Temperature < 0 || c.Temperature > 2 {
		errs = append(errs, fmt.Errorf("llm: config: temperature %g: want 0-2", c.Temperature))
	}
	if c.FirstTokenTimeout < 0 || c.TurnTimeout < c.FirstTokenTimeout {
		errs = append(errs, fmt.Errorf("llm: config: first_token_timeout %s must be positive and at most turn_timeout %s", c.FirstTokenTimeout, c.TurnTimeout))
	}
	if c.History < 0 {
		errs = append(errs, fmt.Errorf("llm: config: history %d: must not be negative", c.History))
	}
	return errors.Join(errs...)
}
