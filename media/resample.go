package media

import (
	"fmt"
	"math"
)

// Filter design. The prototype low-pass runs at the common rate from*L == to*M. Its cutoff
// sits at 0.45 of the lower rate, so the Kaiser transition band (about 0.09 of the lower rate
// with these parameters) ends right at that rate's Nyquist frequency: content that would alias
// is attenuated by ~70 dB, and phone-band speech (up to 3.4 kHz at 8 kHz) passes untouched.
const (
	resampleZeroCrossings = 24   // sinc lobes kept on each side, in periods of the lower rate
	resampleCutoff        = 0.45 // cutoff as a fraction of the lower rate
	resampleKaiserBeta    = 7.0  // ~70 dB stopband
)

// Resampler converts mono PCM16 between 8, 16, 24 and 48 kHz with a polyphase windowed-sinc
// FIR filter. It keeps the filter history between calls, so audio written in 20 ms frames
// comes out exactly as if it had been written as one buffer. It adds a constant delay of
// half the filter length (about 1.5 ms at these settings).
//
// A Resampler is a Writer; it is not safe for concurrent use.
type Resampler struct {
	to       Writer
	identity bool
	l, m     int         // upsample by l, then downsample by m
	taps     int         // taps per phase
	coef     [][]float32 // coef[phase][i], time-reversed so each output is a forward dot product
	hist     []float32   // taps-1 past input samples followed by the current frame
	out      []int16     // reused output frame
	t        int         // next output's position on the upsampled grid, relative to the frame start
}

var _ Writer = (*Resampler)(nil)

// NewResampler returns a Resampler writing to `to` at toRate what it receives at fromRate.
func NewResampler(to Writer, fromRate, toRate int) (*Resampler, error) {
	if !supportedRate(fromRate) || !supportedRate(toRate) {
		return nil, fmt.Errorf("media: new resampler %d -> %d Hz: %w", fromRate, toRate, ErrUnsupportedRate)
	}
	r := &Resampler{to: to}
	if fromRate == toRate {
		r.identity = true
		return r, nil
	}
	g := gcd(fromRate, toRate)
	r.l, r.m = toRate/g, fromRate/g
	low := min(fromRate, toRate)
	proto := fromRate * r.l
	// Filter length in prototype samples: the same number of zero crossings of the lower rate
	// whatever the ratio, rounded up to a whole number of taps per phase.
	r.taps = (2*resampleZeroCrossings*proto/low + r.l - 1) / r.l
	n := r.taps * r.l
	h := make([]float64, n)
	fc := resampleCutoff * float64(low) / float64(proto) // cycles per prototype sample
	center := float64(n-1) / 2
	var sum float64
	for i := range h {
		x := float64(i) - center
		h[i] = 2 * fc * sinc(2*fc*x) * kaiser(x, center, resampleKaiserBeta)
		sum += h[i]
	}
	// Unity gain per phase: the zero-stuffed signal has 1/l of the energy.
	scale := float64(r.l) / sum
	r.coef = make([][]float32, r.l)
	for p := range r.coef {
		c := make([]float32, r.taps)
		for i := range c {
			c[i] = float32(h[p+r.l*(r.taps-1-i)] * scale)
		}
		r.coef[p] = c
	}
	r.hist = make([]float32, r.taps-1, r.taps-1+Samples(fromRate, FrameDuration))
	r.out = make([]int16, 0, Samples(toRate, FrameDuration))
	return r, nil
}

// WriteSample resamples p and writes the result to the next Writer in one call.
func (r *Resampler) WriteSample(p []int16) error {
	if r.identity {
		return r.to.WriteSample(p)
	}
	keep := r.taps - 1
	for _, s := range p {
		r.hist = append(r.hist, float32(s))
	}
	n := len(p)
	nl := n * r.l
	r.out = r.out[:0]
	for ; r.t < nl; r.t += r.m {
		idx := r.t / r.l // index of the newest input sample in this output, relative to the frame
		c := r.coef[r.t%r.l]
		// hist[keep+idx] is input idx, where the window ends.
		r.out = append(r.out, clamp16(dot(c, r.hist[idx:idx+r.taps])))
	}
	r.t -= nl
	// Keep the last taps-1 inputs as history for the next frame.
	copy(r.hist, r.hist[len(r.hist)-keep:])
	r.hist = r.hist[:keep]
	if len(r.out) == 0 {
		return nil
	}
	return r.to.WriteSample(r.out)
}

// Reset forgets the filter history, as at construction.
func (r *Resampler) Reset() {
	if r.identity {
		return
	}
	r.hist = r.hist[:r.taps-1]
	clear(r.hist)
	r.t = 0
}

// dot returns the dot product of c and x (len(x) >= len(c)) with four accumulators, which
// lets the CPU overlap the multiply-adds.
func dot(c, x []float32) float32 {
	x = x[:len(c)]
	var a0, a1, a2, a3 float32
	i := 0
	for ; i+4 <= len(c); i += 4 {
		a0 += c[i] * x[i]
		a1 += c[i+1] * x[i+1]
		a2 += c[i+2] * x[i+2]
		a3 += c[i+3] * x[i+3]
	}
	for ; i < len(c); i++ {
		a0 += c[i] * x[i]
	}
	return (a0 + a1) + (a2 + a3)
}

func clamp16(v float32) int16 {
	switch {
	case v >= 32767:
		return 32767
	case v <= -32768:
		return -32768
	case v >= 0:
		return int16(v + 0.5)
	default:
		return int16(v - 0.5)
	}
}

func supportedRate(r int) bool {
	return r == Rate8k || r == Rate16k || r == Rate24k || r == Rate48k
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

func sinc(x float64) float64 {
	if x == 0 {
		return 1
	}
	return math.Sin(math.Pi*x) / (math.Pi * x)
}

// kaiser is the Kaiser window at offset x from the center of a window of half-width half.
func kaiser(x, half, beta float64) float64 {
	r := x / half
	if r > 1 || r < -1 {
		return 0
	}
	return besselI0(beta*math.Sqrt(1-r*r)) / besselI0(beta)
}

// besselI0 is the modified Bessel function of the first kind, order 0, by its power series.
func besselI0(x float64) float64 {
	sum, term := 1.0, 1.0
	for k := 1; k < 50; k++ {
		term *= (x / (2 * float64(k))) * (x / (2 * float64(k)))
		sum += term
		if term < sum*1e-16 {
			break
		}
	}
	return sum
}
