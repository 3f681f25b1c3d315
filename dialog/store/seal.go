package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/sparlab/spar/dialog"
)

// sealLockTTL frees a seal lock whose holder died; sealing itself takes milliseconds.
const sealLockTTL = 30 * time.Second

// errLockHeld means another process is sealing the call right now.
var errLockHeld = errors.New("store: seal lock held")

// Seal ends the call's log: it stops the writer, writes every event still queued (retrying
// for up to Config.FlushWait while Redis is unreachable), then writes the sealed record,
// removes the call from the live set and posts one notice on calls:sealed. It is idempotent:
// later calls return the same record. If another node already sealed the call (its Recover
// judged this server dead), Seal returns that record.
//
// When Redis cannot be reached in time and Config.SpillDir is set, Seal writes the rest of
// the timeline and the record to the call's spill file, fsyncs it and returns the record:
// the background replayer (or Recover at the next start) seals it in Redis when Redis
// returns, and only then is it queued for scoring. Without SpillDir, Seal fails; nothing is
// lost while the process lives (Seal may be retried) and a call never sealed is sealed by
// Recover as interrupted. Either way the failure is logged.
func (l *CallLog) Seal(ctx context.Context, res dialog.Result) (*Record, error) {
	l.sealMu.Lock()
	defer l.sealMu.Unlock()
	if l.sealed != nil {
		return l.sealed, nil
	}
	l.stopWriter()
	ferr := l.flushRest(ctx)
	rec := l.base
	rec.Status = StatusSealed
	rec.Ended = l.s.now()
	rec.Duration = res.Duration
	rec.EndReason = res.EndReason
	rec.Transcript = res.Transcript
	rec.FinalMood = res.FinalMood
	rec.FinalStage = res.FinalStage
	rec.Goal = res.Goal
	rec.Turns = res.Turns
	rec.Latency = res.Latency
	rec.Events = l.w.seq // every event taken; once sealed, all of them are in the stream
	rec.Dropped = l.dropped.Load()
	err := ferr
	if err == nil {
		var got *Record
		got, _, err = l.s.sealCall(ctx, l.id, true, func(context.Context) (*Record, error) { return &rec, nil })
		if err == nil {
			if got.Status != StatusSealed {
				l.log.Warn("store: call was already sealed elsewhere", "status", got.Status)
			}
			if rec.Dropped > 0 {
				l.log.Warn("store: call sealed with a gap in its timeline", "dropped", rec.Dropped)
			}
			if sf := l.w.spill; sf != nil {
				if rerr := sf.remove(); rerr != nil {
					l.log.Warn("store: remove spill file of a sealed call", "err", rerr)
				}
			}
			l.release()
			l.sealed = got
			return got, nil
		}
	}
	if serr := l.sealToDisk(&rec); serr == nil {
		l.log.Warn("store: redis unreachable at seal; call sealed to disk, to be replayed when redis returns",
			"err", err, "events", rec.Events, "spill_file", l.w.spill.path)
		l.release()
		l.sealed = &rec
		l.s.kickReplay()
		return &rec, nil
	} else if l.s.cfg.SpillDir != "" {
		err = errors.Join(err, serr)
	}
	l.log.Error("store: seal failed; the call stays live until a retried Seal or Recover seals it",
		"err", err, "events", rec.Events, "unwritten", len(l.w.batch))
	l.release()
	return nil, fmt.Errorf("store: seal %s: %w", l.id, err)
}

// errNoSpill means spilling is off (Config.SpillDir is empty).
var errNoSpill = errors.New("store: spilling is off")

// sealToDisk writes what Redis has not got of the call, and its record, to its spill file.
func (l *CallLog) sealToDisk(rec *Record) error {
	w := &l.w
	if l.s.cfg.SpillDir == "" {
		return errNoSpill
	}
	if w.spill == nil {
		sf, err := openSpill(l.s.cfg.SpillDir, l.spillBegin(!w.notBegun))
		if err != nil {
			return err
		}
		w.spill = sf
	}
	if err := w.spill.entries(w.batch); err != nil {
		return err
	}
	w.batch = w.batch[:0]
	if err := w.spill.seal(rec); err != nil {
		return err
	}
	return w.spill.close()
}

// flushRest writes everything still queued after the writer stopped, with backoff, for at
// most FlushWait.
func (l *CallLog) flushRest(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, l.s.cfg.FlushWait)
	defer cancel()
	w := &l.w
	w.touch = false // the live hash is about to go
	w.takeQueued(l.events.len())
	backoff := l.s.retryMin
	for {
		err := w.attempt(ctx)
		if err == nil {
			return nil
		}
		if w.spilling {
			w.spillBatch() // keep the file whole, so a seal to disk lands after every entry
		}
		t := time.NewTimer(backoff)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("flush timeline (%d events unwritten): %w", len(w.batch), err)
		case <-t.C:
		}
		backoff = min(2*backoff, l.s.retryMax)
	}
}

// sealCall seals call id under its seal lock. If a record already exists it is returned
// (sealedNow false) after finishing any cleanup its sealer left undone; otherwise build makes
// the record, which is written with the cleanup and the notice. wait says whether to wait
// for a lock held elsewhere (Seal) or give up with errLockHeld (Recover).
func (s *Store) sealCall(ctx context.Context, id string, wait bool,
	build func(context.Context) (*Record, error)) (rec *Record, sealedNow bool, err error) {
	token, err := s.lock(ctx, id, wait)
	if err != nil {
		return nil, false, err
	}
	defer func() {
		// A failed unlock only delays the next sealer until the lock's TTL.
		if uerr := unlockScript.Run(context.WithoutCancel(ctx), s.rdb, []string{s.keys.sealLock(id)}, token).Err(); uerr != nil {
			s.log.Warn("store: release seal lock", "call_id", id, "err", uerr)
		}
	}()

	data, err := s.rdb.Get(ctx, s.keys.record(id)).Bytes()
	switch {
	case err == nil:
		rec = new(Record)
		if err := json.Unmarshal(data, rec); err != nil {
			return nil, false, fmt.Errorf("decode record: %w", err)
		}
		// Still in calls:live means the sealer died after writing the record and maybe
		// before the notice: finish its work (a notice may then arrive twice).
		removed, err := s.rdb.ZRem(ctx, s.keys.liveSet(), id).Result()
		if err != nil {
			return nil, false, fmt.Errorf("finish seal: %w", err)
		}
		if removed > 0 {
			if err := s.notify(ctx, rec); err != nil {
				return nil, false, err
			}
		}
		return rec, false, nil
	case !isNil(err):
		return nil, false, fmt.Errorf("read record: %w", err)
	}

	if rec, err = build(ctx); err != nil {
		return nil, false, err
	}
	if data, err = json.Marshal(rec); err != nil {
		return nil, false, fmt.Errorf("encode record: %w", err)
	}
	// One slot: the record and the end of the live state go together.
	_, err = s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.Set(ctx, s.keys.record(id), data, 0)
		p.Del(ctx, s.keys.info(id), s.keys.live(id))
		return nil
	})
	if err != nil {
		return nil, false, fmt.Errorf("write record: %w", err)
	}
	// The notice goes before leaving calls:live: if this process dies in between, the next
	// Recover finds the record still listed live and repeats the notice instead of losing it.
	if err := s.notify(ctx, rec); err != nil {
		return nil, false, err
	}
	if err := s.rdb.ZRem(ctx, s.keys.liveSet(), id).Err(); err != nil {
		return nil, false, fmt.Errorf("leave live set: %w", err)
	}
	return rec, true, nil
}

// notify posts the call-sealed notice for the scoring workers.
func (s *Store) notify(ctx context.Context, rec *Record) error {
	err := s.rdb.XAdd(ctx, &redis.XAddArgs{
		Stream: s.keys.sealed(), Values: []any{"id", rec.ID, "status", rec.Status},
	}).Err()
	if err != nil {
		return fmt.Errorf("post sealed notice: %w", err)
	}
	return nil
}

// lock takes the call's seal lock, polling until ctx ends when wait is set.
func (s *Store) lock(ctx context.Context, id string, wait bool) (string, error) {
	var b [8]byte
	_, _ = rand.Read(b[:])
	token := s.cfg.Node + ":" + hex.EncodeToString(b[:])
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		ok, err := s.rdb.SetNX(ctx, s.keys.sealLock(id), token, sealLockTTL).Result()
		if err != nil {
			return "", fmt.Errorf("take seal lock: %w", err)
		}
		if ok {
			return token, nil
		}
		if !wait {
			return "", errLockHeld
		}
		select {
		case <-ctx.Done():
			return "", fmt.Errorf("%w: %w", ErrLocked, ctx.Err())
		case <-tick.C:
		}
	}
}
