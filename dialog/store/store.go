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

	now         func() time.Time      // injectable clock
	followBlock time.Duration         // XREAD BLOCK per Follow round
	followRDB   redis.UniversalClient // Follow's blocking reads: a pool of their own
	followSlots chan struct{}         // one per open Follow, MaxFollowers in all
	retryMin    time.Duration         // writer backoff after a Redis error
	retryMax    time.Duration
	flushHook   func(id string, written int64, err error) // tests: called after each writer attempt
	replayHook  func(id string)                           // tests: called after each replayed spill file

	replayMu   sync.Mutex // one ReplaySpilled at a time
	replayerMu sync.Mutex // guards replaying and the start of the replayer
	replaying  bool
	replayWake chan struct{} // capacity 1: a call spilled while the replayer runs
	replayWG   sync.WaitGroup
	replayCtx  context.Context // ended by Close
	replayStop context.CancelFunc
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
	s := &Store{
		rdb: rdb, cfg: cfg, log: log.With("component", "store"), keys: keys{cfg.Prefix},
		now: time.Now, followBlock: time.Second,
		retryMin: 50 * time.Millisecond, retryMax: 2 * time.Second,
		replayWake: make(chan struct{}, 1),
	}
	s.replayCtx, s.replayStop = context.WithCancel(context.Background())
	s.followRDB, s.followSlots = followClient(rdb, cfg.MaxFollowers), make(chan struct{}, cfg.MaxFollowers)
	return s, nil
}

// Begin records a new live call and starts its timeline writer. recording is the path (or
// blob key) of the call's WAV. The returned CallLog must be sealed when the call ends; if the
// server dies first, Recover seals it. When Redis is unreachable and Config.SpillDir is set,
// the call still begins: its log spills to disk until Redis returns, so the call goes on.
func (s *Store) Begin(ctx context.Context, info telephony.Info, recording string) (*CallLog, error) {
	if err := checkID(info.ID); err != nil {
		return nil, err
	}
	id, now := info.ID, s.now()
	if info.Started.IsZero() {
		info.Started = now
	}
	rctx, cancel := ctx, context.CancelFunc(func() {})
	if s.cfg.SpillDir != "" {
		rctx, cancel = context.WithTimeout(ctx, attemptTimeout) // an outage must not hold the caller
	}
	defer cancel()
	n, err := s.rdb.Exists(rctx, s.keys.info(id), s.keys.record(id), s.keys.timeline(id)).Result()
	if err == nil && n > 0 {
		return nil, fmt.Errorf("store: begin %s: %w", id, ErrExists)
	}
	if err == nil {
		err = s.writeBegin(rctx, info, recording, now, false)
	}
	if err != nil {
		if s.cfg.SpillDir == "" || ctx.Err() != nil {
			return nil, fmt.Errorf("store: begin %s: %w", id, err)
		}
		return s.beginSpilling(info, recording, err)
	}
	l := newCallLog(s, info, recording)
	s.active.Store(id, l)
	go l.w.run()
	return l, nil
}

// beginSpilling starts a call while Redis is unreachable: its log goes to its spill file
// from the first event, and its writer writes Begin's keys when Redis returns.
func (s *Store) beginSpilling(info telephony.Info, recording string, cause error) (*CallLog, error) {
	l := newCallLog(s, info, recording)
	sf, err := openSpill(s.cfg.SpillDir, l.spillBegin(false))
	if err != nil {
		return nil, fmt.Errorf("store: begin %s: %w (and redis: %w)", info.ID, err, cause)
	}
	l.w.spill, l.w.spilling, l.w.notBegun = sf, true, true
	l.w.failing, l.w.failedAt = true, s.now()
	l.log.Warn("store: redis unreachable at call start; the call goes on, its timeline spilled to disk",
		"err", cause, "spill_file", sf.path)
	s.active.Store(info.ID, l)
	go l.w.run()
	return l, nil
}

// writeBegin writes a new call's info and live hashes, adds it to calls:live and to the
// time, learner and scenario indexes. With unlessSealed it does nothing for a call that
// already has a record (a replay of a call sealed meanwhile).
func (s *Store) writeBegin(ctx context.Context, info telephony.Info, recording string, now time.Time, unlessSealed bool) error {
	id := info.ID
	if unlessSealed {
		n, err := s.rdb.Exists(ctx, s.keys.record(id)).Result()
		if err != nil {
			return fmt.Errorf("store: begin %s: %w", id, err)
		}
		if n > 0 {
			return nil
		}
	}
	fields := infoFields(info, s.cfg.Node, recording)
	started := info.Started.UnixMilli()
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
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
		return fmt.Errorf("store: begin %s: %w", id, err)
	}
	return nil
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
		Recording: f["recording"], ScenarioVersion: scenarioVersion(f["p."+ParamScenarioVersion]), Trial: f["p."+ParamTrial],
	}
	if ms, err := strconv.ParseInt(f["started"], 10, 64); err == nil {
		r.Started = time.UnixMilli(ms)
	}
	return r
}

// scenarioVersion reads ParamScenarioVersion; absent or unreadable is 0, a file scenario.
func scenarioVersion(v string) int {
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0
	}
	return n
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
