package scoring

import (
	"fmt"
	"os"
	"strconv"
	"time"
)

// Config tunes scoring and its queue. Zero fields take their DefaultConfig values.
type Config struct {
	// RubricDir holds <scenario>.yaml rubrics; empty: the built-in ones (configs/rubrics).
	RubricDir string `yaml:"rubric_dir"`
	// Consumer names this worker in the consumer group (default host-pid). Two live workers
	// must not share a name.
	Consumer string `yaml:"consumer"`
	// MaxAttempts is how many times a call is tried, across workers, before its notice goes
	// to the dead-letter stream (default 5).
	MaxAttempts int `yaml:"max_attempts"`
	// RetryMin and RetryMax bound the backoff between attempts (defaults 1s, 30s).
	RetryMin time.Duration `yaml:"retry_min"`
	RetryMax time.Duration `yaml:"retry_max"`
	// ClaimIdle is how long a notice may sit unacknowledged with another worker before it is
	// presumed dead and the job reclaimed with XAUTOCLAIM (default 2m). It must exceed the
	// longest scoring attempt with its retries.
	ClaimIdle time.Duration `yaml:"claim_idle"`
	// Block is how long one read waits for new notices (default 5s).
	Block time.Duration `yaml:"block"`
	// AttemptsTTL keeps a call's attempt counter (default 7 days).
	AttemptsTTL time.Duration `yaml:"attempts_ttl"`
}

// DefaultConfig returns the defaults, with Consumer set to host-pid.
func DefaultConfig() Config {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "spar"
	}
	return Config{
		Consumer: host + "-" + strconv.Itoa(os.Getpid()), MaxAttempts: 5,
		RetryMin: time.Second, RetryMax: 30 * time.Second, ClaimIdle: 2 * time.Minute,
		Block: 5 * time.Second, AttemptsTTL: 7 * 24 * time.Hour,
	}
}

// WithDefaults fills zero fields from DefaultConfig.
func (c Config) WithDefaults() Config {
	d := DefaultConfig()
	if c.Consumer == "" {
		c.Consumer = d.Consumer
	}
	if c.MaxAttempts == 0 {
		c.MaxAttempts = d.MaxAttempts
	}
	if c.RetryMin == 0 {
		c.RetryMin = d.RetryMin
	}
	if c.RetryMax == 0 {
		c.RetryMax = d.RetryMax
	}
	if c.ClaimIdle == 0 {
		c.ClaimIdle = d.ClaimIdle
	}
	if c.Block == 0 {
		c.Block = d.Block
	}
	if c.AttemptsTTL == 0 {
		c.AttemptsTTL = d.AttemptsTTL
	}
	return c
}

// Validate reports the first unusable setting. Zero values are valid: they take defaults.
func (c Config) Validate() error {
	switch {
	case c.MaxAttempts < 0:
		return fmt.Errorf("%w: max_attempts %d is negative", ErrInvalidConfig, c.MaxAttempts)
	case c.RetryMin < 0 || c.RetryMax < 0 || (c.RetryMax > 0 && c.RetryMin > c.RetryMax):
		return fmt.Errorf("%w: retry_min %v and retry_max %v must be positive, min <= max", ErrInvalidConfig, c.RetryMin, c.RetryMax)
	case c.ClaimIdle < 0 || c.Block < 0 || c.AttemptsTTL < 0:
		return fmt.Errorf("%w: claim_idle, block and attempts_ttl must not be negative", ErrInvalidConfig)
	}
	return nil
}
