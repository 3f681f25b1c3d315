package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/sparlab/spar/dialog"
	"github.com/sparlab/spar/dialog/store"
	"github.com/sparlab/spar/dialog/stt/sphinx"
	"github.com/sparlab/spar/dialog/tts/flite"
	"github.com/sparlab/spar/scoring"
	"github.com/sparlab/spar/telephony/sip"
	"github.com/sparlab/spar/telephony/twilio"
	"github.com/sparlab/spar/telephony/webrtc"
	"github.com/sparlab/spar/web/account"
	"github.com/sparlab/spar/web/console"
)

// Config is the server's whole configuration: built-in defaults, then the YAML file, then
// environment variables. Secrets come only from the environment.
type Config struct {
	Listen        string        `yaml:"listen"`
	PublicURL     string        `yaml:"public_url"`
	DataDir       string        `yaml:"data_dir"`
	RedisURL      string        `yaml:"redis_url"`
	ScenarioDir   string        `yaml:"scenario_dir"`
	ShutdownGrace time.Duration `yaml:"shutdown_grace"`
	LogLevel      string        `yaml:"log_level"`
	// DebugListen, when set (e.g. 127.0.0.1:6060), serves Go's pprof profiles there.
	DebugListen string `yaml:"debug_listen"`

	Twilio twilio.Config `yaml:"twilio"`
	WebRTC webrtc.Config `yaml:"webrtc"`
	// SIP is the SIP trunk transport, off unless sip.listen is set.
	SIP     sip.Config     `yaml:"sip"`
	Dialog  dialog.Config  `yaml:"dialog"`
	STT     sphinx.Config  `yaml:"stt"`
	TTS     flite.Config   `yaml:"tts"`
	Store   store.Config   `yaml:"store"`
	Scoring scoring.Config `yaml:"scoring"`
	Account account.Config `yaml:"account"`
	Console console.Config `yaml:"console"`
	// Providers picks cloud or self-hosted engines instead of the offline ones.
	Providers providersConfig `yaml:"providers"`
}

// defaultConfig is what `make run` uses with no file and no environment.
func defaultConfig() Config {
	return Config{
		Listen:        "127.0.0.1:8080",
		PublicURL:     "http://localhost:8080",
		DataDir:       "./data",
		ShutdownGrace: 2 * time.Minute,
		LogLevel:      "info",
		Twilio:        defaultTwilio(),
		WebRTC:        defaultWebRTC(),
		SIP:           defaultSIP(),
		Dialog:        dialog.DefaultConfig(),
		STT:           sphinx.Config{},
		TTS:           flite.Config{},
		Store:         store.DefaultConfig(),
		Scoring:       scoring.DefaultConfig(),
		Account:       account.DefaultConfig(),
	}
}

func defaultTwilio() twilio.Config {
	c := twilio.DefaultConfig()
	c.DefaultScenario = "double-charge" // a built-in scenario, so a first call just works
	c.MaxCalls = defaultMaxPhoneCalls
	return c
}

// Default caps on live calls, from docs/BENCHMARKS.md on a 2-core machine: 375 phone calls
// held with no late frame (capped below it, for margin); browser calls cost about 3.5 times
// the CPU of a phone call (Opus), and their search was limited by the simulated browsers on
// the same cores (40 held), so their cap follows the CPU ratio. Raise both on bigger machines
// after `spar bench --search` (and `--transport webrtc`).
const (
	defaultMaxPhoneCalls   = 300
	defaultMaxBrowserCalls = 100
)

func defaultWebRTC() webrtc.Config {
	c := webrtc.DefaultConfig()
	c.MaxCalls = defaultMaxBrowserCalls
	return c
}

// defaultSIP answers every extension with the built-in scenario, like Twilio's default;
// SIP calls cost what phone calls cost (G.711 both ways), so they share its cap.
func defaultSIP() sip.Config {
	c := sip.DefaultConfig()
	c.DefaultScenario = "double-charge"
	c.MaxCalls = defaultMaxPhoneCalls
	return c
}

// envOverrides maps environment variables onto config fields.
var envOverrides = []struct {
	name string
	set  func(c *Config, v string) error
}{
	{"SPAR_LISTEN", func(c *Config, v string) error { c.Listen = v; return nil }},
	{"SPAR_PUBLIC_URL", func(c *Config, v string) error { c.PublicURL = v; return nil }},
	{"SPAR_DATA_DIR", func(c *Config, v string) error { c.DataDir = v; return nil }},
	{"SPAR_SCENARIO_DIR", func(c *Config, v string) error { c.ScenarioDir = v; return nil }},
	{"SPAR_LOG_LEVEL", func(c *Config, v string) error { c.LogLevel = v; return nil }},
	{"SPAR_DEBUG_LISTEN", func(c *Config, v string) error { c.DebugListen = v; return nil }},
	{"REDIS_URL", func(c *Config, v string) error { c.RedisURL = v; return nil }},
	{"TWILIO_AUTH_TOKEN", func(c *Config, v string) error { c.Twilio.AuthToken = v; return nil }},
	{"SPAR_SIP_LISTEN", func(c *Config, v string) error { c.SIP.Listen = v; return nil }},
	{"SPAR_SIP_PASSWORD", func(c *Config, v string) error { c.SIP.Password = v; return nil }},
	{"SPAR_SHUTDOWN_GRACE", func(c *Config, v string) (err error) {
		c.ShutdownGrace, err = time.ParseDuration(v)
		return err
	}},
}

// loadConfig reads path (may be empty) over the defaults, strictly: an unknown key is an
// error that names it, then applies the environment. After an error in the file's content
// the Config returned still holds what could be read, with the environment applied, so
// doctor can check the rest.
func loadConfig(path string, getenv func(string) string) (Config, error) {
	cfg := defaultConfig()
	var fileErr error
	if path != "" {
		data, err := os.ReadFile(path)
		if err != nil {
			return cfg, fmt.Errorf("config: %w", err)
		}
		dec := yaml.NewDecoder(bytes.NewReader(data))
		dec.KnownFields(true)
		if err := dec.Decode(&cfg); err != nil && !errors.Is(err, io.EOF) {
			fileErr = fmt.Errorf("config %s: %w", path, err)
		}
	}
	for _, o := range envOverrides {
		if v := getenv(o.name); v != "" {
			if err := o.set(&cfg, v); err != nil {
				return cfg, fmt.Errorf("config: %s: %w", o.name, err)
			}
		}
	}
	cfg.Twilio.PublicURL = cfg.PublicURL
	cfg.Providers.withKeys(getenv)
	if strings.HasPrefix(cfg.PublicURL, "https://") {
		cfg.Account.SecureCookies = true // TLS ends at a proxy in front of Spar
	}
	if cfg.Twilio.AuthToken == "" {
		// Local trials run without a Twilio account; serve warns loudly (see printBanner).
		cfg.Twilio.ValidateSignatures = false
	}
	if fileErr != nil {
		return cfg, fileErr
	}
	return cfg, cfg.Validate()
}

// Validate checks the whole configuration, each package its own part.
func (c Config) Validate() error {
	u, err := url.Parse(c.PublicURL)
	switch {
	case c.Listen == "":
		return errors.New("config: listen is empty")
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		return fmt.Errorf("config: public_url %q must be an http(s) URL such as https://spar.example.com", c.PublicURL)
	case u.Path != "" && u.Path != "/":
		return fmt.Errorf("config: public_url %q must not have a path", c.PublicURL)
	case c.DataDir == "":
		return errors.New("config: data_dir is empty")
	case c.ShutdownGrace < 0:
		return errors.New("config: shutdown_grace must not be negative")
	}
	if _, err := parseLevel(c.LogLevel); err != nil {
		return err
	}
	for name, v := range map[string]interface{ Validate() error }{
		"twilio": c.Twilio, "webrtc": c.WebRTC, "sip": c.SIP, "dialog": c.Dialog, "stt": c.STT, "tts": c.TTS, "store": c.Store, "scoring": c.Scoring, "account": c.Account, "console": c.Console, "providers": c.Providers,
	} {
		if err := v.Validate(); err != nil {
			return fmt.Errorf("config: %s: %w", name, err)
		}
	}
	return nil
}

func publicBase(c Config) string { return strings.TrimSuffix(c.PublicURL, "/") }
