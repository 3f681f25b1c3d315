package media

import (
	"errors"
	"fmt"
	"math"
)

// Filter design of the polyphase filter, for the pairs that are not 2:1 (those take the
// half-band filter of halfband.go). The prototype low-pass runs at the common rate
// from*L == to*M. Its cutoff (-6 dB) sits at 0.45 of the lower rate, and the Kaiser
// transition band (about 0.09 of the lower rate with these parameters) ends right at that
// rate's Nyquist frequency: at 16 -> 8 kHz it measured flat to 3 kHz, -0.7 dB at 3.4 kHz,
// -71 dB at 4 kHz. (16 zero crossings would save a third of the multiply-adds, but gave
// -1.7 dB at 3.4 kHz and -32 dB at 4 kHz, and the recognizer then lost "let me fix that" on
// the phone path.)
const (
	resampleZeroCrossings = 24   // sinc lobes kept on each side, in periods of the lower rate
	resampleCutoff        = 0.45 // cutoff as a fraction of the lower rate
	resampleKaiserBeta    = 7.0  // ~70 dB stopband
)

// Resampler converts mono PCM16 between 8, 16, 24 and 48 kHz with a windowed-sinc FIR
// filter: a half-band filter for 2:1 pairs (8 <-> 16 and 24 <-> 48 kHz), a polyphase one for
// the others. It keeps the filter history between calls, so audio written in 20 ms frames
// comes out exactly as if it had been written as one buffer. It adds a constant delay of
// half the filter length, 24 periods of the lower rate: 3 ms between 8 and 16 kHz, 1.5 ms
// between 16 and 48 kHz.
//
// A Resampler is a Writer; it is not safe for concurrent use.
type Resampler struct {
	to       Writer
	identity bool
	half     bool        // a 2:1 pair, through the half-band filter
	l, m     int         // upsample by l, then downsample by m
	taps     int         // taps per phase (half-band: inputs per output window)
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
	switch {
	case r.l == 2 && r.m == 1:
		r.half, r.taps = true, halfBandUpTaps
	case r.l == 1 && r.m == 2:
		r.half, r.taps = true, halfBandDownTaps
	default:
		r.polyphase(fromRate, toRate)
	}
	// +1: going down, an odd write can leave one input more than taps-1 waiting.
	r.hist = make([]float32, r.taps-1, r.taps+Samples(fromRate, FrameDuration))
	r.out = make([]int16, 0, Samples(toRate, FrameDuration)+1)
	return r, nil
}

// polyphase designs the polyphase filter of r.l and r.m.
func (r *Resampler) polyphase(fromRate, toRate int) {
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
}

// WriteSample resamples p and writes the result to the next Writer in one call.
func (r *Resampler) WriteSample(p []int16) error {
	if r.identity {
		return r.to.WriteSample(p)
	}
	for _, s := range p {
		r.hist = append(r.hist, float32(s))
	}
	r.out = r.out[:0]
	switch {
	case r.half && r.l == 2:
		r.up2()
	case r.half:
		r.down2()
	default:
		r.poly(len(p))
	}
	if len(r.out) == 0 {
		return nil
	}
	return r.to.WriteSample(r.out)
}

// poly runs the polyphase filter over the n new inputs at the end of r.hist.
func (r *Resampler) poly(n int) {
	keep := r.taps - 1
	nl := n * r.l
	// idx is the newest input sample in the next output, relative to the frame (hist[keep+idx]
	// is where its window ends); ph is its filter phase. Both step without dividing.
	idx, ph := r.t/r.l, r.t%r.l
	for ; r.t < nl; r.t += r.m {
		r.out = append(r.out, clamp16(dot(r.coef[ph], r.hist[idx:idx+r.taps])))
		for ph += r.m; ph >= r.l; ph -= r.l {
			idx++
		}
	}
	r.t -= nl
	// Keep the last taps-1 inputs as history for the next frame.
	copy(r.hist, r.hist[len(r.hist)-keep:])
	r.hist = r.hist[:keep]
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

// dot returns the dot product of c and x (len(x) >= len(c)) with eight accumulators, which
// lets the CPU overlap the multiply-adds. The loop re-slices instead of indexing so the
// compiler can drop the bounds checks.
func dot(c, x []float32) float32 {
	x = x[:len(c)]
	var a0, a1, a2, a3, a4, a5, a6, a7 float32
	for len(c) >= 8 && len(x) >= 8 {
		a0 += c[0] * x[0]
		a1 += c[1] * x[1]
		a2 += c[2] * x[2]
		a3 += c[3] * x[3]
		a4 += c[4] * x[4]
		a5 += c[5] * x[5]
		a6 += c[6] * x[6]
		a7 += c[7] * x[7]
		c, x = c[8:], x[8:]
	}
	for i := range c {
		if i < len(x) {
			a0 += c[i] * x[i]
		}
	}
	return ((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7))
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

// Convert resamples a whole clip of mono PCM16 from one rate to another: with the polyphase
// Resampler when it takes the pair (its filter delay flushed with a frame of silence),
// otherwise with ResampleLinear. For files and rendered clips, not the 20 ms path.
func Convert(s []int16, from, to int) ([]int16, error) {
	if from == to {
		return s, nil
	}
	var out []int16
	rs, err := NewResampler(WriterFunc(func(p []int16) error { out = append(out, p...); return nil }), from, to)
	if errors.Is(err, ErrUnsupportedRate) {
		return ResampleLinear(s, from, to), nil
	}
	if err != nil {
		return nil, err
	}
	if err := rs.WriteSample(s); err != nil {
		return nil, err
	}
	if err := rs.WriteSample(make([]int16, Samples(from, FrameDuration))); err != nil {
		return nil, err
	}
	return out, nil
}

// Downmix averages interleaved channels into one.
func Downmix(s []int16, channels int) []int16 {
	if channels <= 1 {
		return s
	}
	out := make([]int16, len(s)/channels)
	for i := range out {
		sum := 0
		for c := range channels {
			sum += int(s[i*channels+c])
		}
		out[i] = int16(sum / channels)
	}
	return out
}

// ResampleLinear converts between any two rates by linear interpolation, after a
// moving-average low-pass when going down: crude, but enough for recognition. For rates the
// polyphase Resampler does not take (22.05 and 44.1 kHz files, uploaded recordings), never on
// the 20 ms path: it allocates.
func ResampleLinear(s []int16, from, to int) []int16 {
	if len(s) == 0 || from <= 0 || to <= 0 {
		return nil
	}
	if w := from / to; w > 1 {
		lp := make([]int16, len(s))
		sum := 0
		for i := range s {
			sum += int(s[i])
			if i >= w {
				sum -= int(s[i-w])
			}
			lp[i] = int16(sum / min(i+1, w))
		}
		s = lp
	}
	n := int(int64(len(s)) * int64(to) / int64(from))
	out := make([]int16, n)
	for i := range out {
		pos := float64(i) * float64(from) / float64(to)
		j := int(pos)
		frac := pos - float64(j)
		a := float64(s[j])
		b := a
		if j+1 < len(s) {
			b = float64(s[j+1])
		}
		out[i] = int16(a + (b-a)*frac)
	}
	return out
}
