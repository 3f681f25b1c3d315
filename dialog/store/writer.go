package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/sparlab/spar/dialog"
)

// maxBatch bounds the XADDs sent in one pipeline while the call runs.
const maxBatch = 256

// attemptTimeout bounds one write attempt, so a stalled connection counts as an outage.
const attemptTimeout = 3 * time.Second

// writer moves one call's queued events and live fields to Redis.
type writer struct {
	l   *CallLog
	ctx context.Context // cancelled by stopWriter

	batch   []entry // taken from the queue, not yet confirmed written, in order
	seq     int64   // n of the last entry taken
	lastMS  int64   // ms part of the last entry ID (IDs never go back with the clock)
	written int64   // n of the last entry confirmed written
	touch   bool    // the live hash is due a heartbeat
	gone    bool    // the call was sealed elsewhere: stop heartbeats

	failing  bool // in an outage: the last attempt failed
	failedAt time.Time
	logDrops int64 // dropped count last logged

	// With Config.SpillDir set, an outage moves the batch to the call's spill file and
	// later events go straight there, so memory stays bounded however long Redis is away;
	// each retry catches Redis up from the file.
	spill    *spillFile // opened at the first spill, kept until the call is sealed
	spilling bool       // entries after written are in the file, not in batch
	notBegun bool       // the call began during an outage: Begin's keys are not written yet
}

// entry is one timeline event ready for XADD: its explicit stream ID and fields.
type entry struct {
	n    int64
	id   string
	args []any
}

// run is the writer goroutine: it writes batches as events arrive, heartbeats, and backs off
// while Redis is unreachable, keeping everything queued.
func (w *writer) run() {
	l := w.l
	defer close(l.done)
	hb := time.NewTicker(l.s.cfg.Heartbeat)
	defer hb.Stop()
	var (
		retry   *time.Timer
		retryC  <-chan time.Time
		backoff = l.s.retryMin
	)
	defer func() {
		if retry != nil {
			retry.Stop()
		}
	}()
	for {
		var in <-chan struct{}
		if (retryC == nil && len(w.batch) == 0) || (w.spilling && len(w.batch) < l.s.cfg.Buffer) {
			in = l.events.ready
		}
		select {
		case <-w.ctx.Done():
			return
		case <-in:
			w.takeQueued(maxBatch)
			if w.spilling {
				w.spillBatch()
			}
		case <-hb.C:
			w.touch = true
		case <-l.wake:
			w.touch = true
		case <-retryC:
			retryC = nil
		}
		if retryC != nil {
			continue // backing off: keep queuing (or spilling)
		}
		err := w.attempt(w.ctx)
		if w.ctx.Err() != nil {
			return // stopped mid-attempt: Seal finishes the job
		}
		if err != nil {
			w.spillBatch()
			retry = time.NewTimer(backoff)
			retryC = retry.C
			backoff = min(2*backoff, l.s.retryMax)
			continue
		}
		backoff = l.s.retryMin
	}
}

// spillBatch moves the batch to the call's spill file, when spilling is configured. If the
// file cannot be written the batch stays in memory, as without spilling.
func (w *writer) spillBatch() {
	l := w.l
	if l.s.cfg.SpillDir == "" || len(w.batch) == 0 {
		return
	}
	if w.spill == nil {
		sf, err := openSpill(l.s.cfg.SpillDir, l.spillBegin(!w.notBegun))
		if err != nil {
			l.log.Error("store: cannot spill call events to disk; keeping them in memory", "err", err)
			return
		}
		w.spill = sf
		l.log.Warn("store: spilling call events to disk until redis returns", "spill_file", sf.path)
	}
	if err := w.spill.entries(w.batch); err != nil {
		l.log.Error("store: cannot spill call events to disk; keeping them in memory", "err", err)
		return
	}
	w.spilling = true
	w.batch = w.batch[:0]
}

// catchUp writes what the spill file holds beyond written (and Begin's keys, for a call
// that began during the outage); when done the writer stops spilling.
func (w *writer) catchUp(ctx context.Context) error {
	l := w.l
	if w.notBegun {
		if err := l.s.writeBegin(ctx, l.info, l.rec, l.s.now(), false); err != nil {
			return err
		}
		w.notBegun = false
	}
	sp, err := readSpill(w.spill.path)
	if err != nil {
		return err
	}
	var rest []entry
	for _, e := range sp.entries {
		if e.n > w.written {
			rest = append(rest, e)
		}
	}
	for len(rest) > 0 {
		k := min(len(rest), maxBatch)
		done, err := l.s.xadd(ctx, l.id, rest[:k])
		if done > 0 {
			w.written = rest[done-1].n
		}
		if err != nil {
			return err
		}
		rest = rest[k:]
	}
	w.spilling = false
	return nil
}

// take assigns the event its stream ID and adds it to the batch.
func (w *writer) take(e dialog.Event) {
	w.seq++
	w.lastMS = max(w.lastMS, w.l.s.now().UnixMilli())
	w.batch = append(w.batch, entry{
		n:    w.seq,
		id:   strconv.FormatInt(w.lastMS, 10) + "-" + strconv.FormatInt(w.seq, 10),
		args: eventArgs(e),
	})
}

// takeQueued moves up to n queued events into the batch without waiting.
func (w *writer) takeQueued(n int) { w.l.events.popTo(n, w.take) }

// attempt writes the batch and, when due, the heartbeat, and tracks outages for the log.
func (w *writer) attempt(parent context.Context) error {
	ctx, cancel := context.WithTimeout(parent, attemptTimeout)
	defer cancel()
	var err error
	if w.spilling {
		err = w.catchUp(ctx)
	}
	if err == nil {
		err = w.flush(ctx)
	}
	// A batch Redis took but no replica confirmed (wait_replicas) leaves the call as alive as
	// ever: its heartbeat goes on, or after LiveTTL without a replica other nodes' Recover
	// would seal it as interrupted while it runs.
	if (err == nil || errors.Is(err, errUnreplicated)) && w.touch && !w.gone {
		err = errors.Join(err, w.heartbeat(ctx))
	}
	if err != nil && parent.Err() != nil {
		return err // stopped (by Seal or its deadline), not an outage
	}
	w.l.s.reloadSlots(ctx, err)
	w.report(err)
	return err
}

// report logs the first failure of an outage and the recovery, never each retry.
func (w *writer) report(err error) {
	l := w.l
	if hook := l.s.flushHook; hook != nil {
		hook(l.id, w.written, err)
	}
	if d := l.dropped.Load(); d != w.logDrops {
		l.log.Warn("store: timeline buffer full, events dropped", "dropped", d, "buffer", l.s.cfg.Buffer)
		w.logDrops = d
	}
	switch {
	case err != nil && !w.failing:
		w.failing, w.failedAt = true, l.s.now()
		l.log.Warn("store: redis unreachable, keeping call events in memory", "err", err, "queued", len(w.batch)+l.events.len())
	case err == nil && w.failing:
		w.failing = false
		l.log.Info("store: redis reachable again, call events written", "outage", l.s.now().Sub(w.failedAt), "written", w.written)
	}
}

// flush XADDs the batch in one pipeline.
func (w *writer) flush(ctx context.Context) error {
	if len(w.batch) == 0 {
		return nil
	}
	done, err := w.l.s.xadd(ctx, w.l.id, w.batch)
	if done > 0 {
		w.written = w.batch[done-1].n
		w.batch = append(w.batch[:0], w.batch[done:]...)
	}
	return err
}

// xadd writes timeline entries of call id in one pipeline and returns how many, from the
// first, are now in the stream. Entries carry explicit IDs, so an entry that a failed
// attempt (or an earlier replay) did write is refused as "equal or smaller" on retry and
// counted as written: nothing is lost or doubled across an outage. With
// Config.WaitReplicas, the pipeline ends with WAIT and nothing counts as written until
// enough replicas have it: a master that lost its replica to a failover confirms nothing,
// so the entries are written again, to the new master once the client follows it
// (reloadSlots, after the failed attempt). On a Redis Cluster the pipeline goes to the
// master of the timeline's slot itself, as WAIT names no key a cluster client could route
// it by.
func (s *Store) xadd(ctx context.Context, id string, es []entry) (done int, err error) {
	key := s.keys.timeline(id)
	var pipe redis.Pipeliner = s.rdb.Pipeline()
	if cc, ok := s.rdb.(*redis.ClusterClient); ok && s.cfg.WaitReplicas > 0 {
		node, merr := cc.MasterForKey(ctx, key)
		if merr != nil {
			return 0, fmt.Errorf("store: write timeline of %s: find its master: %w", id, merr)
		}
		pipe = node.Pipeline()
	}
	cmds := make([]*redis.StringCmd, len(es))
	for i, e := range es {
		cmds[i] = pipe.XAdd(ctx, &redis.XAddArgs{
			Stream: key, MaxLen: s.cfg.TimelineMax, Approx: true, ID: e.id, Values: e.args,
		})
	}
	var wait *redis.IntCmd
	if s.cfg.WaitReplicas > 0 {
		wait = redis.NewIntCmd(ctx, "wait", s.cfg.WaitReplicas, s.cfg.WaitTimeout.Milliseconds())
		_ = pipe.Process(ctx, wait)
	}
	_, _ = pipe.Exec(ctx) // each command carries its own error
	for _, c := range cmds {
		if cerr := c.Err(); cerr != nil && !isDuplicateID(cerr) {
			return done, fmt.Errorf("store: write timeline of %s: %w", id, cerr)
		}
		done++
	}
	if wait != nil {
		n, err := wait.Result()
		if err == nil && n < int64(s.cfg.WaitReplicas) {
			err = fmt.Errorf("%w: %d of %d replicas acknowledged within %v", errUnreplicated, n, s.cfg.WaitReplicas, s.cfg.WaitTimeout)
		}
		if err != nil {
			return 0, fmt.Errorf("store: write timeline of %s: wait for replicas: %w", id, err)
		}
	}
	return done, nil
}

// reloadSlots reloads a Redis Cluster's slot map after a writer's attempt or a replay failed
// with err. A master that moved answers MOVED, which the client follows by itself, but a
// dead one answers nothing: without this the client would go on dialing it until its
// periodic reload (a minute), while the call's heartbeat lapses and its events wait, though
// a replica took over in about a second. The reload runs in the background, at most once
// per cooldown however often it is asked for. Not on a single server, and not after
// errUnreplicated: Redis took that write.
func (s *Store) reloadSlots(ctx context.Context, err error) {
	if cc, ok := s.rdb.(*redis.ClusterClient); ok && err != nil && !errors.Is(err, errUnreplicated) {
		cc.ReloadState(ctx)
	}
}

// errUnreplicated means Redis took a timeline batch but fewer replicas than
// Config.WaitReplicas confirmed it in time: it does not count as written yet.
var errUnreplicated = errors.New("not yet on enough replicas")

// heartbeat refreshes the live hash (with queued Update fields) and the calls:live score.
func (w *writer) heartbeat(ctx context.Context) error {
	l, s := w.l, w.l.s
	now := s.now().UnixMilli()
	upd := l.takeUpdates()
	args := make([]any, 0, 5+2*len(upd))
	args = append(args, s.cfg.LiveTTL.Milliseconds(), "heartbeat", now, "events", w.written)
	for k, v := range upd {
		args = append(args, k, v)
	}
	alive, err := touchScript.Run(ctx, s.rdb, []string{s.keys.info(l.id), s.keys.live(l.id)}, args...).Int()
	if err == nil && alive == 1 {
		err = s.rdb.ZAddXX(ctx, s.keys.liveSet(), redis.Z{Score: float64(now), Member: l.id}).Err()
	}
	if err != nil {
		l.putBackUpdates(upd)
		return fmt.Errorf("store: heartbeat of %s: %w", l.id, err)
	}
	w.touch = false
	if alive == 0 {
		w.gone = true
		l.log.Warn("store: live call was sealed elsewhere (its heartbeat went stale); timeline still written")
	}
	return nil
}

// isDuplicateID reports XADD refusing an ID at or below the stream's top: the entry was
// written by an earlier attempt.
func isDuplicateID(err error) bool {
	return strings.Contains(err.Error(), "equal or smaller than the target stream top item")
}
