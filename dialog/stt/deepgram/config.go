package deepgram

import (
	"cmp"
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/sparlab/spar/dialog/httpapi"
)

// DefaultURL is Deepgram's live transcription endpoint.
const DefaultURL = "wss://api.deepgram.com/v1/listen"

// Config selects the model and the endpointing Deepgram applies.
type Config struct {
	// URL is the listen endpoint. Default DefaultURL (a self-hosted Deepgram has its own).
	URL string `yaml:"url"`
	// Model is the model name. Default "nova-3".
	Model string `yaml:"model"`
	// Language is a BCP-47 tag such as "en-US"; empty leaves Deepgram's default (English).
	Language string `yaml:"language"`
	// Endpointing is the silence after which Deepgram marks speech_final. Default 300ms.
	Endpointing time.Duration `yaml:"endpointing"`
	// UtteranceEnd is the word gap that produces an UtteranceEnd message. Default 1s.
	UtteranceEnd time.Duration `yaml:"utterance_end"`
	// KeepAlive is how often a KeepAlive is sent while no audio flows (Deepgram closes an
	// idle stream after 10 s). Default 4s.
	KeepAlive time.Duration `yaml:"keepalive"`
	// Keyterms sends the call's expected phrases as keyterm prompts (nova-3). Default off.
	Keyterms bool `yaml:"keyterms"`
	// APIKeyEnv names the environment variable holding the key. Default "DEEPGRAM_API_KEY".
	APIKeyEnv string `yaml:"api_key_env"`
	// APIKey is filled by cmd from APIKeyEnv; it never comes from the file.
	APIKey string `yaml:"-"`
	// CloseTimeout bounds how long Close waits for the last results. Default 2s.
	CloseTimeout time.Duration `yaml:"close_timeout"`
}

// WithDefaults returns c with every unset field at its default: what New runs with. cmd
// reads the defaults from here (the key's variable, the URL and model doctor checks) so
// they are written once.
func (c Config) WithDefaults() Config {
	c.URL = cmp.Or(c.URL, DefaultURL)
	c.Model = cmp.Or(c.Model, "nova-3")
	c.Endpointing = cmp.Or(c.Endpointing, 300*time.Millisecond)
	c.UtteranceEnd = cmp.Or(c.UtteranceEnd, time.Second)
	c.KeepAlive = cmp.Or(c.KeepAlive, 4*time.Second)
	c.APIKeyEnv = cmp.Or(c.APIKeyEnv, "DEEPGRAM_API_KEY")
	c.CloseTimeout = cmp.Or(c.CloseTimeout, 2*time.Second)
	return c
}

// Validate checks the configuration after defaults are applied.
func (c Config) Validate() error {
	c = c.WithDefaults()
	var errs []error
	if !httpapi.ValidURL(c.URL, "ws", "wss") {
		errs = append(errs, fmt.Errorf("deepgram: config: url %q: want a ws(s) URL", c.URL))
	}
	if c.Endpointing < 10*time.Millisecond {
		errs = append(errs, fmt.Errorf("deepgram: config: endpointing %s: want at least 10ms", c.Endpointing))
	}
	if c.UtteranceEnd < time.Second {
		errs = append(errs, fmt.Errorf("deepgram: config: utterance_end %s: Deepgram's minimum is 1s", c.UtteranceEnd))
	}
	if c.KeepAlive <= 0 || c.KeepAlive >= 10*time.Second {
		errs = append(errs, fmt.Errorf("deepgram: config: keepalive %s: want under 10s", c.KeepAlive))
	}
	return errors.Join(errs...)
}

// query builds the listen URL for one stream.
func (c Config) query(narrowband bool, phrases []string) string {
	q := url.Values{}
	q.Set("model", c.Model)
	if narrowband {
		q.Set("encoding", "mulaw")
		q.Set("sample_rate", "8000")
	} else {
		q.Set("encoding", "linear16")
		q.Set("sample_rate", "16000")
	}
	q.Set("channels", "1")
	q.Set("interim_results", "true")
	q.Set("endpointing", fmt.Sprint(c.Endpointing.Milliseconds()))
	q.Set("utterance_end_ms", fmt.Sprint(c.UtteranceEnd.Milliseconds()))
	q.Set("vad_events", "true")
	q.Set("smart_format", "true")
	if c.Language != "" {
		q.Set("language", c.Language)
	}
	if c.Keyterms {
		for i, p := range phrases {
			if i == maxKeyterms {
				break
			}
			q.Add("keyterm", p)
		}
	}
	return c.URL + "?" + q.Encode()
}

// maxKeyterms keeps the URL short: Deepgram caps keyterm prompting at 500 tokens.
const maxKeyterms = 50
