package store

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/sparlab/spar/dialog"
	"github.com/sparlab/spar/telephony"
)

// Store keeps calls in Redis: live state while they run, their timelines, and sealed records.
// It is safe for concurrent use; one Store serves all the calls of a server.
type Store struct {
	rdb  redis.UniversalClient
	cfg  Config
	log  *slog.Logger
	keys keys

	active sync.Map // call ID -> *CallLog: calls this process runs, which Recover leaves alone

	now         func() time.Time // injectable clock
	followBlock time.Duration    // XREAD BLOCK per Follow round
	retryMin    time.Duration    // writer backoff after a Redis error
	retryMax    time.Duration
	flushHook   func(id string, written int64, err error) // tests: called after each writer attempt
}

// New returns a Store on rdb. Zero fields of cfg take their defaults.
func New(rdb redis.UniversalClient, cfg Config, log *slog.Logger) (*Store, error) {
	cfg = cfg.withDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Store{
		rdb: rdb, cfg: cfg, log: log.With("component", "store"), keys: keys{cfg.Prefix},
		now: time.Now, followBlock: time.Second,
		retryMin: 50 * time.Millisecond, retryMax: 2 * time.Second,
	}, nil
}

// Begin records a new live call and starts its timeline writer. recording is the path (or
// blob key) of the call's WAV. The returned CallLog must be sealed when the call ends; if the
// server dies first, Recover seals it.
func (s *Store) Begin(ctx context.Context, info telephony.Info, recording string) (*CallLog, error) {
	if err := checkID(info.ID); err != nil {
		return nil, err
	}
	id, now := info.ID, s.now()
	if info.Started.IsZero() {
		info.Started = now
	}
	n, err := s.rdb.Exists(ctx, s.keys.info(id), s.keys.record(id), s.keys.timeline(id)).Result()
	if err != nil {
		return nil, fmt.Errorf("store: begin %s: %w", id, err)
	}
	if n > 0 {
		return nil, fmt.Errorf("store: begin %s: %w", id, ErrExists)
	}
	fields := infoFields(info, s.cfg.Node, recording)
	started := info.Started.UnixMilli()
	_, err = s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		p.HSet(ctx, s.keys.info(id), fields)
		live := maps.Clone(fields)
		live["heartbeat"], live["events"] = now.UnixMilli(), 0
		p.HSet(ctx, s.keys.live(id), live)
		p.PExpire(ctx, s.keys.live(id), s.cfg.LiveTTL)
		p.ZAdd(ctx, s.keys.liveSet(), redis.Z{Score: float64(now.UnixMilli()), Member: id})
		p.ZAdd(ctx, s.keys.byTime(), redis.Z{Score: float64(started), Member: id})
		if info.Learner != "" {
			p.ZAdd(ctx, s.keys.byLearner(info.Learner), redis.Z{Score: float64(started), Member: id})
		}
		if info.Scenario != "" {
			p.ZAdd(ctx, s.keys.byScenario(info.Scenario), redis.Z{Score: float64(started), Member: id})
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: begin %s: %w", id, err)
	}
	l := newCallLog(s, info, recording)
	s.active.Store(id, l)
	go l.w.run()
	return l, nil
}

// infoFields is the static description of a call, as stored in its info and live hashes.
func infoFields(info telephony.Info, node, recording string) map[string]any {
	f := map[string]any{
		"id": info.ID, "scenario": info.Scenario, "learner": info.Learner,
		"transport": info.Transport, "external_id": info.ExternalID,
		"from": info.From, "to": info.To, "node": node,
		"started": info.Started.UnixMilli(), "recording": recording,
	}
	for k, v := range info.Params {
		f["p."+k] = v
	}
	return f
}

// recordFromInfo fills a Record's descriptive fields from an info hash.
func recordFromInfo(id string, f map[string]string) *Record {
	r := &Record{
		ID: id, Scenario: f["scenario"], Learner: f["learner"], Transport: f["transport"],
		ExternalID: f["external_id"], From: f["from"], To: f["to"], Node: f["node"],
		Recording: f["recording"],
	}
	if ms, err := strconv.ParseInt(f["started"], 10, 64); err == nil {
		r.Started = time.UnixMilli(ms)
	}
	return r
}

func checkID(id string) error {
	if id == "" || strings.ContainsAny(id, "{}") {
		return fmt.Errorf("%w: %q", ErrInvalidID, id)
	}
	return nil
}

// isNil reports Redis's "no such key" reply.
func isNil(err error) bool { return errors.Is(err, redis.Nil) }

var _ dialog.Timeline = (*CallLog)(nil)
