package store

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/sparlab/spar/dialog"
	"github.com/sparlab/spar/dialog/store/storetest"
)

func TestSweep(t *testing.T) {
	ctx := context.Background()
	rdb := storetest.Redis(t)
	prefix := storetest.Prefix(t)
	s := newTestStore(t, rdb, prefix, "node-a")
	dir, elsewhere := t.TempDir(), t.TempDir()
	wav := func(d, name string) string {
		p := filepath.Join(d, name)
		if err := os.WriteFile(p, []byte("RIFF"), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	now := time.UnixMilli(1_800_000_000_000)
	old := now.Add(-40 * 24 * time.Hour)
	oldWAV, recentWAV, foreignWAV := wav(dir, "old.wav"), wav(dir, "recent.wav"), wav(elsewhere, "foreign.wav")
	sealCallAt(t, s, rdb, "old", "alice", "billing", oldWAV, old)
	sealCallAt(t, s, rdb, "old-missing-file", "alice", "billing", filepath.Join(dir, "never-written.wav"), old)
	sealCallAt(t, s, rdb, "old-foreign", "bob", "billing", foreignWAV, old)
	sealCallAt(t, s, rdb, "old-escape", "bob", "billing", dir+"/../"+filepath.Base(elsewhere)+"/foreign.wav", old)
	sealCallAt(t, s, rdb, "recent", "alice", "billing", recentWAV, now.Add(-2*24*time.Hour))
	live, err := s.Begin(ctx, testInfo("live-old", "alice", "billing", old), wav(dir, "live.wav"))
	if err != nil {
		t.Fatal(err)
	}
	defer live.Seal(ctx, dialog.Result{})

	w, err := NewSweeper(s.Store, SweepConfig{Dir: dir, Batch: 2}, nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := w.Sweep(ctx, now)
	if err != nil || res.Deleted != 0 {
		t.Fatalf("sweep with retention unset: %+v, %v; want nothing deleted", res, err)
	}
	if err := s.SetRetentionDays(ctx, 30); err != nil {
		t.Fatal(err)
	}
	res, err = w.Sweep(ctx, now)
	if err != nil {
		t.Fatal(err)
	}
	if want := (SweepResult{Deleted: 4, Files: 1, Foreign: 2, Days: 30}); res != want {
		t.Errorf("sweep = %+v, want %+v", res, want)
	}
	for _, id := range []string{"old", "old-missing-file", "old-foreign", "old-escape"} {
		if _, err := s.Get(ctx, id); !errors.Is(err, ErrNotFound) {
			t.Errorf("%s: Get = %v, want ErrNotFound", id, err)
		}
		if ks := keysOf(t, rdb, prefix, id); len(ks) != 0 {
			t.Errorf("%s: keys left %v", id, ks)
		}
	}
	if _, err := os.Stat(oldWAV); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("old recording still there: %v", err)
	}
	for _, p := range []string{recentWAV, foreignWAV, filepath.Join(dir, "live.wav")} {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("%s was removed: %v", p, err)
		}
	}
	if _, err := s.Get(ctx, "recent"); err != nil {
		t.Errorf("recent call: %v", err)
	}
	if !inIndex(t, rdb, s.keys.byTime(), "live-old") {
		t.Error("the live call left the index")
	}
	// A second pass finds nothing more.
	if res, err := w.Sweep(ctx, now); err != nil || res.Deleted != 0 {
		t.Errorf("second sweep = %+v, %v", res, err)
	}
}

func TestSweepConfig(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  SweepConfig
		ok   bool
	}{
		{"defaults", SweepConfig{Dir: "/data/recordings"}, true},
		{"relative dir", SweepConfig{Dir: "recordings"}, false},
		{"negative every", SweepConfig{Dir: "/r", Every: -time.Second}, false},
		{"negative batch", SweepConfig{Dir: "/r", Batch: -1}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.cfg.Validate()
			if tc.ok != (err == nil) || err != nil && !errors.Is(err, ErrInvalidConfig) {
				t.Fatalf("Validate = %v", err)
			}
		})
	}
}
