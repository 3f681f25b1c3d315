package sphinx

import (
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
)

// Recognition modes.
const (
	// ModeLM decodes with the n-gram language model: free speech, weak on phone audio.
	ModeLM = "lm"
	// ModeGrammar decodes with a JSGF grammar built from the call's STTOptions.Phrases plus a
	// loop over common conversational words. Without phrases it falls back to the LM.
	ModeGrammar = "grammar"
	// ModeAdapt decodes with the n-gram LM interpolated with a small trigram model built per
	// call from STTOptions.Phrases (each phrase a sentence), so the scenario's word sequences
	// gain probability while free speech still decodes. Opt-in: docs/BENCHMARKS.md has the
	// measurements. Without phrases it is the LM.
	ModeAdapt = "adapt"
)

// DefaultAdaptWeight is the phrase model's interpolation weight in adapt mode, chosen by
// measurement (docs/BENCHMARKS.md: 0.1, 0.3 and 0.5 measured).
const DefaultAdaptWeight = 0.1

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
	// Mode is ModeLM (default), ModeGrammar or ModeAdapt.
	Mode string `yaml:"mode"`
	// AdaptWeight is the weight of the call's phrase model in adapt mode, 0 < w < 1; the
	// general LM gets 1-w. Default DefaultAdaptWeight.
	AdaptWeight float64 `yaml:"adapt_weight"`
	// PoolSize is how many decoders of each band (wideband, narrowband) are kept warm; an
	// utterance holds one while it is decoded. Default DefaultPoolSize().
	PoolSize int `yaml:"pool_size"`
	// SecondPass runs pocketsphinx's flat-lexicon second pass when an utterance ends: a
	// little more accurate, but the final transcript (and so the persona's reply) comes about
	// half a second later. Default off.
	SecondPass bool `yaml:"second_pass"`

	// args are pocketsphinx arguments, name then value, that replace the decoder's of the
	// same name or are added to them: for measurements of other settings (BenchmarkDecodeCPU),
	// not configuration.
	args []string
}

// WithDefaults returns c with every unset field at its default: what New runs with. cmd's
// doctor reads the paths it checks from here.
func (c Config) WithDefaults() Config { return c.withDefaults() }

// DefaultPoolSize is the decoders per band when pool_size is unset: two per CPU the process
// may use (GOMAXPROCS, which follows a container's CPU limit), at least two. An utterance
// holds a decoder for as long as it is spoken but needs a CPU only in bursts, so decoders
// must outnumber cores: on a quiet 2-core box two per band held 12 concurrent offline calls
// but not 14, with utterances waiting for a decoder and a core idle, and four held 14 and 16
// in one run of two (docs/BENCHMARKS.md). Decoders are made as calls need them, about 100 MB
// each.
func DefaultPoolSize() int { return min(64, max(2, 2*runtime.GOMAXPROCS(0))) }

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
		c.PoolSize = DefaultPoolSize()
	}
	if c.AdaptWeight == 0 {
		c.AdaptWeight = DefaultAdaptWeight
	}
	return c
}

// Validate checks the configuration after defaults are applied. Files are checked by New.
func (c Config) Validate() error {
	c = c.withDefaults()
	var errs []error
	switch c.Mode {
	case ModeLM, ModeGrammar, ModeAdapt:
	default:
		errs = append(errs, fmt.Errorf("sphinx: config: mode %q: want lm, grammar or adapt", c.Mode))
	}
	if c.AdaptWeight <= 0 || c.AdaptWeight >= 1 {
		errs = append(errs, fmt.Errorf("sphinx: config: adapt_weight %v: want between 0 and 1", c.AdaptWeight))
	}
	if c.PoolSize < 1 || c.PoolSize > 64 {
		errs = append(errs, fmt.Errorf("sphinx: config: pool_size %d: want 1-64", c.PoolSize))
	}
	return errors.Join(errs...)
}
