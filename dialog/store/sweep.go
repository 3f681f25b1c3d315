package store

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// SweepConfig tunes the retention sweeper.
type SweepConfig struct {
	// Dir is the recordings directory (absolute). Only files under it are ever removed; a
	// call whose recording lies elsewhere is deleted but its file is left, with a warning.
	Dir string
	// Every is the time between passes (default 1h).
	Every time.Duration
	// Batch is how many calls one Expired read returns (default 100).
	Batch int
}

func (c SweepConfig) withDefaults() SweepConfig {
	if c.Every == 0 {
		c.Every = time.Hour
	}
	if c.Batch == 0 {
		c.Batch = 100
	}
	return c
}

// Validate reports the first unusable setting; zero Every and Batch take their defaults.
func (c SweepConfig) Validate() error {
	c = c.withDefaults()
	switch {
	case !filepath.IsAbs(c.Dir):
		return fmt.Errorf("%w: sweep dir %q is not absolute", ErrInvalidConfig, c.Dir)
	case c.Every <= 0:
		return fmt.Errorf("%w: sweep every %v is not positive", ErrInvalidConfig, c.Every)
	case c.Batch <= 0:
		return fmt.Errorf("%w: sweep batch %d is not positive", ErrInvalidConfig, c.Batch)
	}
	return nil
}

// SweepResult counts what one pass did.
type SweepResult struct {
	Deleted int // calls deleted
	Files   int // recording files removed
	Foreign int // recordings left in place because they lie outside Dir
	Failed  int // calls that could not be deleted (retried next pass)
	Days    int // the retention period the pass applied (0: keep forever, nothing done)
}

// Sweeper deletes calls older than the retention period (Store.RetentionDays) with their
// recordings. Live calls are never touched: Expired lists sealed calls only, and Delete
// refuses a live one.
type Sweeper struct {
	st  *Store
	cfg SweepConfig
	log *slog.Logger
	now func() time.Time
}

// NewSweeper returns a sweeper over st's calls.
func NewSweeper(st *Store, cfg SweepConfig, log *slog.Logger) (*Sweeper, error) {
	cfg = cfg.withDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	cfg.Dir = filepath.Clean(cfg.Dir)
	return &Sweeper{st: st, cfg: cfg, log: log.With("component", "retention"), now: time.Now}, nil
}

// Run sweeps once at once and then every Every until ctx ends; a failed pass is logged and
// retried at the next tick. It returns nil when ctx ends.
func (w *Sweeper) Run(ctx context.Context) error {
	t := time.NewTicker(w.cfg.Every)
	defer t.Stop()
	for {
		if _, err := w.Sweep(ctx, w.now()); err != nil && ctx.Err() == nil {
			w.log.Error("retention sweep", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// Sweep is one pass as of now: it reads the retention period and deletes every sealed call
// started more than that many days before now, removing its recording first (a missing file
// is fine). A call whose file cannot be removed is kept, so that no recording is orphaned.
func (w *Sweeper) Sweep(ctx context.Context, now time.Time) (SweepResult, error) {
	var res SweepResult
	days, err := w.st.RetentionDays(ctx)
	if err != nil {
		return res, fmt.Errorf("store: sweep: %w", err)
	}
	res.Days = days
	if days == 0 {
		return res, nil
	}
	before := now.Add(-time.Duration(days) * 24 * time.Hour)
	failed := map[string]bool{}
	for {
		recs, err := w.st.Expired(ctx, before, w.cfg.Batch+len(failed))
		if err != nil {
			return res, fmt.Errorf("store: sweep: %w", err)
		}
		progress := 0
		for _, rec := range recs {
			if failed[rec.ID] {
				continue
			}
			if err := w.deleteCall(ctx, rec, &res); err != nil {
				w.log.Warn("retention: delete call", "call_id", rec.ID, "err", err)
				failed[rec.ID] = true
				res.Failed++
				continue
			}
			progress++
		}
		if progress == 0 {
			break
		}
	}
	if res.Deleted > 0 || res.Failed > 0 {
		w.log.Info("retention sweep", "days", days, "deleted", res.Deleted, "files", res.Files,
			"foreign", res.Foreign, "failed", res.Failed)
	}
	return res, nil
}

func (w *Sweeper) deleteCall(ctx context.Context, rec *Record, res *SweepResult) error {
	if rec.Recording != "" {
		path := filepath.Clean(rec.Recording)
		switch {
		case !w.inDir(path):
			w.log.Warn("retention: recording outside the recordings directory left in place",
				"call_id", rec.ID, "path", rec.Recording)
			res.Foreign++
		default:
			err := os.Remove(path)
			if err != nil && !errors.Is(err, fs.ErrNotExist) {
				return fmt.Errorf("remove recording: %w", err)
			}
			if err == nil {
				res.Files++
			}
		}
	}
	if err := w.st.Delete(ctx, rec.ID); err != nil && !errors.Is(err, ErrNotFound) {
		return err
	}
	res.Deleted++
	return nil
}

// inDir reports whether path lies strictly under the recordings directory.
func (w *Sweeper) inDir(path string) bool {
	if !filepath.IsAbs(path) {
		return false
	}
	rel, err := filepath.Rel(w.cfg.Dir, path)
	return err == nil && rel != "." && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}
