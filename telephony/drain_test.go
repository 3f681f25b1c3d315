package telephony

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
)

func TestDrainCap(t *testing.T) {
	for _, tc := range []struct {
		name  string
		max   int
		admit int // calls admitted before the first refusal (-1: none refused in 5)
	}{
		{"no cap", 0, -1},
		{"cap 1", 1, 1},
		{"cap 3", 3, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var d Drain
			got := -1
			for i := range 5 {
				if !d.Add(tc.max) {
					if !d.Full(tc.max) {
						t.Error("refused but Full is false")
					}
					got = i
					break
				}
			}
			if got != tc.admit {
				t.Fatalf("first refusal at %d, want %d", got, tc.admit)
			}
			live := tc.admit
			if live < 0 {
				live = 5
			}
			if d.Active() != live {
				t.Errorf("Active() = %d, want %d", d.Active(), live)
			}
			if tc.max > 0 {
				d.Done()
				if d.Full(tc.max) {
					t.Error("still full after a call ended")
				}
				if !d.Add(tc.max) {
					t.Error("a freed line was not reused")
				}
			}
			d.Start()
			if !d.Draining() || d.Add(tc.max) {
				t.Errorf("draining %v, and a call was admitted while draining", d.Draining())
			}
		})
	}
}

// TestDrainWait checks Wait returns only once Start was called and the last call has ended,
// and gives up with the context's cause.
func TestDrainWait(t *testing.T) {
	for _, tc := range []struct {
		name string
		live int
	}{
		{"no call live", 0},
		{"two calls live", 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				var d Drain
				for range tc.live {
					d.Add(0)
				}
				waited := make(chan error, 1)
				go func() { waited <- d.Wait(t.Context()) }()
				synctest.Wait()
				if len(waited) != 0 {
					t.Fatal("Wait returned before Start")
				}
				d.Start()
				d.Start() // again: harmless
				for range tc.live {
					synctest.Wait()
					if len(waited) != 0 {
						t.Fatalf("Wait returned with %d calls live", d.Active())
					}
					d.Done()
				}
				if err := <-waited; err != nil {
					t.Fatalf("Wait: %v", err)
				}
			})
		})
	}
	t.Run("context done", func(t *testing.T) {
		var d Drain
		d.Add(0)
		d.Start()
		stop := errors.New("shutdown timeout")
		ctx, cancel := context.WithCancelCause(t.Context())
		cancel(stop)
		if err := d.Wait(ctx); !errors.Is(err, stop) {
			t.Fatalf("Wait: %v, want the context's cause", err)
		}
	})
}
