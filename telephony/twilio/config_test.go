package twilio

import (
	"strings"
	"testing"
	"time"
)

func TestConfigValidate(t *testing.T) {
	cases := []struct {
		name  string
		tweak func(*Config)
		field string // "" means valid
	}{
		{"defaults with token", func(*Config) {}, ""},
		{"no token", func(c *Config) { c.AuthToken = "" }, "auth_token"},
		{"no token, unchecked", func(c *Config) { c.AuthToken = ""; c.ValidateSignatures = false }, ""},
		{"public url with prefix", func(c *Config) { c.PublicURL = "https://example.com/spar" }, ""},
		{"public url ws scheme", func(c *Config) { c.PublicURL = "wss://example.com" }, "public_url"},
		{"public url query", func(c *Config) { c.PublicURL = "https://example.com/?a=1" }, "public_url"},
		{"public url no host", func(c *Config) { c.PublicURL = "https:///x" }, "public_url"},
		{"menu digit", func(c *Config) { c.Menu = []MenuItem{{Digit: "12", Scenario: "a"}} }, "menu[0].digit"},
		{"menu duplicate", func(c *Config) { c.Menu = []MenuItem{{Digit: "1", Scenario: "a"}, {Digit: "1", Scenario: "b"}} }, "menu[1].digit"},
		{"menu scenario", func(c *Config) { c.Menu = []MenuItem{{Digit: "#"}} }, "menu[0].scenario"},
		{"number without scenario", func(c *Config) { c.Numbers = map[string]string{"+1555": ""} }, "numbers"},
		{"learner without id", func(c *Config) { c.Learners = map[string]string{"+1555": ""} }, "learners"},
		{"message limit", func(c *Config) { c.MaxMessageBytes = 10 }, "max_message_bytes"},
		{"mark every", func(c *Config) { c.MarkEvery = 0 }, "mark_every"},
		{"send ahead negative", func(c *Config) { c.SendAhead = -1 }, "send_ahead"},
		{"send ahead too long", func(c *Config) { c.SendAhead = 2 * time.Second }, "send_ahead"},
		{"no send ahead", func(c *Config) { c.SendAhead = 0 }, ""},
		{"malformed", func(c *Config) { c.MaxMalformed = -1 }, "max_malformed"},
		{"start timeout", func(c *Config) { c.StartTimeout = 0 }, "start_timeout"},
		{"stream timeout", func(c *Config) { c.StreamTimeout = 0 }, "stream_timeout"},
		{"replay window shorter than a ticket", func(c *Config) { c.ReplayWindow = c.StreamTimeout / 2 }, "replay_window"},
		{"idle timeout", func(c *Config) { c.IdleTimeout = -1 }, "idle_timeout"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := DefaultConfig()
			c.AuthToken = "x"
			tc.tweak(&c)
			err := c.Validate()
			switch {
			case tc.field == "" && err != nil:
				t.Fatalf("unexpected error %v", err)
			case tc.field != "" && (err == nil || !strings.Contains(err.Error(), tc.field+":")):
				t.Fatalf("error %v, want one naming %s", err, tc.field)
			}
		})
	}
}
