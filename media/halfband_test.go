package media

import (
	"math"
	"math/rand/v2"
	"testing"
)

// halfBandGain returns the half-band filter's gain in dB at freq, in Hz at 16 kHz, from its
// taps.
func halfBandGain(freq float64) float64 {
	h := 0.5
	for k, c := range halfBand {
		h += 2 * float64(c) * math.Cos(2*math.Pi*freq/16000*float64(2*k+1))
	}
	return 20 * math.Log10(math.Abs(h))
}

// TestHalfBandResponse checks the figures halfband.go states for its table.
func TestHalfBandResponse(t *testing.T) {
	var sum float64
	for _, c := range halfBand {
		sum += float64(c)
	}
	if dc := 0.5 + 2*sum; math.Abs(dc-1) > 1e-6 {
		t.Errorf("DC gain %.7f, want 1", dc)
	}
	for f := 0.0; f <= 3600; f += 10 {
		if g := halfBandGain(f); math.Abs(g) > 0.01 {
			t.Errorf("%.0f Hz: %.3f dB, want within 0.01 dB", f, g)
		}
	}
	for f, want := range map[float64]float64{3800: -0.66, 4000: -6.0, 4200: -23} {
		if g := halfBandGain(f); math.Abs(g-want) > 0.5 {
			t.Errorf("%.0f Hz: %.2f dB, want %.1f", f, g, want)
		}
	}
	for f := 4400.0; f <= 8000; f += 5 {
		if g := halfBandGain(f); g > -70 {
			t.Errorf("%.0f Hz: %.1f dB, want <= -70 dB", f, g)
		}
	}
}

// halfBandReference resamples in by 2 up (up true) or down the textbook way: zero-stuff or
// not, convolve with the whole 95-tap filter in float64, keep every output or every other
// one, round and saturate. Its outputs carry the same delay as the Resampler's.
func halfBandReference(in []int16, up bool) []int16 {
	h := make([]float64, halfBandDownTaps) // h[j] is the tap at offset j-(2*halfBandSide-1)
	h[2*halfBandSide-1] = 0.5
	for k, c := range halfBand {
		h[2*halfBandSide-2-2*k] = float64(c)
		h[2*halfBandSide+2*k] = float64(c)
	}
	x, gain, step := make([]float64, 0, 2*len(in)), 1.0, 2
	for _, s := range in {
		x = append(x, float64(s))
		if up {
			x = append(x, 0)
		}
	}
	if up {
		gain, step = 2, 1
	}
	var out []int16
	for n := 0; n < len(x); n += step {
		var y float64
		for j, c := range h {
			if i := n - j; i >= 0 {
				y += c * x[i]
			}
		}
		y = math.Round(gain * y)
		out = append(out, int16(max(-32768, min(32767, y))))
	}
	return out
}

// The Resampler's folded, streaming filter must give what the plain convolution gives,
// within one step of rounding (float32 against float64), on noise and on a full-scale square
// wave whose overshoot must saturate, not wrap.
func TestHalfBandMatchesConvolution(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	noise := make([]int16, 4000)
	for i := range noise {
		noise[i] = int16(rng.IntN(40000) - 20000)
	}
	square := make([]int16, 4000)
	for i := range square {
		square[i] = 32767
		if i/9%2 == 1 {
			square[i] = -32768
		}
	}
	for _, tc := range []struct {
		name     string
		from, to int
		in       []int16
	}{
		{"8k-16k noise", 8000, 16000, noise},
		{"16k-8k noise", 16000, 8000, noise},
		{"8k-16k square", 8000, 16000, square},
		{"16k-8k square", 16000, 8000, square},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := &collector{}
			r, err := NewResampler(out, tc.from, tc.to)
			if err != nil {
				t.Fatal(err)
			}
			resampleFrames(t, r, tc.in, Samples(tc.from, FrameDuration))
			want := halfBandReference(tc.in, tc.to > tc.from)
			if len(out.got) != len(want) {
				t.Fatalf("%d samples, want %d", len(out.got), len(want))
			}
			clipped := 0
			for i, w := range want {
				if d := int(out.got[i]) - int(w); d < -1 || d > 1 {
					t.Fatalf("sample %d: %d, want %d", i, out.got[i], w)
				}
				if w == 32767 || w == -32768 {
					clipped++
				}
			}
			if tc.in[0] == 32767 && clipped == 0 {
				t.Error("the square wave's overshoot never reached full scale: saturation is untested")
			}
		})
	}
}

// Going up, every other output is an input sample unchanged (the centre tap), 47 samples late.
func TestHalfBandUpKeepsInputs(t *testing.T) {
	in := sine(8000, 1234, 30000, 800)
	out := &collector{}
	r, _ := NewResampler(out, 8000, 16000)
	resampleFrames(t, r, in, 160)
	const delay = 2*halfBandSide - 1
	for n, s := range in[:len(in)-halfBandSide] {
		if got := out.got[2*n+delay]; got != s {
			t.Fatalf("output %d = %d, want input %d = %d", 2*n+delay, got, n, s)
		}
	}
}

// A tone in the phone band keeps its level both ways, and comes back from a round trip as it
// went in, late by both filters' delays.
func TestHalfBandPassband(t *testing.T) {
	for _, freq := range []float64{300, 1000, 3400} {
		for _, rates := range [][2]int{{8000, 16000}, {16000, 8000}} {
			in := sine(rates[0], freq, 10000, rates[0])
			out := &collector{}
			r, _ := NewResampler(out, rates[0], rates[1])
			resampleFrames(t, r, in, Samples(rates[0], FrameDuration))
			skip := rates[1] / 100
			amp, _ := sineSNR(out.got[skip:len(out.got)-skip], rates[1], freq)
			if g := 20 * math.Log10(amp/10000); math.Abs(g) > 0.05 {
				t.Errorf("%.0f Hz, %d -> %d: gain %.3f dB, want within 0.05 dB", freq, rates[0], rates[1], g)
			}
		}
	}
	in := sine(16000, 1000, 10000, 16000)
	out := &collector{}
	up, _ := NewResampler(out, 8000, 16000)
	down, _ := NewResampler(up, 16000, 8000)
	resampleFrames(t, down, in, 320)
	const delay = 2 * (2*halfBandSide - 1)
	for i := 160; i < len(in)-delay; i++ {
		if d := int(out.got[i+delay]) - int(in[i]); d < -3 || d > 3 {
			t.Fatalf("16k -> 8k -> 16k: sample %d came back as %d, want %d", i, out.got[i+delay], in[i])
		}
	}
}

// A tone above 4 kHz must not fold back into the phone band going down (16 -> 8 kHz: 6 kHz
// would land on 2 kHz), nor a phone-band tone leave an image above 4 kHz going up (3 kHz
// would mirror to 5 kHz). Linear interpolation, for comparison, lets both through.
func TestHalfBandStopband(t *testing.T) {
	const amp = 20000
	level := func(what string, p []int16, rate int, freq float64) float64 {
		a, _ := sineSNR(p[rate/100:len(p)-rate/100], rate, freq)
		l := 20 * math.Log10(a/amp)
		t.Logf("%s: %.0f Hz at %.1f dB", what, freq, l)
		return l
	}
	in := sine(16000, 6000, amp, 16000)
	out := &collector{}
	r, _ := NewResampler(out, 16000, 8000)
	resampleFrames(t, r, in, 320)
	if l := level("half-band 16 -> 8 kHz", out.got, 8000, 2000); l > -60 {
		t.Errorf("16 -> 8 kHz: 6 kHz folds to 2 kHz at %.1f dB, want <= -60 dB", l)
	}
	if l := level("linear 16 -> 8 kHz", ResampleLinear(in, 16000, 8000), 8000, 2000); l < -40 {
		t.Errorf("linear 16 -> 8 kHz: 6 kHz folds to 2 kHz at %.1f dB: the comparison no longer shows a leak", l)
	}

	in = sine(8000, 3000, amp, 8000)
	out = &collector{}
	r, _ = NewResampler(out, 8000, 16000)
	resampleFrames(t, r, in, 160)
	if l := level("half-band 8 -> 16 kHz", out.got, 16000, 5000); l > -60 {
		t.Errorf("8 -> 16 kHz: 3 kHz images at 5 kHz at %.1f dB, want <= -60 dB", l)
	}
	if l := level("linear 8 -> 16 kHz", ResampleLinear(in, 8000, 16000), 16000, 5000); l < -40 {
		t.Errorf("linear 8 -> 16 kHz: 3 kHz images at 5 kHz at %.1f dB: the comparison no longer shows a leak", l)
	}
}

func TestHalfBandNoAllocs(t *testing.T) {
	for _, rates := range [][2]int{{8000, 16000}, {16000, 8000}} {
		r, _ := NewResampler(Discard, rates[0], rates[1])
		frame := sine(rates[0], 440, 8000, Samples(rates[0], FrameDuration))
		if n := testing.AllocsPerRun(100, func() { _ = r.WriteSample(frame) }); n != 0 {
			t.Errorf("%d -> %d: %.1f allocations per 20 ms frame, want 0", rates[0], rates[1], n)
		}
	}
}

// benchLinear converts one 20 ms frame with ResampleLinear, for comparison with the
// Resampler's benchmarks.
func benchLinear(b *testing.B, from, to int) {
	frame := sine(from, 440, 8000, Samples(from, FrameDuration))
	b.ReportAllocs()
	for b.Loop() {
		_ = ResampleLinear(frame, from, to)
	}
}

func BenchmarkResampleLinear8kTo16k(b *testing.B) { benchLinear(b, 8000, 16000) }
func BenchmarkResampleLinear16kTo8k(b *testing.B) { benchLinear(b, 16000, 8000) }
