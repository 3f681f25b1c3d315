package store

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// replayMax is the longest wait between two replay rounds while Redis stays away.
const replayMax = 5 * time.Second

// ReplaySpilled writes to Redis every spill file of a call that is not running in this
// process: calls sealed to disk during an outage are sealed in Redis (and so queued for
// scoring) exactly as if Redis had been there, and calls whose process died while they
// spilled get their timeline back before Recover seals them as interrupted. It returns the
// IDs of the calls still waiting (Redis is unreachable, or another node holds a seal lock),
// and the errors met. Recover calls it first; the background replayer calls it until nothing
// is left.
func (s *Store) ReplaySpilled(ctx context.Context) (waiting map[string]bool, err error) {
	if s.cfg.SpillDir == "" {
		return nil, nil
	}
	s.replayMu.Lock()
	defer s.replayMu.Unlock()
	paths, err := spillFiles(s.cfg.SpillDir)
	if err != nil {
		return nil, err
	}
	var errs []error
	for _, p := range paths {
		sp, err := readSpill(p)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		id := sp.begin.Info.ID
		if _, running := s.active.Load(id); running && sp.seal == nil {
			continue // its writer owns the file
		}
		if err := s.replay(ctx, sp); err != nil {
			s.reloadSlots(ctx, err)
			if waiting == nil {
				waiting = map[string]bool{}
			}
			waiting[id] = true
			if !errors.Is(err, errLockHeld) {
				errs = append(errs, fmt.Errorf("store: replay %s: %w", id, err))
			}
		}
	}
	return waiting, errors.Join(errs...)
}

// replay writes one spill file to Redis and removes it.
func (s *Store) replay(ctx context.Context, sp *spilled) error {
	id := sp.begin.Info.ID
	if !sp.begin.Begun {
		if err := s.writeBegin(ctx, sp.begin.Info, sp.begin.Recording, s.now(), true); err != nil {
			return err
		}
	}
	for start := 0; start < len(sp.entries); start += maxBatch {
		if _, err := s.xadd(ctx, id, sp.entries[start:min(start+maxBatch, len(sp.entries))]); err != nil {
			return err
		}
	}
	var (
		rec       *Record
		sealedNow bool
		err       error
	)
	if sp.seal != nil {
		sealed := *sp.seal
		rec, sealedNow, err = s.sealCall(ctx, id, false, func(context.Context) (*Record, error) { return &sealed, nil })
	} else {
		// The process died mid-call while Redis was away: seal it as interrupted from the
		// timeline, now whole.
		rec, sealedNow, err = s.sealCall(ctx, id, false, func(ctx context.Context) (*Record, error) {
			return s.interrupted(ctx, id, sp.modTime)
		})
	}
	if err != nil {
		return err
	}
	if err := removeSpill(sp.path); err != nil {
		return err
	}
	s.log.Info("store: replayed a call spilled to disk", "call_id", id, "status", rec.Status,
		"events", len(sp.entries), "sealed_now", sealedNow)
	if s.replayHook != nil {
		s.replayHook(id)
	}
	return nil
}

// kickReplay makes sure the background replayer runs: it retries, with backoff, until every
// spill file is in Redis, and then stops until the next spill.
func (s *Store) kickReplay() {
	s.replayerMu.Lock()
	defer s.replayerMu.Unlock()
	if s.replayCtx.Err() != nil {
		return // closed: the files wait for the next start
	}
	if s.replaying {
		select {
		case s.replayWake <- struct{}{}:
		default:
		}
		return
	}
	s.replaying = true
	s.replayWG.Add(1)
	go s.replayLoop()
}

func (s *Store) replayLoop() {
	defer s.replayWG.Done()
	ctx := s.replayCtx
	backoff := s.retryMin
	for {
		waiting, err := s.ReplaySpilled(ctx)
		if err != nil && ctx.Err() == nil && len(waiting) == 0 {
			s.log.Error("store: replay spilled calls", "err", err)
		}
		if len(waiting) == 0 {
			s.replayerMu.Lock()
			select {
			case <-s.replayWake: // a spill arrived meanwhile: go round again
				s.replayerMu.Unlock()
				continue
			default:
			}
			s.replaying = false
			s.replayerMu.Unlock()
			return
		}
		t := time.NewTimer(backoff)
		select {
		case <-ctx.Done():
			t.Stop()
			s.replayerMu.Lock()
			s.replaying = false
			s.replayerMu.Unlock()
			return
		case <-s.replayWake:
			t.Stop()
		case <-t.C:
		}
		backoff = min(2*backoff, replayMax)
	}
}

// Close stops the background replayer and waits for it. Spill files not yet replayed stay on
// disk for Recover at the next start. Calls still running are not affected.
func (s *Store) Close() error {
	s.replayerMu.Lock()
	s.replayStop()
	s.replayerMu.Unlock()
	s.replayWG.Wait()
	if s.followRDB != s.rdb {
		return s.followRDB.Close()
	}
	return nil
}
