package instant

import (
	"errors"
	"time"
)

// Config shapes the tone speech.
type Config struct {
	// Word is the tone length of one word. Default 200ms.
	Word time.Duration `yaml:"word"`
	// Gap is the silence between words. Default 60ms.
	Gap time.Duration `yaml:"gap"`
	// Comma is the silence after a word ending in "," ";" or ":". Default 200ms.
	Comma time.Duration `yaml:"comma"`
	// Ellipsis is the silence after a word ending in "..." (a mid-sentence pause). Default 600ms.
	Ellipsis time.Duration `yaml:"ellipsis"`
	// Level is the tone's peak amplitude. Default 8000 (about -12 dBFS).
	Level int `yaml:"level"`
}

func (c Config) withDefaults() Config {
	if c.Word <= 0 {
		c.Word = 200 * time.Millisecond
	}
	if c.Gap <= 0 {
		c.Gap = 60 * time.Millisecond
	}
	if c.Comma <= 0 {
		c.Comma = 200 * time.Millisecond
	}
	if c.Ellipsis <= 0 {
		c.Ellipsis = 600 * time.Millisecond
	}
	if c.Level <= 0 {
		c.Level = 8000
	}
	return c
}

// Validate reports settings that cannot work.
func (c Config) Validate() error {
	if c.Word < 0 || c.Gap < 0 || c.Comma < 0 || c.Ellipsis < 0 {
		return errors.New("instant tts: durations must not be negative")
	}
	if c.Level < 0 || c.Level > 32767 {
		return errors.New("instant tts: level must be 0..32767")
	}
	return nil
}
