package telephony

import (
	"testing"
	"time"
)

func TestWallBound(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	b := NewWallBound(func() time.Time { return now }, 1000, 500*time.Millisecond)
	cases := []struct {
		name           string
		advance        time.Duration
		pos, n, wantOK int64
	}{
		{"within the budget at start", 0, 0, 400, 400},
		{"past the budget", 0, 400, 200, 100},
		{"nothing while ahead", 0, 500, 100, 0},
		{"wall time frees room", time.Second, 500, 2000, 1000},
	}
	var dropped int64
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			now = now.Add(tc.advance)
			if got := b.Allow(tc.pos, tc.n); got != tc.wantOK {
				t.Fatalf("Allow(%d, %d) = %d, want %d", tc.pos, tc.n, got, tc.wantOK)
			}
			dropped += tc.n - tc.wantOK
			if b.Dropped() != dropped {
				t.Fatalf("Dropped = %d, want %d", b.Dropped(), dropped)
			}
		})
	}
}
