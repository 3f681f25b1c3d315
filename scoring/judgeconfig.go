package scoring

import (
	"cmp"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/sparlab/spar/dialog/httpapi"
)

// Judge types (JudgeConfig.Type).
const (
	JudgeDeterministic = "deterministic"
	JudgeLLM           = "llm"
)

// JudgeConfig picks the judge (the `scoring.judge` section). Zero fields take defaults.
type JudgeConfig struct {
	// Type is "deterministic" (default, offline) or "llm".
	Type string `yaml:"type"`
	// BaseURL is an OpenAI-compatible server root; the judge posts to
	// BaseURL + "/v1/chat/completions" (a trailing /v1 is accepted). Default
	// https://api.openai.com.
	BaseURL string `yaml:"base_url"`
	// Model is the model name the server knows. Default "gpt-4o-mini".
	Model string `yaml:"model"`
	// APIKeyEnv names the environment variable holding the key (default OPENAI_API_KEY).
	// Local servers need none: an unset variable sends no Authorization header.
	APIKeyEnv string `yaml:"api_key_env"`
	// APIKey is filled from APIKeyEnv by WithSecrets; it never comes from the file.
	APIKey string `yaml:"-"`
	// Timeout bounds one judging request (default 90s).
	Timeout time.Duration `yaml:"timeout"`
	// ResponseFormat is "json_object" (default: ask the server for JSON mode) or "none" for
	// servers that reject the response_format field. The reply must be JSON either way.
	ResponseFormat string `yaml:"response_format"`
	// MaxTokens caps the reply (default 3000).
	MaxTokens int `yaml:"max_tokens"`
	// MaxPromptTokens caps the prompt, estimated as characters / 4 (default 6000, at least
	// 2000). A call whose transcript does not fit is windowed: its opening and closing turns
	// and the turns around barge-ins and detected behaviours are sent, each stretch left out
	// replaced by one line saying how many turns and how long ("[… 14 turns, 2 min 10 s
	// omitted …]").
	MaxPromptTokens int `yaml:"max_prompt_tokens"`
}

// minPromptTokens is the smallest MaxPromptTokens: the instructions and a rubric take
// about 1350 to 1600 tokens, and some of the call must fit beside them.
const minPromptTokens = 2000

func (c JudgeConfig) withDefaults() JudgeConfig {
	c.Type = cmp.Or(c.Type, JudgeDeterministic)
	c.BaseURL = cmp.Or(c.BaseURL, "https://api.openai.com")
	c.Model = cmp.Or(c.Model, "gpt-4o-mini")
	c.APIKeyEnv = cmp.Or(c.APIKeyEnv, "OPENAI_API_KEY")
	c.Timeout = cmp.Or(c.Timeout, 90*time.Second)
	c.ResponseFormat = cmp.Or(c.ResponseFormat, "json_object")
	c.MaxTokens = cmp.Or(c.MaxTokens, 3000)
	c.MaxPromptTokens = cmp.Or(c.MaxPromptTokens, 6000)
	return c
}

// Validate reports the first unusable setting.
func (c JudgeConfig) Validate() error {
	c = c.withDefaults()
	switch {
	case c.Type != JudgeDeterministic && c.Type != JudgeLLM:
		return fmt.Errorf("%w: judge.type %q: want deterministic or llm", ErrInvalidConfig, c.Type)
	case c.Type == JudgeLLM && !httpapi.ValidURL(c.BaseURL, "http", "https"):
		return fmt.Errorf("%w: judge.base_url %q: want an http(s) URL", ErrInvalidConfig, c.BaseURL)
	case c.Timeout < 0 || c.MaxTokens < 0:
		return fmt.Errorf("%w: judge.timeout and judge.max_tokens must not be negative", ErrInvalidConfig)
	case c.MaxPromptTokens < minPromptTokens:
		return fmt.Errorf("%w: judge.max_prompt_tokens %d: want at least %d", ErrInvalidConfig, c.MaxPromptTokens, minPromptTokens)
	case c.ResponseFormat != "json_object" && c.ResponseFormat != "none":
		return fmt.Errorf("%w: judge.response_format %q: want json_object or none", ErrInvalidConfig, c.ResponseFormat)
	}
	return nil
}

// NewJudge returns the judge cfg selects, with the name its cards record, and whether it
// needs a fallback (an LLM judge does: Deterministic). hc is for the LLM judge; may be nil.
func NewJudge(cfg JudgeConfig, hc *http.Client) (j Judge, name string, needsFallback bool, err error) {
	if err := cfg.Validate(); err != nil {
		return nil, "", false, err
	}
	if cfg.withDefaults().Type == JudgeDeterministic {
		return Deterministic{}, JudgeDeterministic, false, nil
	}
	lj, err := NewLLMJudge(cfg, hc)
	if err != nil {
		return nil, "", false, err
	}
	return lj, lj.Name(), true, nil
}

// JudgeWords names the judge recorded on a scorecard ("deterministic", "llm:<model>") in
// words for a trainer: "the offline rules", "the AI judge (gpt-4o-mini)".
func JudgeWords(name string) string {
	switch {
	case name == JudgeDeterministic:
		return "the offline rules"
	case name == JudgeLLM:
		return "the AI judge"
	case strings.HasPrefix(name, JudgeLLM+":"):
		return "the AI judge (" + strings.TrimPrefix(name, JudgeLLM+":") + ")"
	case name == "":
		return "an unknown judge"
	}
	return name
}
