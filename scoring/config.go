package scoring

import (
	"cmp"
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
	// presumed dead and the job reclaimed with XAUTOCLAIM (default 2m, or a minute more than
	// all attempts of the LLM judge with their backoff). It must exceed the longest scoring
	// attempt with its retries.
	ClaimIdle time.Duration `yaml:"claim_idle"`
	// Block is how long one read waits for new notices (default 5s).
	Block time.Duration `yaml:"block"`
	// AttemptsTTL keeps a call's attempt counter (default 7 days).
	AttemptsTTL time.Duration `yaml:"attempts_ttl"`
	// Judge picks the deterministic judge or an LLM one.
	Judge JudgeConfig `yaml:"judge"`
	// Delivery sends new scorecards on: webhook, xAPI, text message.
	Delivery DeliveryConfig `yaml:"delivery"`
}

// DefaultConfig returns the defaults, with Consumer set to host-pid. ClaimIdle stays zero:
// WithDefaults derives it from the judge (2m, or more for an LLM judge's timeouts).
func DefaultConfig() Config {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "spar"
	}
	return Config{
		Consumer: host + "-" + strconv.Itoa(os.Getpid()), MaxAttempts: 5,
		RetryMin: time.Second, RetryMax: 30 * time.Second,
		Block: 5 * time.Second, AttemptsTTL: 7 * 24 * time.Hour,
	}
}

// WithDefaults fills zero fields from DefaultConfig.
func (c Config) WithDefaults() Config {
	d := DefaultConfig()
	c.Consumer = cmp.Or(c.Consumer, d.Consumer)
	c.MaxAttempts = cmp.Or(c.MaxAttempts, d.MaxAttempts)
	c.RetryMin = cmp.Or(c.RetryMin, d.RetryMin)
	c.RetryMax = cmp.Or(c.RetryMax, d.RetryMax)
	if c.ClaimIdle == 0 { // derived from the judge, once the fields above have their defaults
		c.ClaimIdle = max(2*time.Minute, c.longestJob()+time.Minute)
	}
	c.Block = cmp.Or(c.Block, d.Block)
	c.AttemptsTTL = cmp.Or(c.AttemptsTTL, d.AttemptsTTL)
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
	if err := c.Judge.Validate(); err != nil {
		return err
	}
	if c.ClaimIdle > 0 {
		if job := c.WithDefaults().longestJob(); c.ClaimIdle <= job {
			return fmt.Errorf("%w: claim_idle %v must exceed the longest job, %v with the llm judge's timeouts and retries", ErrInvalidConfig, c.ClaimIdle, job)
		}
	}
	return c.Delivery.Validate()
}

// longestJob is how long one worker may hold a job when every attempt fails: the judge's
// timeout per attempt (LLM judge only; the deterministic judge takes milliseconds) and the
// backoff between attempts. Fields must have their defaults.
func (c Config) longestJob() time.Duration {
	j := c.Judge.withDefaults()
	if j.Type != JudgeLLM {
		return 0
	}
	total := time.Duration(c.MaxAttempts) * j.Timeout
	for n := 1; n < c.MaxAttempts; n++ {
		total += backoffFor(c, n)
	}
	return total
}
