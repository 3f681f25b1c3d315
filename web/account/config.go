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
	// MaxFailures is how many failed logins one email, or MaxFailures*4 one client address,
	// may have within FailureWindow before login is refused (default 5).
	MaxFailures int `yaml:"max_failures"`
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
	case c.BcryptCost < bcrypt.MinCost || c.BcryptCost > bcrypt.MaxCost:
		return fmt.Errorf("%w: bcrypt_cost %d is outside %d..%d", ErrInvalidConfig, c.BcryptCost, bcrypt.MinCost, bcrypt.MaxCost)
	}
	return nil
}
