package twilio

import (
	"encoding/base64"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/sparlab/spar/telephony"
)

func TestInboundClock(t *testing.T) {
	chunk := base64.StdEncoding.EncodeToString(sineMulaw(0)) // 20 ms
	cases := []struct {
		name       string
		timestamps []int // ms; -1 means no timestamp
		wantPos    int64 // 8 kHz samples written
		wantGaps   uint64
		wantBig    uint64
		wantErr    error // of the last chunk
	}{
		{name: "contiguous", timestamps: []int{0, 20, 40}, wantPos: 480},
		{name: "late start is filled", timestamps: []int{100, 120}, wantPos: 800 + 320, wantGaps: 1},
		{name: "jitter under 10 ms is not filled", timestamps: []int{0, 25, 49}, wantPos: 480},
		{name: "skipped silence", timestamps: []int{0, 20, 200}, wantPos: 1600 + 160, wantGaps: 1},
		{name: "no timestamps", timestamps: []int{-1, -1}, wantPos: 320},
		{name: "jump capped at 2 s", timestamps: []int{0, 5020, 5040}, wantPos: 160 + 16000 + 160 + 160, wantGaps: 1, wantBig: 1},
		{name: "backwards", timestamps: []int{0, 20, 10}, wantPos: 320, wantErr: errOutOfOrder},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in, err := newInbound(telephony.NewCall(telephony.Info{}, nil, func(error) {}), steppingClock(time.Hour))
			if err != nil {
				t.Fatal(err)
			}
			for _, ts := range tc.timestamps {
				m := MediaPayload{Payload: chunk}
				if ts >= 0 {
					m.Timestamp = strconv.Itoa(ts)
				}
				err = in.media(&m)
			}
			if !errors.Is(err, tc.wantErr) || (tc.wantErr == nil && err != nil) {
				t.Fatalf("last chunk: %v, want %v", err, tc.wantErr)
			}
			if in.pos != tc.wantPos || in.gaps != tc.wantGaps || in.bigGaps != tc.wantBig {
				t.Fatalf("pos %d gaps %d big %d, want %d %d %d", in.pos, in.gaps, in.bigGaps, tc.wantPos, tc.wantGaps, tc.wantBig)
			}
		})
	}
}

func TestInboundBadPayload(t *testing.T) {
	in, err := newInbound(telephony.NewCall(telephony.Info{}, nil, func(error) {}), steppingClock(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"***", "AAA", "=AAA"} {
		if err := in.media(&MediaPayload{Payload: p}); !errors.Is(err, ErrMalformed) {
			t.Errorf("payload %q: %v", p, err)
		}
	}
	if err := in.media(&MediaPayload{Payload: "AA==", Timestamp: "99999999999999"}); !errors.Is(err, ErrMalformed) {
		t.Errorf("absurd timestamp: %v", err)
	}
	if in.pos != 0 {
		t.Errorf("bad payloads wrote %d samples", in.pos)
	}
}

// TestInboundClockBoundedByWallTime: 50 media messages whose timestamps jump 2 s each,
// arriving within one second of wall time, deliver at most that second plus
// telephony.MaxAhead of audio; the rest is dropped and counted.
func TestInboundClockBoundedByWallTime(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	call := telephony.NewCall(telephony.Info{}, nil, func(error) {})
	in, err := newInbound(call, func() time.Time { return now })
	if err != nil {
		t.Fatal(err)
	}
	chunk := base64.StdEncoding.EncodeToString(sineMulaw(0))
	for i := range 50 {
		if err := in.media(&MediaPayload{Payload: chunk, Timestamp: strconv.Itoa(i * 2000)}); err != nil {
			t.Fatal(err)
		}
		now = now.Add(20 * time.Millisecond)
	}
	limit := time.Second + telephony.MaxAhead
	if got := in.now(); got > limit {
		t.Fatalf("50 packets in 1 s delivered %v of audio, want at most %v", got, limit)
	}
	if in.clamped == 0 || in.wall.Dropped() == 0 {
		t.Errorf("clamped %d, dropped %d samples: the excess was not counted", in.clamped, in.wall.Dropped())
	}
	// Honest media afterwards flows again once the wall clock has caught up.
	now = now.Add(time.Hour)
	before := in.pos
	if err := in.media(&MediaPayload{Payload: chunk, Timestamp: strconv.Itoa(100_000)}); err != nil {
		t.Fatal(err)
	}
	if in.pos-before < 160 {
		t.Errorf("a chunk after the clock caught up wrote %d samples", in.pos-before)
	}
}
