package store

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/sparlab/spar/dialog"
	"github.com/sparlab/spar/dialog/store/storetest"
)

// sealCallAt begins and seals a call started at started, with a scorecard, a scoring
// attempt counter and trainer feedback beside it.
func sealCallAt(t *testing.T, s *testStore, rdb redis.UniversalClient, id, learner, scenario, recording string, started time.Time) {
	t.Helper()
	ctx := context.Background()
	l, err := s.Begin(ctx, testInfo(id, learner, scenario, started), recording)
	if err != nil {
		t.Fatal(err)
	}
	appendAll(l, script(2))
	if _, err := l.Seal(ctx, dialog.Result{EndReason: "done"}); err != nil {
		t.Fatal(err)
	}
	fb := s.FeedbackKeys()
	_, err = rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		p.Set(ctx, s.ScorecardKey(id), `{"call_id":"`+id+`"}`, 0)
		p.Incr(ctx, s.ScoreAttemptsKey(id))
		p.HSet(ctx, fb.Comments(id), "c1", `{"text":"good"}`)
		p.Set(ctx, fb.Override(id), `{"score":80}`, 0)
		p.Set(ctx, fb.Disagree(id), `{"reason":"no"}`, 0)
		p.Set(ctx, s.keys.sealLock(id), "stale", time.Minute)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// keysOf lists the keys under prefix whose name carries call id's hash tag.
func keysOf(t *testing.T, rdb redis.UniversalClient, prefix, id string) []string {
	t.Helper()
	ctx, pat := context.Background(), prefix+"*{"+id+"}*"
	var ks []string
	var err error
	if c, ok := rdb.(*redis.ClusterClient); ok {
		// KEYS reaches one node of a cluster: ask each master.
		var mu sync.Mutex
		err = c.ForEachMaster(ctx, func(ctx context.Context, m *redis.Client) error {
			part, err := m.Keys(ctx, pat).Result()
			mu.Lock()
			ks = append(ks, part...)
			mu.Unlock()
			return err
		})
	} else {
		ks, err = rdb.Keys(ctx, pat).Result()
	}
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(ks)
	return ks
}

func inIndex(t *testing.T, rdb redis.UniversalClient, key, id string) bool {
	t.Helper()
	_, err := rdb.ZScore(context.Background(), key, id).Result()
	if err != nil && !isNil(err) {
		t.Fatal(err)
	}
	return err == nil
}

func TestDelete(t *testing.T) {
	ctx := context.Background()
	rdb := storetest.Redis(t)
	prefix := storetest.Prefix(t)
	s := newTestStore(t, rdb, prefix, "node-a")
	t0 := time.UnixMilli(1_700_000_000_000)
	sealCallAt(t, s, rdb, "gone", "alice", "billing", "/rec/gone.wav", t0)
	sealCallAt(t, s, rdb, "kept", "alice", "billing", "/rec/kept.wav", t0.Add(time.Minute))

	keptBefore := keysOf(t, rdb, prefix, "kept")
	if len(keysOf(t, rdb, prefix, "gone")) != 8 || len(keptBefore) != 8 {
		t.Fatalf("seeded keys: gone %v, kept %v; want 8 each (info and live go at seal)", keysOf(t, rdb, prefix, "gone"), keptBefore)
	}
	if err := s.Delete(ctx, "gone"); err != nil {
		t.Fatal(err)
	}
	if ks := keysOf(t, rdb, prefix, "gone"); len(ks) != 0 {
		t.Errorf("keys left after Delete: %v", ks)
	}
	for _, key := range []string{s.keys.byTime(), s.keys.byLearner("alice"), s.keys.byScenario("billing"), s.keys.liveSet()} {
		if inIndex(t, rdb, key, "gone") {
			t.Errorf("%s still lists the deleted call", key)
		}
	}
	if got := keysOf(t, rdb, prefix, "kept"); !slices.Equal(got, keptBefore) {
		t.Errorf("other call's keys = %v, want %v", got, keptBefore)
	}
	for _, key := range []string{s.keys.byTime(), s.keys.byLearner("alice"), s.keys.byScenario("billing")} {
		if !inIndex(t, rdb, key, "kept") {
			t.Errorf("%s lost the other call", key)
		}
	}
	if _, err := s.Get(ctx, "gone"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get after Delete: %v, want ErrNotFound", err)
	}
	if err := s.Delete(ctx, "gone"); !errors.Is(err, ErrNotFound) {
		t.Errorf("second Delete: %v, want ErrNotFound", err)
	}

	t.Run("live call refused", func(t *testing.T) {
		l, err := s.Begin(ctx, testInfo("running", "bob", "billing", t0), "")
		if err != nil {
			t.Fatal(err)
		}
		defer l.Seal(ctx, dialog.Result{})
		if err := s.Delete(ctx, "running"); !errors.Is(err, ErrLive) {
			t.Fatalf("Delete of a live call: %v, want ErrLive", err)
		}
		if !inIndex(t, rdb, s.keys.byTime(), "running") {
			t.Fatal("live call left the index")
		}
	})
}

func TestExpired(t *testing.T) {
	ctx := context.Background()
	rdb := storetest.Redis(t)
	s := newTestStore(t, rdb, storetest.Prefix(t), "node-a")
	t0 := time.UnixMilli(1_700_000_000_000)
	for i, id := range []string{"a", "b", "c", "d"} {
		sealCallAt(t, s, rdb, id, "alice", "billing", "", t0.Add(time.Duration(i)*time.Hour))
	}
	l, err := s.Begin(ctx, testInfo("live", "alice", "billing", t0.Add(-time.Hour)), "")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Seal(ctx, dialog.Result{})
	tests := []struct {
		name   string
		before time.Time
		limit  int
		want   string
	}{
		{"none older", t0, 10, ""},
		{"strictly before", t0.Add(2 * time.Hour), 10, "a b"},
		{"all, live skipped", t0.Add(24 * time.Hour), 10, "a b c d"},
		{"limit keeps oldest", t0.Add(24 * time.Hour), 3, "a b c"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			recs, err := s.Expired(ctx, tc.before, tc.limit)
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, r := range recs {
				ids = append(ids, r.ID)
			}
			if got := strings.Join(ids, " "); got != tc.want {
				t.Fatalf("Expired = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestRetentionSetting(t *testing.T) {
	ctx := context.Background()
	s := newTestStore(t, storetest.Redis(t), storetest.Prefix(t), "node-a")
	if d, err := s.RetentionDays(ctx); err != nil || d != 0 {
		t.Fatalf("unset retention = %d, %v; want 0 (forever)", d, err)
	}
	for _, tc := range []struct {
		days int
		ok   bool
	}{{30, true}, {0, true}, {MaxRetentionDays, true}, {-1, false}, {MaxRetentionDays + 1, false}} {
		err := s.SetRetentionDays(ctx, tc.days)
		if tc.ok != (err == nil) || !tc.ok && !errors.Is(err, ErrInvalidRetention) {
			t.Fatalf("SetRetentionDays(%d) = %v", tc.days, err)
		}
		if tc.ok {
			if d, err := s.RetentionDays(ctx); err != nil || d != tc.days {
				t.Fatalf("after set %d: %d, %v", tc.days, d, err)
			}
		}
	}
}
