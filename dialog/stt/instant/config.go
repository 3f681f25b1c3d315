package instant

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// DefaultLines are the transcripts used when Config.Lines is empty: a billing agent
// handling the double-charge scenario.
var DefaultLines = []string{
	"Hi, you're through to billing, this is Sam. How can I help you today?",
	"I'm really sorry about that. Being charged twice is frustrating. Let me look into it right now.",
	"I've refunded the duplicate charge. You'll see it back on your card within three to five days.",
	"Is there anything else I can help you with today?",
}

// Config is the recognizer's script and word detector.
type Config struct {
	// Lines are the final transcripts, one per utterance, repeated in order. Default DefaultLines.
	Lines []string `yaml:"lines"`
	// Confidences are the recognizer confidences (0..1) of the Lines' finals, in order; a line
	// without one gets 0, no confidence. In Words mode a final takes the confidence of the
	// line its first word came from.
	Confidences []float64 `yaml:"confidences"`
	// Words turns on word detection and interim transcripts (see the package doc). Without
	// it, Write only counts samples and each Flush gives the next whole line.
	Words bool `yaml:"words"`
	// WordGap is the unvoiced stretch that ends a word. Default 40ms.
	WordGap time.Duration `yaml:"word_gap"`
	// InterimEvery, in Words mode, sends interims only each time this much of an utterance's
	// audio has been written, as pocketsphinx does (every 300 ms): the words heard so far,
	// when they changed, with the audio they cover (Transcript.Heard). Zero sends one the
	// moment each word starts.
	InterimEvery time.Duration `yaml:"interim_every"`
	// Plain gives transcripts as pocketsphinx does: lower case, no punctuation.
	Plain bool `yaml:"plain"`
	// Threshold is the mean absolute sample value of a voiced 10 ms block. Default 300
	// (about -40 dBFS).
	Threshold int `yaml:"threshold"`
}

func (c Config) withDefaults() Config {
	if len(c.Lines) == 0 {
		c.Lines = DefaultLines
	}
	if c.WordGap <= 0 {
		c.WordGap = 40 * time.Millisecond
	}
	if c.Threshold <= 0 {
		c.Threshold = 300
	}
	return c
}

// Validate reports a script without words.
func (c Config) Validate() error {
	for _, l := range c.Lines {
		if len(strings.Fields(l)) == 0 {
			return errors.New("instant stt: lines: a line has no words")
		}
	}
	if n := len(c.withDefaults().Lines); len(c.Confidences) > n {
		return fmt.Errorf("instant stt: confidences: %d values for %d lines", len(c.Confidences), n)
	}
	for _, v := range c.Confidences {
		if !(v >= 0 && v <= 1) {
			return fmt.Errorf("instant stt: confidences: %v is not between 0 and 1", v)
		}
	}
	if c.WordGap < 0 || c.Threshold < 0 || c.InterimEvery < 0 {
		return errors.New("instant stt: word_gap, threshold and interim_every must not be negative")
	}
	return nil
}
