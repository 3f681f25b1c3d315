package webrtc

import (
	"time"

	"testing"

	"github.com/pion/rtp"

	"github.com/sparlab/spar/telephony"
)

func TestInboundDiscardsLateAndBadPackets(t *testing.T) {
	cp, err := newReceivePath(codecPCMU.MimeType)
	if err != nil {
		t.Fatal(err)
	}
	var frames, discarded int
	clock := time.Unix(1_700_000_000, 0) // an hour a reading: the wall-time bound never binds
	in := newInbound(func(p []int16) {
		if len(p) != frame16k {
			t.Fatalf("frame of %d samples", len(p))
		}
		frames++
	}, func(n int) { discarded += n }, cp, func() time.Time { clock = clock.Add(time.Hour); return clock })
	payload := make([]byte, 160) // 20 ms of mu-law at 8 kHz
	send := func(ts uint32) { in.packet(&rtp.Packet{Header: rtp.Header{Timestamp: ts}, Payload: payload}) }

	send(1000)
	send(1160)
	send(1000) // repeated: late
	send(1320)
	send(1160) // late
	if discarded != 2 {
		t.Errorf("discarded %d frames, want the 2 late packets", discarded)
	}
	if in.packets != 3 || in.late != 2 {
		t.Errorf("packets %d late %d, want 3 and 2", in.packets, in.late)
	}
	// A jump ahead is filled with silence, not discarded.
	send(1480 + 160*5)
	if discarded != 2 || in.gaps != 1 {
		t.Errorf("after a gap: discarded %d gaps %d, want 2 and 1", discarded, in.gaps)
	}
	if frames < 8 { // 4 packets and 5 frames of fill, less what the resampler holds back
		t.Errorf("delivered %d frames, want at least 8", frames)
	}
}

// TestInboundClockBoundedByWallTime: 50 packets whose RTP timestamps jump 2 s each,
// arriving within one second of wall time, deliver at most that second plus
// telephony.MaxAhead of audio; the excess is dropped and counted.
func TestInboundClockBoundedByWallTime(t *testing.T) {
	cp, err := newReceivePath(codecPCMU.MimeType)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Unix(1_700_000_000, 0)
	var delivered int
	in := newInbound(func(p []int16) { delivered += len(p) }, func(int) {}, cp, func() time.Time { return now })
	payload := make([]byte, 160)
	for i := range 50 {
		in.packet(&rtp.Packet{Header: rtp.Header{Timestamp: uint32(1000 + i*16000)}, Payload: payload})
		now = now.Add(20 * time.Millisecond)
	}
	got := time.Duration(delivered) * time.Second / telephony.Rate
	if limit := time.Second + telephony.MaxAhead; got > limit {
		t.Fatalf("50 packets in 1 s delivered %v of audio, want at most %v", got, limit)
	}
	if in.clamped == 0 || in.wall.Dropped() == 0 {
		t.Errorf("clamped %d, dropped %d samples: the excess was not counted", in.clamped, in.wall.Dropped())
	}
}
