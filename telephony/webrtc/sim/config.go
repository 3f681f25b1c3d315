package sim

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	twsim "github.com/sparlab/spar/telephony/twilio/sim"
)

// ErrInvalidConfig is wrapped by Config.Validate's errors.
var ErrInvalidConfig = errors.New("webrtc sim: invalid config")

// ErrRefused is returned when the server does not answer the offer with 200.
var ErrRefused = errors.New("webrtc sim: offer refused")

// Config describes one simulated browser call.
type Config struct {
	BaseURL  string       // the server, e.g. http://127.0.0.1:8080
	Scenario string       // scenario ID; required
	Learner  string       // the name the learner gives
	Script   twsim.Script // nil: say hello and hang up after the reply
	Voice    string       // flite voice for say steps; default twsim.DefaultVoice
	// Trickle signals over the WebSocket (GET /webrtc/ws) with trickle ICE, as the learner
	// page does; otherwise the offer, with every candidate, is one POST /webrtc/offer.
	Trickle bool
	// Header is added to every signaling request: a session cookie, or an API token
	// (Authorization: Bearer ...) to call as a signed-in learner.
	Header http.Header
	// Loopback allows 127.0.0.1 candidates (a server on the same machine, as in tests).
	Loopback bool
	// GreetTimeout and ReplyTimeout bound the waits for the persona, as in the Twilio sim.
	GreetTimeout, ReplyTimeout time.Duration
	// Print, if set, gets live progress lines.
	Print func(format string, args ...any)
}

func (c Config) withDefaults() Config {
	if c.Voice == "" {
		c.Voice = twsim.DefaultVoice
	}
	if c.GreetTimeout == 0 {
		c.GreetTimeout = twsim.DefaultGreetTimeout
	}
	if c.ReplyTimeout == 0 {
		c.ReplyTimeout = twsim.DefaultReplyTimeout
	}
	if c.Print == nil {
		c.Print = func(string, ...any) {}
	}
	if len(c.Script) == 0 {
		c.Script = twsim.Script{{Say: "Hello, this is Sam. How can I help you today?"}}
	}
	return c
}

// Validate reports the first invalid field.
func (c Config) Validate() error {
	u, err := url.Parse(c.BaseURL)
	switch {
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		return fmt.Errorf("%w: base URL %q", ErrInvalidConfig, c.BaseURL)
	case c.Scenario == "":
		return fmt.Errorf("%w: scenario is required", ErrInvalidConfig)
	}
	return c.Script.Validate()
}

// Result is what happened on one simulated call. Times are since the connection came up.
type Result struct {
	CallID          string
	Codec           string
	Duration        time.Duration
	PacketsSent     int
	PacketsReceived int
	Heard           []twsim.Segment // persona speech as received
	LearnerTurns    []twsim.Turn
	ServerClosed    bool // the server ended the call (the persona hung up)
}
