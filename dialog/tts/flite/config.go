package flite

import (
	"errors"
	"fmt"
	"strings"
)

// Config selects the synthesizer binaries and the default voice.
type Config struct {
	// Flite is the flite binary (Debian package flite). Default "flite".
	Flite string `yaml:"flite"`
	// Espeak is the espeak-ng binary (Debian package espeak-ng), used for "espeak:<voice>"
	// voices. Default "espeak-ng". Optional: a missing binary only disables those voices.
	Espeak string `yaml:"espeak"`
	// DefaultVoice is used when Synthesize gets an empty voice. Default "slt".
	DefaultVoice string `yaml:"default_voice"`
}

// WithDefaults returns c with every unset field at its default: what New runs with. cmd's
// doctor reads the paths it checks from here.
func (c Config) WithDefaults() Config { return c.withDefaults() }

func (c Config) withDefaults() Config {
	if c.Flite == "" {
		c.Flite = "flite"
	}
	if c.Espeak == "" {
		c.Espeak = "espeak-ng"
	}
	if c.DefaultVoice == "" {
		c.DefaultVoice = "slt"
	}
	return c
}

// Validate checks the configuration after defaults are applied. It does not look for the
// binaries: New does.
func (c Config) Validate() error {
	c = c.withDefaults()
	var errs []error
	if strings.ContainsAny(c.Flite, "\x00\n") {
		errs = append(errs, fmt.Errorf("flite: config: bad flite path %q", c.Flite))
	}
	if strings.ContainsAny(c.Espeak, "\x00\n") {
		errs = append(errs, fmt.Errorf("flite: config: bad espeak path %q", c.Espeak))
	}
	if _, _, err := parseVoice(c.DefaultVoice); err != nil {
		errs = append(errs, fmt.Errorf("flite: config: default_voice: %w", err))
	}
	return errors.Join(errs...)
}
