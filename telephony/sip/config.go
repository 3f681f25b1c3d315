package sip

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"time"
)

// Config is the SIP transport's configuration (the `sip:` section of spar.yaml). The
// transport is off unless Listen is set.
type Config struct {
	// Listen is the host:port SIP requests arrive on, e.g. 0.0.0.0:5060. Empty: SIP is off.
	Listen string `yaml:"listen"`
	// Transports are the SIP transports served on Listen: "udp", "tcp" or both (default).
	Transports []string `yaml:"transports"`
	// ExternalIP is the address written in Contact headers and SDP when Spar sits behind
	// 1:1 NAT; by default the listening address (or, listening on every interface, the
	// address of the default route).
	ExternalIP string `yaml:"external_ip"`
	// Numbers maps a dialed number or extension (the Request-URI / To user) to a scenario ID.
	Numbers map[string]string `yaml:"numbers"`
	// DefaultScenario answers calls no number decided; empty: such calls get 404.
	DefaultScenario string `yaml:"default_scenario"`
	// Learners maps a caller ID (the From user) to a learner ID.
	Learners map[string]string `yaml:"learners"`
	// AllowGuests lets unknown caller IDs practise as "guest:<caller ID>"; otherwise they get 403.
	AllowGuests bool `yaml:"allow_guests"`
	// AllowFrom are the addresses (IPs or CIDRs) of the PBX or trunk allowed to send
	// requests; others get 403. Empty: any address (then Username is required).
	AllowFrom []string `yaml:"allow_from"`
	// Username turns on digest authentication of INVITEs (RFC 3261 22); the password comes
	// from SPAR_SIP_PASSWORD, never from YAML.
	Username string `yaml:"username"`
	Password string `yaml:"-"`
	// Realm is the digest realm; default "spar".
	Realm string `yaml:"realm"`
	// MaxCalls caps live SIP calls; past it INVITEs get 486 Busy Here. 0 means no cap.
	MaxCalls int `yaml:"max_calls"`
	// RingTime is how long Spar rings (180) before it answers; a CANCEL in that time ends
	// the call before it starts.
	RingTime time.Duration `yaml:"ring_time"`
	// RTPTimeout ends a call whose caller has sent no RTP for this long (a PBX gone without
	// a BYE). A call on hold (sendonly or inactive) is not timed out.
	RTPTimeout time.Duration `yaml:"rtp_timeout"`
	// RTPPortMin..RTPPortMax is the UDP range media ports are taken from (0: any).
	RTPPortMin int `yaml:"rtp_port_min"`
	RTPPortMax int `yaml:"rtp_port_max"`
}

// DefaultConfig returns the defaults: off, UDP and TCP, guests allowed, 30 s RTP timeout.
func DefaultConfig() Config {
	return Config{
		Transports:  []string{"udp", "tcp"},
		AllowGuests: true,
		Realm:       "spar",
		RingTime:    200 * time.Millisecond,
		RTPTimeout:  30 * time.Second,
	}
}

// Enabled reports whether the SIP transport should run.
func (c Config) Enabled() bool { return c.Listen != "" }

// Validate reports the first invalid field, named as in YAML. A disabled config is valid.
func (c Config) Validate() error {
	if !c.Enabled() {
		return nil
	}
	if _, _, err := net.SplitHostPort(c.Listen); err != nil {
		return fmt.Errorf("sip: listen: %q is not host:port: %w", c.Listen, err)
	}
	if c.ExternalIP != "" {
		if _, err := netip.ParseAddr(c.ExternalIP); err != nil {
			return fmt.Errorf("sip: external_ip: %q is not an IP address", c.ExternalIP)
		}
	}
	if len(c.Transports) == 0 {
		return errors.New("sip: transports: name udp, tcp or both")
	}
	for i, t := range c.Transports {
		if t != "udp" && t != "tcp" {
			return fmt.Errorf("sip: transports[%d]: %q is not udp or tcp", i, t)
		}
	}
	if _, err := parseAllow(c.AllowFrom); err != nil {
		return err
	}
	if len(c.AllowFrom) == 0 && c.Username == "" {
		return errors.New("sip: set allow_from (your PBX's addresses) or username (digest auth): an open SIP port is found by scanners within minutes")
	}
	if c.Username != "" && c.Password == "" {
		return errors.New("sip: username is set but SPAR_SIP_PASSWORD is empty")
	}
	for num, sc := range c.Numbers {
		if num == "" || sc == "" {
			return fmt.Errorf("sip: numbers: %q -> %q: number and scenario must be set", num, sc)
		}
	}
	for from, l := range c.Learners {
		if from == "" || l == "" {
			return fmt.Errorf("sip: learners: %q -> %q: caller and learner must be set", from, l)
		}
	}
	switch {
	case c.MaxCalls < 0:
		return fmt.Errorf("sip: max_calls: %d is negative (0 means no cap)", c.MaxCalls)
	case c.RingTime < 0 || c.RingTime > time.Minute:
		return fmt.Errorf("sip: ring_time: %v is outside 0..1m", c.RingTime)
	case c.RTPTimeout <= 0:
		return fmt.Errorf("sip: rtp_timeout: %v must be positive", c.RTPTimeout)
	case (c.RTPPortMin == 0) != (c.RTPPortMax == 0) || c.RTPPortMin < 0 || c.RTPPortMax > 65535 || c.RTPPortMax < c.RTPPortMin:
		return fmt.Errorf("sip: rtp_port_min/rtp_port_max: %d..%d is not a port range", c.RTPPortMin, c.RTPPortMax)
	}
	return nil
}

// parseAllow reads allow_from: plain IPs become one-address prefixes.
func parseAllow(list []string) ([]netip.Prefix, error) {
	out := make([]netip.Prefix, 0, len(list))
	for i, s := range list {
		s = strings.TrimSpace(s)
		if strings.Contains(s, "/") {
			p, err := netip.ParsePrefix(s)
			if err != nil {
				return nil, fmt.Errorf("sip: allow_from[%d]: %q is not an IP or CIDR", i, s)
			}
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(s)
		if err != nil {
			return nil, fmt.Errorf("sip: allow_from[%d]: %q is not an IP or CIDR", i, s)
		}
		out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
	}
	return out, nil
}
