// Package media owns the audio that flows through a call: PCM16 frames, G.711 mu-law,
// resampling between 8, 16, 24 and 48 kHz, voice activity detection and endpointing, paced
// playout with flush, and the stereo WAV recorder.
//
// The 20 ms hot path is a push chain of Writers: each stage does its work and writes the
// result to the next one, reusing its own buffers, so steady state allocates nothing per frame.
package media

import "time"

// Sample rates Spar converts between.
const (
	Rate8k  = 8000
	Rate16k = 16000
	Rate24k = 24000
	Rate48k = 48000
)

// FrameDuration is the length of one frame on the hot path.
const FrameDuration = 20 * time.Millisecond

// Writer consumes mono signed 16-bit PCM at a sample rate fixed when the chain is built.
// WriteSample must not keep p after it returns: callers reuse their buffers.
type Writer interface {
	WriteSample(p []int16) error
}

// WriterFunc adapts a plain function to a Writer.
type WriterFunc func(p []int16) error

// WriteSample calls f(p).
func (f WriterFunc) WriteSample(p []int16) error { return f(p) }

// Discard is a Writer that drops everything.
var Discard Writer = WriterFunc(func([]int16) error { return nil })

// Samples returns how many samples d lasts at rate.
func Samples(rate int, d time.Duration) int {
	return int(int64(rate) * int64(d) / int64(time.Second))
}

// Duration returns how long n samples last at rate.
func Duration(rate, n int) time.Duration {
	return time.Duration(int64(n) * int64(time.Second) / int64(rate))
}
