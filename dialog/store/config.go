package store

import (
	"fmt"
	"os"
	"strings"
	"time"
)

// Config tunes the store. Zero fields given to New take their DefaultConfig values.
type Config struct {
	// Prefix starts every key (default "spar:"). It must not contain braces.
	Prefix string `yaml:"prefix"`
	// Node is this server's ID, written on its live calls so that Recover can tell its own
	// dead calls from other nodes' live ones (default: the hostname).
	Node string `yaml:"node"`
	// LiveTTL is how long a live call survives without a heartbeat before another node may
	// seal it as interrupted (default 60s).
	LiveTTL time.Duration `yaml:"live_ttl"`
	// Heartbeat is how often a live call refreshes its live hash and its calls:live score
	// (default 10s). It must be well under LiveTTL.
	Heartbeat time.Duration `yaml:"heartbeat"`
	// TimelineMax caps one call's timeline stream (approximately; default 20000 entries).
	TimelineMax int64 `yaml:"timeline_max"`
	// Buffer is how many events one call holds in memory while Redis is unreachable (default
	// 4096, about a minute of a busy call); beyond it Append drops and counts.
	Buffer int `yaml:"buffer"`
	// FlushWait bounds how long Seal keeps retrying to write buffered events when Redis is
	// unreachable (default 5s; the context given to Seal may end it sooner).
	FlushWait time.Duration `yaml:"flush_wait"`
	// SpillDir is where a call's timeline and sealed record go while Redis is unreachable
	// (one append-only file per call), to be replayed when Redis returns and at start. Empty
	// turns spilling off: a call then keeps up to Buffer events in memory, and a call that
	// ends during an outage longer than FlushWait is lost. The server sets it to
	// <data dir>/spill.
	SpillDir string `yaml:"spill_dir"`
	// MaxFollowers bounds the timelines Follow keeps open at once on this process (live
	// feeds: the learner page, the console); past it Follow answers ErrBusy. Their blocking
	// reads use a connection pool of this size of their own, so they can never take the
	// connections calls write their timelines with.
	MaxFollowers int `yaml:"max_followers"`
	// WaitReplicas, when above 0, makes each timeline write count only once that many
	// replicas have it (Redis WAIT, in the same pipeline, up to WaitTimeout); until then the
	// batch stays queued and is written again. With one replica per master (Sentinel, or a
	// Redis Cluster) this keeps the events a failover would otherwise drop: those the master
	// took but had not passed on when it died, and those an old master took after its replica
	// was promoted. Off by default.
	WaitReplicas int `yaml:"wait_replicas"`
	// WaitTimeout bounds one WAIT (default 1s when WaitReplicas is set).
	WaitTimeout time.Duration `yaml:"wait_timeout"`
}

// DefaultConfig returns the defaults, with Node set to the hostname.
func DefaultConfig() Config {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "spar"
	}
	return Config{
		Prefix:       "spar:",
		Node:         host,
		LiveTTL:      60 * time.Second,
		Heartbeat:    10 * time.Second,
		TimelineMax:  20000,
		Buffer:       4096,
		FlushWait:    5 * time.Second,
		MaxFollowers: 256,
	}
}

// withDefaults fills zero fields from DefaultConfig.
func (c Config) withDefaults() Config {
	d := DefaultConfig()
	if c.Prefix == "" {
		c.Prefix = d.Prefix
	}
	if c.Node == "" {
		c.Node = d.Node
	}
	if c.LiveTTL == 0 {
		c.LiveTTL = d.LiveTTL
	}
	if c.Heartbeat == 0 {
		c.Heartbeat = d.Heartbeat
	}
	if c.WaitReplicas > 0 && c.WaitTimeout == 0 {
		c.WaitTimeout = time.Second
	}
	if c.MaxFollowers == 0 {
		c.MaxFollowers = d.MaxFollowers
	}
	if c.TimelineMax == 0 {
		c.TimelineMax = d.TimelineMax
	}
	if c.Buffer == 0 {
		c.Buffer = d.Buffer
	}
	if c.FlushWait == 0 {
		c.FlushWait = d.FlushWait
	}
	return c
}

// Validate reports the first unusable setting.
func (c Config) Validate() error {
	switch {
	case c.Prefix == "":
		return fmt.Errorf("%w: prefix is empty", ErrInvalidConfig)
	case strings.ContainsAny(c.Prefix, "{}"):
		return fmt.Errorf("%w: prefix %q contains a brace (it would change the hash tag)", ErrInvalidConfig, c.Prefix)
	case c.Node == "":
		return fmt.Errorf("%w: node is empty", ErrInvalidConfig)
	case c.Heartbeat <= 0:
		return fmt.Errorf("%w: heartbeat %v is not positive", ErrInvalidConfig, c.Heartbeat)
	case c.LiveTTL < 2*c.Heartbeat:
		return fmt.Errorf("%w: live_ttl %v is under two heartbeats (%v)", ErrInvalidConfig, c.LiveTTL, c.Heartbeat)
	case c.TimelineMax <= 0:
		return fmt.Errorf("%w: timeline_max %d is not positive", ErrInvalidConfig, c.TimelineMax)
	case c.Buffer <= 0:
		return fmt.Errorf("%w: buffer %d is not positive", ErrInvalidConfig, c.Buffer)
	case c.FlushWait <= 0:
		return fmt.Errorf("%w: flush_wait %v is not positive", ErrInvalidConfig, c.FlushWait)
	case c.WaitReplicas < 0:
		return fmt.Errorf("%w: wait_replicas %d is negative", ErrInvalidConfig, c.WaitReplicas)
	case c.WaitTimeout < 0:
		return fmt.Errorf("%w: wait_timeout %v is negative", ErrInvalidConfig, c.WaitTimeout)
	}
	return nil
}
