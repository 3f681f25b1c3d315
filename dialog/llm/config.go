package llm

import (
	"errors"
	"fmt"
	"net/url"
	"time"
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
func (c Config) WithDefaults() Config { return c.withDefaults() }

func (c Config) withDefaults() Config {
	if c.BaseURL == "" {
		c.BaseURL = DefaultBaseURL
	}
	if c.Model == "" {
		c.Model = "gpt-4o-mini"
	}
	if c.APIKeyEnv == "" {
		c.APIKeyEnv = "OPENAI_API_KEY"
	}
	if c.MaxTokens == 0 {
		c.MaxTokens = 150
	}
	if c.Temperature == 0 {
		c.Temperature = 0.8
	}
	if c.FirstTokenTimeout == 0 {
		c.FirstTokenTimeout = 3 * time.Second
	}
	if c.TurnTimeout == 0 {
		c.TurnTimeout = 20 * time.Second
	}
	if c.History == 0 {
		c.History = 24
	}
	return c
}

// Validate checks the configuration after defaults are applied.
func (c Config) Validate() error {
	c = c.withDefaults()
	var errs []error
	if u, err := url.Parse(c.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
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
