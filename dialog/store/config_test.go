package store

import (
	"errors"
	"testing"
	"time"
)

func TestConfigValidate(t *testing.T) {
	cases := []struct {
		name   string
		modify func(*Config)
		ok     bool
	}{
		{"defaults", func(*Config) {}, true},
		{"empty prefix", func(c *Config) { c.Prefix = "" }, false},
		{"brace in prefix", func(c *Config) { c.Prefix = "spar{x}:" }, false},
		{"empty node", func(c *Config) { c.Node = "" }, false},
		{"zero heartbeat", func(c *Config) { c.Heartbeat = 0 }, false},
		{"ttl under two heartbeats", func(c *Config) { c.LiveTTL = 15 * time.Second }, false},
		{"zero timeline cap", func(c *Config) { c.TimelineMax = 0 }, false},
		{"negative buffer", func(c *Config) { c.Buffer = -1 }, false},
		{"zero flush wait", func(c *Config) { c.FlushWait = 0 }, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := DefaultConfig()
			tc.modify(&c)
			err := c.Validate()
			if tc.ok && err != nil {
				t.Errorf("Validate() = %v, want nil", err)
			}
			if !tc.ok && !errors.Is(err, ErrInvalidConfig) {
				t.Errorf("Validate() = %v, want ErrInvalidConfig", err)
			}
		})
	}
}

func TestNewFillsDefaults(t *testing.T) {
	s, err := New(nil, Config{Prefix: "p:"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	d := DefaultConfig()
	if s.cfg.Prefix != "p:" || s.cfg.LiveTTL != d.LiveTTL || s.cfg.Buffer != d.Buffer || s.cfg.Node != d.Node {
		t.Errorf("New config = %+v", s.cfg)
	}
}

func TestWaitReplicasConfig(t *testing.T) {
	if err := (Config{Prefix: "p:", Node: "n", WaitReplicas: -1}).withDefaults().Validate(); !errors.Is(err, ErrInvalidConfig) {
		t.Errorf("wait_replicas -1: %v, want ErrInvalidConfig", err)
	}
	if c := (Config{WaitReplicas: 1}).withDefaults(); c.WaitTimeout != time.Second {
		t.Errorf("wait_timeout default %v, want 1s", c.WaitTimeout)
	}
}
