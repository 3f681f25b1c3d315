package sim

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"
)

// Defaults applied by Run to zero Config fields.
const (
	DefaultVoice        = "awb"
	DefaultFrom         = "+15005550006"
	DefaultTo           = "+15005550001"
	DefaultGreetTimeout = 4 * time.Second
	DefaultReplyTimeout = 20 * time.Second
)

// Config describes one simulated call.
type Config struct {
	// BaseURL is the server's public base URL as configured on the server, e.g.
	// http://127.0.0.1:8080: webhook signatures are computed over it.
	BaseURL string
	// AuthToken is the Twilio auth token to sign requests with; empty sends them unsigned.
	AuthToken string
	// Scenario, if set, is added to the webhook URL (/twilio/voice?scenario=ID), the way a
	// Twilio number's webhook can name the scenario it practises.
	Scenario string
	// From and To are the caller ID and the dialed number.
	From, To string
	// Digits are pressed if the server answers with a <Gather> menu.
	Digits string
	// Script is what the caller does; nil plays DefaultScript.
	Script Script
	// Voice is the synthesizer voice for script lines.
	Voice string
	// Out receives live progress and transcript lines; nil is quiet.
	Out io.Writer
	// Record, if set, is a WAV path for what the caller heard (8 kHz mono).
	Record string
	// RecordStereo, if set, is a WAV path with the caller on the left, what it heard on the right.
	RecordStereo string
	// EventsURL, if set, gives the server's SSE timeline URL for a call ID; its events are
	// printed to Out. Failures there are not fatal.
	EventsURL func(callID string) string
	// GreetTimeout bounds how long the first step waits for the persona to greet.
	GreetTimeout time.Duration
	// ReplyTimeout bounds how long a step waits for the persona to reply to the caller's
	// previous line and finish speaking.
	ReplyTimeout time.Duration
	// DiscardAudio leaves Result.HeardAudio empty: the load generator runs many calls and
	// does not need it.
	DiscardAudio bool
	// HTTPClient places the webhook and SSE requests; nil uses a client without timeout
	// (the call's context bounds it).
	HTTPClient *http.Client
}

// withDefaults returns c with zero fields set to their defaults.
func (c Config) withDefaults() Config {
	if c.From == "" {
		c.From = DefaultFrom
	}
	if c.To == "" {
		c.To = DefaultTo
	}
	if c.Voice == "" {
		c.Voice = DefaultVoice
	}
	if c.Script == nil {
		c.Script = DefaultScript()
	}
	if c.GreetTimeout == 0 {
		c.GreetTimeout = DefaultGreetTimeout
	}
	if c.ReplyTimeout == 0 {
		c.ReplyTimeout = DefaultReplyTimeout
	}
	if c.HTTPClient == nil {
		c.HTTPClient = &http.Client{}
	}
	return c
}

// Validate reports whether c can place a call. Zero fields that have defaults are valid.
func (c Config) Validate() error {
	u, err := url.Parse(c.BaseURL)
	if err != nil {
		return fmt.Errorf("%w: base URL: %v", ErrInvalidConfig, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%w: base URL %q must be http(s)://host[:port][/path]", ErrInvalidConfig, c.BaseURL)
	}
	if c.GreetTimeout < 0 || c.ReplyTimeout < 0 {
		return fmt.Errorf("%w: negative timeout", ErrInvalidConfig)
	}
	for _, d := range c.Digits {
		if !isDigit(d) {
			return fmt.Errorf("%w: digits %q: only 0-9, * and #", ErrInvalidConfig, c.Digits)
		}
	}
	if err := c.Script.Validate(); err != nil {
		return err
	}
	return nil
}

func isDigit(r rune) bool { return r >= '0' && r <= '9' || r == '*' || r == '#' }
