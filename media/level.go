package media

import "math"

// silenceDBFS is what LevelDBFS reports for digital silence, instead of -Inf.
const silenceDBFS = -120.0

// LevelDBFS returns the RMS level of p in dB relative to full scale: a full-scale square wave
// is 0 dBFS, a full-scale sine about -3 dBFS. Digital silence and empty input give -120.
func LevelDBFS(p []int16) float64 {
	if len(p) == 0 {
		return silenceDBFS
	}
	var sum float64
	for _, s := range p {
		v := float64(s)
		sum += v * v
	}
	ms := sum / float64(len(p)) / (32768.0 * 32768.0)
	if ms <= 1e-12 {
		return silenceDBFS
	}
	return 10 * math.Log10(ms)
}
