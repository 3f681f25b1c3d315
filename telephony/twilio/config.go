package twilio

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// Config is the Twilio transport's configuration (the `twilio:` section of spar.yaml).
type Config struct {
	// PublicURL is the base URL Twilio reaches this server at, e.g. https://spar.example.com
	// (a path prefix is kept). Signatures are checked against it and the TwiML names its
	// wss:// twin as the stream URL. When empty, each request's X-Forwarded-Proto and
	// X-Forwarded-Host (or its Host) stand in: fine for one node behind a simple tunnel, but
	// set it whenever a proxy rewrites the host or the scheme.
	PublicURL string `yaml:"public_url"`
	// AuthToken signs Twilio's requests. It comes from TWILIO_AUTH_TOKEN, never from YAML.
	AuthToken string `yaml:"-"`
	// ValidateSignatures checks X-Twilio-Signature on every request. Turn it off only for
	// local trials: anyone who finds the URL can then start calls.
	ValidateSignatures bool `yaml:"validate_signatures"`
	// Numbers maps a dialed number (E.164, as Twilio sends To) to a scenario ID.
	Numbers map[string]string `yaml:"numbers"`
	// Menu, when set, lets callers of an unmapped number pick a scenario with one key press.
	Menu []MenuItem `yaml:"menu"`
	// DefaultScenario answers calls no number or menu decided.
	DefaultScenario string `yaml:"default_scenario"`
	// AllowGuests lets unknown caller IDs practise as "guest:<caller ID>".
	AllowGuests bool `yaml:"allow_guests"`
	// Learners maps a caller ID (E.164) to a learner ID.
	Learners map[string]string `yaml:"learners"`
	// MaxMalformed is how many malformed, oversized or out-of-order messages a call
	// tolerates; one more ends it with ErrTooManyMalformed.
	MaxMalformed int `yaml:"max_malformed"`
	// MaxMessageBytes is the largest stream message parsed. Larger ones (up to four times
	// this) are skipped and counted; beyond that the socket is closed.
	MaxMessageBytes int64 `yaml:"max_message_bytes"`
	// MarkEvery is how many 20 ms outbound frames go between two marks: the granularity of
	// Played and so of what a barge-in knows was heard.
	MarkEvery int `yaml:"mark_every"`
	// SendAhead is how much persona audio is sent ahead of the caller's playout. Twilio
	// buffers what it is sent and a barge-in's clear drops it, so a large budget costs no
	// barge-in latency and rides out scheduling hiccups of a loaded server.
	SendAhead time.Duration `yaml:"send_ahead"`
	// StartTimeout bounds the wait for the stream's start message after the upgrade.
	StartTimeout time.Duration `yaml:"start_timeout"`
	// WriteTimeout bounds one write to the stream socket; a stuck socket ends the call.
	WriteTimeout time.Duration `yaml:"write_timeout"`
	// StreamTimeout is how long a connected call's ticket (and the line reserved for it at
	// the webhook) waits for Twilio to open its stream; after it the line is free again.
	StreamTimeout time.Duration `yaml:"stream_timeout"`
	// ReplayWindow is how long a CallSid is remembered: a webhook repeating one within it is
	// a replay and hears the busy message instead of starting a second call.
	ReplayWindow time.Duration `yaml:"replay_window"`
	// IdleTimeout ends a call whose stream has sent nothing for this long after start
	// (Twilio sends media every 20 ms, so a silent socket is a dead one).
	IdleTimeout time.Duration `yaml:"idle_timeout"`
	// MaxCalls caps live calls on this server; 0 means no cap. The webhook reserves a line
	// for each call it connects (held for StreamTimeout until the stream comes), so past the
	// cap the caller always hears that all practice lines are busy; a stream without a
	// reserved line finds the media endpoint answering 503. Calls
	// already running are never affected. See docs/BENCHMARKS.md for the measured capacity.
	MaxCalls int `yaml:"max_calls"`
}

// MenuItem is one choice of the DTMF menu.
type MenuItem struct {
	Digit    string `yaml:"digit"`    // one key: 0-9, * or #
	Scenario string `yaml:"scenario"` // scenario ID
	Title    string `yaml:"title"`    // spoken name; the scenario's title when empty
}

// DefaultConfig returns the defaults: signatures checked, guests allowed.
func DefaultConfig() Config {
	return Config{
		ValidateSignatures: true,
		AllowGuests:        true,
		MaxMalformed:       50,
		MaxMessageBytes:    64 << 10,
		MarkEvery:          5,
		SendAhead:          300 * time.Millisecond,
		StartTimeout:       10 * time.Second,
		WriteTimeout:       5 * time.Second,
		StreamTimeout:      20 * time.Second,
		ReplayWindow:       time.Hour,
		IdleTimeout:        10 * time.Second,
	}
}

// Validate reports the first invalid field, named as in YAML.
func (c Config) Validate() error {
	if c.PublicURL != "" {
		u, err := url.Parse(c.PublicURL)
		switch {
		case err != nil:
			return fmt.Errorf("twilio: public_url: %w", err)
		case u.Scheme != "https" && u.Scheme != "http":
			return errors.New("twilio: public_url: scheme must be https (or http for local trials)")
		case u.Host == "":
			return errors.New("twilio: public_url: missing host")
		case u.RawQuery != "" || u.Fragment != "" || u.User != nil:
			return errors.New("twilio: public_url: must not carry a query, fragment or user")
		}
	}
	if c.ValidateSignatures && c.AuthToken == "" {
		return errors.New("twilio: auth_token: required when validate_signatures is true (set TWILIO_AUTH_TOKEN)")
	}
	for num, sc := range c.Numbers {
		if num == "" || sc == "" {
			return fmt.Errorf("twilio: numbers: %q -> %q: number and scenario must be set", num, sc)
		}
	}
	seen := map[string]bool{}
	for i, it := range c.Menu {
		if len(it.Digit) != 1 || !strings.Contains("0123456789*#", it.Digit) {
			return fmt.Errorf("twilio: menu[%d].digit: %q is not one key (0-9, *, #)", i, it.Digit)
		}
		if seen[it.Digit] {
			return fmt.Errorf("twilio: menu[%d].digit: %q used twice", i, it.Digit)
		}
		seen[it.Digit] = true
		if it.Scenario == "" {
			return fmt.Errorf("twilio: menu[%d].scenario: required", i)
		}
	}
	for from, l := range c.Learners {
		if from == "" || l == "" {
			return fmt.Errorf("twilio: learners: %q -> %q: caller and learner must be set", from, l)
		}
	}
	switch {
	case c.MaxMalformed < 0:
		return fmt.Errorf("twilio: max_malformed: %d is negative", c.MaxMalformed)
	case c.MaxMessageBytes < 1024:
		return fmt.Errorf("twilio: max_message_bytes: %d is below 1024", c.MaxMessageBytes)
	case c.MarkEvery < 1:
		return fmt.Errorf("twilio: mark_every: %d must be at least 1", c.MarkEvery)
	case c.SendAhead < 0 || c.SendAhead > time.Second:
		return fmt.Errorf("twilio: send_ahead: %v must be between 0 and 1s", c.SendAhead)
	case c.StartTimeout <= 0:
		return fmt.Errorf("twilio: start_timeout: %v must be positive", c.StartTimeout)
	case c.WriteTimeout <= 0:
		return fmt.Errorf("twilio: write_timeout: %v must be positive", c.WriteTimeout)
	case c.StreamTimeout <= 0:
		return fmt.Errorf("twilio: stream_timeout: %v must be positive", c.StreamTimeout)
	case c.ReplayWindow < c.StreamTimeout:
		return fmt.Errorf("twilio: replay_window: %v must be at least stream_timeout (%v)", c.ReplayWindow, c.StreamTimeout)
	case c.IdleTimeout <= 0:
		return fmt.Errorf("twilio: idle_timeout: %v must be positive", c.IdleTimeout)
	case c.MaxCalls < 0:
		return fmt.Errorf("twilio: max_calls: %d is negative (0 means no cap)", c.MaxCalls)
	}
	return nil
}
