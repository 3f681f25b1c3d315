package store

import (
	"context"
	"errors"
	"reflect"
	"runtime"
	"testing"
	"time"

	"github.com/sparlab/spar/dialog"
	"github.com/sparlab/spar/dialog/store/storetest"
)

type followed struct {
	id string
	e  dialog.Event
}

// follow runs Follow in a goroutine, sending what it sees on the returned channel and its
// result on the error channel.
func follow(ctx context.Context, s *testStore, id, from string) (<-chan followed, <-chan error) {
	seen := make(chan followed, 1000)
	errc := make(chan error, 1)
	go func() {
		errc <- s.Follow(ctx, id, from, func(entry string, e dialog.Event) error {
			seen <- followed{entry, e}
			return nil
		})
	}()
	return seen, errc
}

func receive(t *testing.T, seen <-chan followed, want []dialog.Event) []followed {
	t.Helper()
	var got []followed
	timeout := time.After(10 * time.Second)
	for range want {
		select {
		case f := <-seen:
			got = append(got, f)
		case <-timeout:
			t.Fatalf("Follow delivered %d of %d events", len(got), len(want))
		}
	}
	for i, f := range got {
		if !reflect.DeepEqual(f.e, want[i]) {
			t.Errorf("event %d = %+v, want %+v", i, f.e, want[i])
		}
	}
	return got
}

func waitErr(t *testing.T, errc <-chan error) error {
	t.Helper()
	select {
	case err := <-errc:
		return err
	case <-time.After(10 * time.Second):
		t.Fatal("Follow did not return")
		return nil
	}
}

func TestFollow(t *testing.T) {
	ctx := context.Background()
	rdb := storetest.Redis(t)
	s := newTestStore(t, rdb, storetest.Prefix(t), "node-a")
	l, err := s.Begin(ctx, testInfo("f1", "alice", "billing", time.Now()), "")
	if err != nil {
		t.Fatal(err)
	}
	events := script(3)
	appendAll(l, events[:2])
	s.waitWritten(t, "f1", 2)

	seen, errc := follow(ctx, s, "f1", "")
	first := receive(t, seen, events[:2]) // caught up: Follow is now waiting for more
	appendAll(l, events[2:])
	receive(t, seen, events[2:])
	if err := waitErr(t, errc); err != nil {
		t.Errorf("Follow after call.end = %v, want nil", err)
	}

	t.Run("resume from an entry ID", func(t *testing.T) {
		seen, errc := follow(ctx, s, "f1", first[0].id)
		receive(t, seen, events[1:])
		if err := waitErr(t, errc); err != nil {
			t.Errorf("Follow = %v", err)
		}
	})

	t.Run("from now on skips what exists", func(t *testing.T) {
		l, err := s.Begin(ctx, testInfo("f2", "alice", "billing", time.Now()), "")
		if err != nil {
			t.Fatal(err)
		}
		appendAll(l, events[:3])
		if _, err := l.Seal(ctx, dialog.Result{}); err != nil {
			t.Fatal(err)
		}
		var got []dialog.Event
		err = s.Follow(ctx, "f2", "$", func(_ string, e dialog.Event) error {
			got = append(got, e)
			return nil
		})
		if err != nil || len(got) != 0 {
			t.Errorf("Follow from $ of a sealed call = %v, %v; want nothing", got, err)
		}
	})
}

func TestFollowEnds(t *testing.T) {
	ctx := context.Background()
	rdb := storetest.Redis(t)
	s := newTestStore(t, rdb, storetest.Prefix(t), "node-a")
	events := script(1)
	noEnd := events[:len(events)-1]

	t.Run("context cancelled", func(t *testing.T) {
		l, err := s.Begin(ctx, testInfo("e1", "alice", "billing", time.Now()), "")
		if err != nil {
			t.Fatal(err)
		}
		appendAll(l, noEnd)
		cctx, cancel := context.WithCancel(ctx)
		seen, errc := follow(cctx, s, "e1", "")
		receive(t, seen, noEnd)
		cancel()
		if err := waitErr(t, errc); !errors.Is(err, context.Canceled) {
			t.Errorf("Follow after cancel = %v, want context.Canceled", err)
		}
	})

	t.Run("sealed without call.end", func(t *testing.T) {
		l, err := s.Begin(ctx, testInfo("e2", "alice", "billing", time.Now()), "")
		if err != nil {
			t.Fatal(err)
		}
		appendAll(l, noEnd)
		seen, errc := follow(ctx, s, "e2", "")
		receive(t, seen, noEnd)
		if _, err := l.Seal(ctx, dialog.Result{}); err != nil {
			t.Fatal(err)
		}
		if err := waitErr(t, errc); err != nil {
			t.Errorf("Follow of a sealed call = %v, want nil", err)
		}
	})

	t.Run("callback error", func(t *testing.T) {
		boom := errors.New("client went away")
		err := s.Follow(ctx, "e1", "", func(string, dialog.Event) error { return boom })
		if !errors.Is(err, boom) {
			t.Errorf("Follow = %v, want the callback's error", err)
		}
	})
}

// TestFollowBounded: a call that does not exist is not followed (it would block forever);
// past MaxFollowers open feeds Follow answers ErrBusy; and the feeds' blocking reads use a
// pool of their own, so the call path still writes while every feed waits.
func TestFollowBounded(t *testing.T) {
	ctx := t.Context()
	rdb := storetest.Redis(t)
	s := newTestStore(t, rdb, storetest.Prefix(t), "node-a")
	if err := s.Follow(ctx, "no-such-call", "", func(string, dialog.Event) error { return nil }); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Follow of an unknown call = %v, want ErrNotFound", err)
	}

	l, err := s.Begin(ctx, testInfo("b1", "alice", "billing", time.Now()), "")
	if err != nil {
		t.Fatal(err)
	}
	fctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var errs []<-chan error
	for range cap(s.followSlots) { // every slot taken by a feed blocked on a quiet call
		seen, errc := follow(fctx, s, "b1", "$")
		_ = seen
		errs = append(errs, errc)
	}
	// Wait until every feed holds its slot, then one more is refused.
	deadline := time.Now().Add(10 * time.Second)
	for len(s.followSlots) < cap(s.followSlots) && time.Now().Before(deadline) {
		runtime.Gosched()
	}
	if err := s.Follow(ctx, "b1", "$", func(string, dialog.Event) error { return nil }); !errors.Is(err, ErrBusy) {
		t.Errorf("Follow past MaxFollowers = %v, want ErrBusy", err)
	}
	// The call path still has its connections: the call's events are written and sealed.
	appendAll(l, script(1))
	if _, err := l.Seal(ctx, dialog.Result{EndReason: "done"}); err != nil {
		t.Fatalf("seal while every feed waits: %v", err)
	}
	cancel()
	for _, errc := range errs {
		waitErr(t, errc)
	}
}
