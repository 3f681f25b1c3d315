package media

// Half-band filter for the 2:1 pairs (8 <-> 16 kHz: the phone path both ways). A half-band
// low-pass cuts at a quarter of the higher rate, so its impulse response h is a sinc that is
// zero at every even offset but the centre: h[0] = 1/2, h[±2k] = 0, and only the odd offsets
// h[±(2k+1)] = halfBand[k] need multiplying. Going down, an output sample costs one
// multiply per symmetric pair of inputs (the pair is added first); going up, every other
// output is an input sample copied through the centre tap, and the one between costs the
// same pairs. That is 24 multiplies per 8 kHz sample each way, against 96 for the polyphase
// filter of resample.go at these rates.
//
// Design (done here at init, not tuned by hand): windowed sinc, Kaiser window with beta 7
// spanning offsets -2*halfBandSide..2*halfBandSide (zero at both ends; the polyphase filter's
// span and window), 95 taps of which 49 are non-zero, scaled so the DC gain is exactly 1.
// Response at 16 kHz: within 0.01 dB to 3.6 kHz, -0.66 dB at 3.8 kHz, -6 dB at 4 kHz (every
// half-band is, by symmetry), -23 dB at 4.2 kHz and at most -70 dB from 4.4 kHz up.
// TestHalfBandResponse checks these figures against the table. With 16 taps a side (-1.6 dB
// at 3.8 kHz, -33 dB at 4.4 kHz) the phone-path word error rate in LM mode came out worse
// than the polyphase filter's; with 24 it came out better (docs/BENCHMARKS.md).
const (
	halfBandSide = 24  // non-zero taps on each side of the centre; a multiple of 4
	halfBandBeta = 7.0 // Kaiser window shape: ~70 dB stopband at this length
)

// halfBand[k] is the tap at offsets ±(2k+1) from the centre, at the higher rate.
var halfBand = designHalfBand()

func designHalfBand() (c [halfBandSide]float32) {
	var h [halfBandSide]float64
	var sum float64
	edge := float64(2 * halfBandSide) // the window's first zero
	for k := range h {
		x := float64(2*k + 1)
		h[k] = 0.5 * sinc(0.5*x) * kaiser(x, edge, halfBandBeta)
		sum += h[k]
	}
	// DC gain 1: the centre tap's 1/2 plus both sides must add up to 1.
	for k := range h {
		c[k] = float32(h[k] * 0.25 / sum)
	}
	return c
}

// Window lengths in input samples: going down, 4*halfBandSide-1 taps at the input rate;
// going up, 2*halfBandSide inputs span the odd taps around the sample being interpolated.
const (
	halfBandDownTaps = 4*halfBandSide - 1
	halfBandUpTaps   = 2 * halfBandSide
)

// down2 halves the rate of the samples in r.hist (taps-1 past inputs, then the new ones) into
// r.out, leaving the inputs not yet used in r.hist. Output n is centred on input
// 2n-(2*halfBandSide-1): a delay of 47 samples at the input rate (2.9 ms at 16 kHz).
func (r *Resampler) down2() {
	i := 0
	for ; i+halfBandDownTaps <= len(r.hist); i += 2 {
		w := (*[halfBandDownTaps]float32)(r.hist[i : i+halfBandDownTaps])
		const m = 2*halfBandSide - 1 // the centre
		var a0, a1, a2, a3 float32
		for k := 0; k < halfBandSide; k += 4 {
			a0 += halfBand[k] * (w[m-1-2*k] + w[m+1+2*k])
			a1 += halfBand[k+1] * (w[m-3-2*k] + w[m+3+2*k])
			a2 += halfBand[k+2] * (w[m-5-2*k] + w[m+5+2*k])
			a3 += halfBand[k+3] * (w[m-7-2*k] + w[m+7+2*k])
		}
		r.out = append(r.out, clamp16(0.5*w[m]+((a0+a1)+(a2+a3))))
	}
	r.hist = r.hist[:copy(r.hist, r.hist[i:])]
}

// up2 doubles the rate of the samples in r.hist (taps-1 past inputs, then the new ones) into
// r.out, keeping the last taps-1 inputs. Each input gives two outputs: the point halfway
// between the window's two middle inputs, then the later of them unchanged. Output 2n is
// input n, delayed by 2*halfBandSide-1 samples at the output rate, as down2 delays.
func (r *Resampler) up2() {
	i := 0
	for ; i+halfBandUpTaps <= len(r.hist); i++ {
		w := (*[halfBandUpTaps]float32)(r.hist[i : i+halfBandUpTaps])
		const m = halfBandSide // w[m-1] and w[m] are the middle inputs
		var a0, a1, a2, a3 float32
		for k := 0; k < halfBandSide; k += 4 {
			a0 += halfBand[k] * (w[m-1-k] + w[m+k])
			a1 += halfBand[k+1] * (w[m-2-k] + w[m+1+k])
			a2 += halfBand[k+2] * (w[m-3-k] + w[m+2+k])
			a3 += halfBand[k+3] * (w[m-4-k] + w[m+3+k])
		}
		// Zero stuffing halves the level; the taps are doubled to make up for it.
		r.out = append(r.out, clamp16(2*((a0+a1)+(a2+a3))), int16(w[m]))
	}
	r.hist = r.hist[:copy(r.hist, r.hist[i:])]
}
