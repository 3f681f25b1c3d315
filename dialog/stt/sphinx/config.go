package sphinx

import (
	"errors"
	"fmt"
	"path/filepath"
)

// Recognition modes.
const (
	// ModeLM decodes with the n-gram language model: free speech, weak on phone audio.
	ModeLM = "lm"
	// ModeGrammar decodes with a JSGF grammar built from the call's STTOptions.Phrases plus a
	// loop over common conversational words. Without phrases it falls back to the LM.
	ModeGrammar = "grammar"
)

// DefaultModelDir is where Debian's pocketsphinx-en-us puts the acoustic model.
const DefaultModelDir = "/usr/share/pocketsphinx/model/en-us/en-us"

// Config locates the model and sizes the decoder pool.
type Config struct {
	// ModelDir is the acoustic model directory. Default DefaultModelDir.
	ModelDir string `yaml:"model_dir"`
	// LM is the language model. Default en-us.lm.bin beside ModelDir.
	LM string `yaml:"lm"`
	// Dict is the pronunciation dictionary. Default cmudict-en-us.dict beside ModelDir.
	Dict string `yaml:"dict"`
	// Mode is ModeLM (default) or ModeGrammar.
	Mode string `yaml:"mode"`
	// PoolSize is how many decoders of each band (wideband, narrowband) are kept warm; an
	// utterance holds one while it is decoded. Default 2.
	PoolSize int `yaml:"pool_size"`
	// SecondPass runs pocketsphinx's flat-lexicon second pass when an utterance ends: a
	// little more accurate, but the final transcript (and so the persona's reply) comes about
	// half a second later. Default off.
	SecondPass bool `yaml:"second_pass"`
}

// WithDefaults returns c with every unset field at its default: what New runs with. cmd's
// doctor reads the paths it checks from here.
func (c Config) WithDefaults() Config { return c.withDefaults() }

func (c Config) withDefaults() Config {
	if c.ModelDir == "" {
		c.ModelDir = DefaultModelDir
	}
	if c.LM == "" {
		c.LM = filepath.Join(filepath.Dir(c.ModelDir), "en-us.lm.bin")
	}
	if c.Dict == "" {
		c.Dict = filepath.Join(filepath.Dir(c.ModelDir), "cmudict-en-us.dict")
	}
	if c.Mode == "" {
		c.Mode = ModeLM
	}
	if c.PoolSize == 0 {
		c.PoolSize = 2
	}
	return c
}

// Validate checks the configuration after defaults are applied. Files are checked by New.
func (c Config) Validate() error {
	c = c.withDefaults()
	var errs []error
	switch c.Mode {
	case ModeLM, ModeGrammar:
	default:
		errs = append(errs, fmt.Errorf("sphinx: config: mode %q: want lm or grammar", c.Mode))
	}
	if c.PoolSize < 1 || c.PoolSize > 64 {
		errs = append(errs, fmt.Errorf("sphinx: config: pool_size %d: want 1-64", c.PoolSize))
	}
	return errors.Join(errs...)
}
