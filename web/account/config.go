package account

import (
	"cmp"
	"fmt"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// Config tunes accounts and sessions. Zero fields given to New take their defaults.
type Config struct {
	// SessionTTL is how long an idle session lasts (default 12h); each use extends it.
	SessionTTL time.Duration `yaml:"session_ttl"`
	// SecureCookies marks cookies Secure even on plain-HTTP requests: set it when a TLS proxy
	// sits in front (the public URL is https). Requests that arrive over TLS always get Secure.
	SecureCookies bool `yaml:"secure_cookies"`
	// MaxFailures is how many failed logins one email may have from one client address
	// before that client waits (default 5): a minute, doubling with each further failure, at
	// most FailureWindow. A client address
	// may fail MaxFailures*4 times in all, and an email MaxFailures*10 times from every
	// address together (except from an address the email signed in from in the last 30
	// days): so a stranger's wrong passwords cannot lock the owner out, but a guessing
	// campaign still stops.
	MaxFailures int `yaml:"max_failures"`
	// TrustedProxies are the addresses (CIDRs or IPs) of the reverse proxies in front of
	// Spar. Only from them is X-Forwarded-For believed, so each client behind the proxy
	// counts on its own, not all as the proxy's one address.
	TrustedProxies []string `yaml:"trusted_proxies"`
	// FailureWindow is the rate-limit window, counted from the first failure (default 15m).
	FailureWindow time.Duration `yaml:"failure_window"`
	// BcryptCost is the password hashing cost (default bcrypt.DefaultCost; tests lower it).
	BcryptCost int `yaml:"bcrypt_cost"`
}

// DefaultConfig returns the defaults.
func DefaultConfig() Config {
	return Config{SessionTTL: 12 * time.Hour, MaxFailures: 5, FailureWindow: 15 * time.Minute,
		BcryptCost: bcrypt.DefaultCost}
}

func (c Config) withDefaults() Config {
	d := DefaultConfig()
	c.SessionTTL = cmp.Or(c.SessionTTL, d.SessionTTL)
	c.MaxFailures = cmp.Or(c.MaxFailures, d.MaxFailures)
	c.FailureWindow = cmp.Or(c.FailureWindow, d.FailureWindow)
	c.BcryptCost = cmp.Or(c.BcryptCost, d.BcryptCost)
	return c
}

// Validate reports the first unusable setting.
func (c Config) Validate() error {
	switch {
	case c.SessionTTL < time.Minute:
		return fmt.Errorf("%w: session_ttl %v is under a minute", ErrInvalidConfig, c.SessionTTL)
	case c.MaxFailures < 1:
		return fmt.Errorf("%w: max_failures %d is under 1", ErrInvalidConfig, c.MaxFailures)
	case c.FailureWindow <= 0:
		return fmt.Errorf("%w: failure_window %v is not positive", ErrInvalidConfig, c.FailureWindow)
	case badProxy(c.TrustedProxies) != "":
		return fmt.Errorf("%w: trusted_proxies: %q is not an IP address or CIDR", ErrInvalidConfig, badProxy(c.TrustedProxies))
	case c.BcryptCost < bcrypt.MinCost || c.BcryptCost > bcrypt.MaxCost:
		return fmt.Errorf("%w: bcrypt_cost %d is outside %d..%d", ErrInvalidConfig, c.BcryptCost, bcrypt.MinCost, bcrypt.MaxCost)
	}
	return nil
}
