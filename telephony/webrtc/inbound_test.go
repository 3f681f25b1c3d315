package webrtc

import (
	"testing"

	"github.com/pion/rtp"
)

func TestInboundDiscardsLateAndBadPackets(t *testing.T) {
	cp, err := newCodecPath(codecPCMU.MimeType, 0)
	if err != nil {
		t.Fatal(err)
	}
	var frames, discarded int
	in := newInbound(func(p []int16) {
		if len(p) != frame16k {
			t.Fatalf("frame of %d samples", len(p))
		}
		frames++
	}, func(n int) { discarded += n }, cp)
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
