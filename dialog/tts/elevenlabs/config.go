package elevenlabs

import (
	"cmp"
	"errors"
	"fmt"
	"time"

	"github.com/sparlab/spar/dialog/httpapi"
)

// Output formats Spar accepts.
const (
	FormatPCM16k = "pcm_16000" // browser calls: no conversion
	FormatUlaw8k = "ulaw_8000" // phone calls: the phone's own codec
)

// Config selects the model, voices and audio format.
type Config struct {
	// URL is the API root. Default "wss://api.elevenlabs.io".
	URL string `yaml:"url"`
	// Model is the model id. Default "eleven_flash_v2_5" (lowest latency).
	Model string `yaml:"model"`
	// DefaultVoice is the voice id used when a scenario's voice is not in Voices.
	DefaultVoice string `yaml:"default_voice"`
	// Voices maps a scenario's voice name (slt, rms...) to an ElevenLabs voice id.
	Voices map[string]string `yaml:"voices"`
	// OutputFormat is FormatPCM16k (default) or FormatUlaw8k.
	OutputFormat string `yaml:"output_format"`
	// Stability and SimilarityBoost are the voice settings, 0-1. Defaults 0.5 and 0.75.
	Stability       float64 `yaml:"stability"`
	SimilarityBoost float64 `yaml:"similarity_boost"`
	// APIKeyEnv names the environment variable holding the key. Default "ELEVENLABS_API_KEY".
	APIKeyEnv string `yaml:"api_key_env"`
	// APIKey is filled by cmd from APIKeyEnv; it never comes from the file.
	APIKey string `yaml:"-"`
	// FirstByteTimeout bounds the wait for the first audio. Default 3s.
	FirstByteTimeout time.Duration `yaml:"first_byte_timeout"`
}

// WithDefaults returns c with every unset field at its default: what New runs with. cmd
// reads the defaults from here (the key's variable, the URL and model doctor checks) so
// they are written once.
func (c Config) WithDefaults() Config {
	c.URL = cmp.Or(c.URL, "wss://api.elevenlabs.io")
	c.Model = cmp.Or(c.Model, "eleven_flash_v2_5")
	c.OutputFormat = cmp.Or(c.OutputFormat, FormatPCM16k)
	c.Stability = cmp.Or(c.Stability, 0.5)
	c.SimilarityBoost = cmp.Or(c.SimilarityBoost, 0.75)
	c.APIKeyEnv = cmp.Or(c.APIKeyEnv, "ELEVENLABS_API_KEY")
	c.FirstByteTimeout = cmp.Or(c.FirstByteTimeout, 3*time.Second)
	return c
}

// Validate checks the configuration after defaults are applied.
func (c Config) Validate() error {
	c = c.WithDefaults()
	var errs []error
	if !httpapi.ValidURL(c.URL, "ws", "wss") {
		errs = append(errs, fmt.Errorf("elevenlabs: config: url %q: want a ws(s) URL", c.URL))
	}
	if c.DefaultVoice == "" {
		errs = append(errs, errors.New("elevenlabs: config: default_voice: a voice id is required"))
	}
	if c.OutputFormat != FormatPCM16k && c.OutputFormat != FormatUlaw8k {
		errs = append(errs, fmt.Errorf("elevenlabs: config: output_format %q: want %s or %s", c.OutputFormat, FormatPCM16k, FormatUlaw8k))
	}
	if c.Stability < 0 || c.Stability > 1 || c.SimilarityBoost < 0 || c.SimilarityBoost > 1 {
		errs = append(errs, errors.New("elevenlabs: config: stability and similarity_boost must be 0-1"))
	}
	return errors.Join(errs...)
}
