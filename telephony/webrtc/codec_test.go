package webrtc

import (
	"math"
	"testing"
)

// The persona's encoder is told its input is speech, so a steady tone (which gopus's analysis
// takes for music, and the bench's synthesizer speaks) stays in SILK and never makes the
// encoder allocate its CELT buffers.
func TestOpusSendPathCodesToneAsSILK(t *testing.T) {
	cp, err := newSendPath(codecOpus.MimeType, 32000)
	if err != nil {
		t.Fatal(err)
	}
	frame := make([]int16, frame16k)
	dst := make([]byte, 1500)
	coded := 0
	for f := range 100 {
		for i := range frame {
			n := f*frame16k + i
			frame[i] = int16(8000 * math.Sin(2*math.Pi*400*float64(n)/16000))
		}
		n, err := cp.enc.encode(frame, dst)
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			continue
		}
		coded++
		// RFC 6716 3.1: TOC configurations 0-11 are SILK-only.
		if config := dst[0] >> 3; config > 11 {
			t.Fatalf("frame %d: TOC configuration %d, want SILK (0-11)", f, config)
		}
	}
	if coded < 90 {
		t.Fatalf("%d of 100 frames coded: too few to say the tone stays in SILK", coded)
	}
}
