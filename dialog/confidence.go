package dialog

import (
	"math"
	"strconv"
)

// MinConfidence is the lowest confidence of a line the recognizer did score, so that 0 keeps
// meaning "no score".
const MinConfidence = 0.001

// ClampConfidence turns a score a recognizer computed into Transcript.Confidence: within
// [MinConfidence, 1], and 0 (unknown) only for NaN.
func ClampConfidence(c float64) float64 {
	if math.IsNaN(c) {
		return 0
	}
	return min(max(c, MinConfidence), 1)
}

// roundConfidence is the confidence the engine records: 0 for none, otherwise clamped and
// kept to three decimals, so the transcript and the timeline (FormatConfidence) agree
// exactly.
func roundConfidence(c float64) float64 {
	if math.IsNaN(c) || c <= 0 {
		return 0
	}
	return max(math.Round(ClampConfidence(c)*1000)/1000, MinConfidence)
}

// FormatConfidence writes a confidence as the learner.said event carries it ("0.873").
func FormatConfidence(c float64) string {
	return strconv.FormatFloat(roundConfidence(c), 'f', -1, 64)
}

// ParseConfidence reads a confidence written by FormatConfidence; anything else, or nothing,
// is 0 (unknown).
func ParseConfidence(s string) float64 {
	c, err := strconv.ParseFloat(s, 64)
	if err != nil || c > 1 {
		return 0
	}
	return roundConfidence(c)
}
