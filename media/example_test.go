package media_test

import (
	"fmt"
	"math"

	"github.com/sparlab/spar/media"
)

// A phone call's inbound path: Twilio sends 20 ms of 8 kHz mu-law per message; it is decoded
// and upsampled to the 16 kHz the rest of Spar works at, then measured.
func Example() {
	// 20 ms of a 400 Hz tone (eight whole periods) as it would arrive on the wire.
	wire := make([]byte, 160)
	for i := range wire {
		wire[i] = media.MulawEncode(int16(8000 * math.Sin(2*math.Pi*400*float64(i)/8000)))
	}

	var got int
	var level float64
	sink := media.WriterFunc(func(p []int16) error {
		got += len(p)
		level = media.LevelDBFS(p)
		return nil
	})
	up, err := media.NewResampler(sink, media.Rate8k, media.Rate16k)
	if err != nil {
		panic(err)
	}

	var pcm []int16 // reused for every message
	for range 50 {  // one second of messages
		pcm = media.DecodeMulaw(pcm, wire)
		if err := up.WriteSample(pcm); err != nil {
			panic(err)
		}
	}
	fmt.Printf("%d mu-law bytes -> %d samples at 16 kHz, %.0f dBFS\n", 50*len(wire), got, level)
	// Output: 8000 mu-law bytes -> 16000 samples at 16 kHz, -15 dBFS
}
