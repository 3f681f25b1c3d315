package sip

import (
	"strings"
	"testing"
)

func TestConfigValidate(t *testing.T) {
	ok := DefaultConfig()
	ok.Listen, ok.AllowFrom = "0.0.0.0:5060", []string{"10.0.0.0/8", "192.0.2.7"}
	if err := ok.Validate(); err != nil {
		t.Fatalf("valid config: %v", err)
	}
	if err := DefaultConfig().Validate(); err != nil || DefaultConfig().Enabled() {
		t.Fatalf("the default is off and valid: %v", err)
	}
	for _, tc := range []struct {
		name string
		mod  func(*Config)
		want string
	}{
		{"open to the world", func(c *Config) { c.AllowFrom = nil }, "allow_from"},
		{"username without password", func(c *Config) { c.Username = "pbx" }, "SPAR_SIP_PASSWORD"},
		{"bad cidr", func(c *Config) { c.AllowFrom = []string{"10.0.0.0/99"} }, "allow_from[0]"},
		{"no port", func(c *Config) { c.Listen = "0.0.0.0" }, "listen"},
		{"sctp", func(c *Config) { c.Transports = []string{"sctp"} }, "transports[0]"},
		{"external hostname", func(c *Config) { c.ExternalIP = "pbx.example.com" }, "external_ip"},
		{"half a port range", func(c *Config) { c.RTPPortMin = 10000 }, "rtp_port_min"},
		{"negative cap", func(c *Config) { c.MaxCalls = -1 }, "max_calls"},
		{"empty number", func(c *Config) { c.Numbers = map[string]string{"": "x"} }, "numbers"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := ok
			tc.mod(&c)
			if err := c.Validate(); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want one naming %s", err, tc.want)
			}
		})
	}
}
