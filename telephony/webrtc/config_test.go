package webrtc

import (
	"strings"
	"testing"
)

func TestConfigValidate(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(*Config)
		want string // "" for valid
	}{
		{"defaults", func(*Config) {}, ""},
		{"allowed origin", func(c *Config) { c.AllowedOrigins = []string{"https://learn.example.com:8443"} }, ""},
		{"origin with a path", func(c *Config) { c.AllowedOrigins = []string{"https://learn.example.com/app"} }, "allowed_origins[0]"},
		{"origin without a scheme", func(c *Config) { c.AllowedOrigins = []string{"learn.example.com"} }, "allowed_origins[0]"},
		{"no ping interval", func(c *Config) { c.PingInterval = 0 }, "ping_interval"},
		{"negative pending cap", func(c *Config) { c.MaxPendingPerClient = -1 }, "max_pending_per_client"},
		{"turn without credentials", func(c *Config) { c.ICEServers = []ICEServer{{URLs: []string{"turn:t.example.com"}}} }, "username and credential"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := DefaultConfig()
			tc.edit(&c)
			err := c.Validate()
			if (tc.want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tc.want)) {
				t.Errorf("Validate() = %v, want %q", err, tc.want)
			}
		})
	}
}
