package webrtc

import (
	"context"
	"testing"
	"time"

	"github.com/pion/rtp"
)

// packets is an rtpWriter that keeps copies of headers.
type packets []rtp.Header

func (p *packets) WriteRTP(pkt *rtp.Packet) error { *p = append(*p, pkt.Header); return nil }

func TestSinkRTPClockFollowsWallClock(t *testing.T) {
	cp, err := newSendPath(codecOpus.MimeType, 32000)
	if err != nil {
		t.Fatal(err)
	}
	var out packets
	now := time.Unix(0, 0)
	_, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	s := newSink(&out, cp, 65534, 1000, func() time.Time { return now }, cancel)
	frame := make([]int16, frame16k)
	// Three frames 20 ms apart, a 1 s pause, one frame, then a 25 ms (jitter) step.
	for _, step := range []time.Duration{0, 20, 20, 1020, 25} {
		now = now.Add(step * time.Millisecond)
		if err := s.WriteSample(frame); err != nil {
			t.Fatal(err)
		}
	}
	want := []struct {
		seq    uint16
		ts     uint32
		marker bool
	}{
		{65534, 1000, true}, // first packet starts a talkspurt
		{65535, 1960, false},
		{0, 2920, false},         // sequence wraps
		{1, 2920 + 51*960, true}, // 1020 ms later: 51 frames on, a new talkspurt
		{2, 2920 + 52*960, false},
	}
	if len(out) != len(want) {
		t.Fatalf("%d packets, want %d", len(out), len(want))
	}
	for i, w := range want {
		h := out[i]
		if h.SequenceNumber != w.seq || h.Timestamp != w.ts || h.Marker != w.marker {
			t.Errorf("packet %d: seq %d ts %d marker %v, want %+v", i, h.SequenceNumber, h.Timestamp, h.Marker, w)
		}
	}
	if got := s.Played(); got != 100*time.Millisecond {
		t.Errorf("Played = %v, want 100ms", got)
	}
	s.shut()
	if err := s.WriteSample(frame); err != ErrSinkClosed {
		t.Errorf("write after shut: %v", err)
	}
}

func TestSinkWritesNoGarbagePerFrame(t *testing.T) {
	for _, c := range []string{codecOpus.MimeType, codecPCMU.MimeType} {
		t.Run(c, func(t *testing.T) {
			cp, err := newSendPath(c, 32000)
			if err != nil {
				t.Fatal(err)
			}
			var n int
			w := rtpWriterFunc(func(*rtp.Packet) error { n++; return nil })
			_, cancel := context.WithCancelCause(context.Background())
			defer cancel(nil)
			s := newSink(w, cp, 0, 0, time.Now, cancel)
			frame := make([]int16, frame16k)
			allocs := testing.AllocsPerRun(100, func() { _ = s.WriteSample(frame) })
			if allocs > 0 {
				t.Errorf("%v allocations per frame", allocs)
			}
		})
	}
}

type rtpWriterFunc func(*rtp.Packet) error

func (f rtpWriterFunc) WriteRTP(p *rtp.Packet) error { return f(p) }
