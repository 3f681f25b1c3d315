package media

import (
	"errors"
	"math"
	"slices"
	"testing"
)

// collector is a Writer that appends everything it receives.
type collector struct {
	got   []int16
	calls int
}

func (c *collector) WriteSample(p []int16) error {
	c.got = append(c.got, p...)
	c.calls++
	return nil
}

func sine(rate int, freq, amp float64, n int) []int16 {
	p := make([]int16, n)
	for i := range p {
		p[i] = int16(math.Round(amp * math.Sin(2*math.Pi*freq*float64(i)/float64(rate))))
	}
	return p
}

// sineSNR fits a sine of the known frequency (any phase) to p by least squares and returns
// the fitted amplitude and the ratio of its power to the residual's, in dB.
func sineSNR(p []int16, rate int, freq float64) (amp, snr float64) {
	var ss, cc, sc, ys, yc float64
	w := 2 * math.Pi * freq / float64(rate)
	for i, v := range p {
		s, c := math.Sincos(w * float64(i))
		ss += s * s
		cc += c * c
		sc += s * c
		ys += float64(v) * s
		yc += float64(v) * c
	}
	det := ss*cc - sc*sc
	a := (ys*cc - yc*sc) / det
	b := (yc*ss - ys*sc) / det
	var sig, res float64
	for i, v := range p {
		s, c := math.Sincos(w * float64(i))
		f := a*s + b*c
		sig += f * f
		res += (float64(v) - f) * (float64(v) - f)
	}
	return math.Hypot(a, b), 10 * math.Log10(sig/res)
}

// resampleFrames pushes in through r in frames of frame samples.
func resampleFrames(t testing.TB, r *Resampler, in []int16, frame int) {
	t.Helper()
	for off := 0; off < len(in); off += frame {
		if err := r.WriteSample(in[off:min(off+frame, len(in))]); err != nil {
			t.Fatal(err)
		}
	}
}

func TestResamplerSineQuality(t *testing.T) {
	tests := []struct {
		name   string
		chain  []int // rates, first is the input
		freq   float64
		minSNR float64
	}{
		{"8k-16k-8k 1kHz", []int{8000, 16000, 8000}, 1000, 75},
		{"8k-16k-8k 3kHz", []int{8000, 16000, 8000}, 3000, 70},
		{"48k-16k 1kHz", []int{48000, 16000}, 1000, 75},
		{"16k-48k 440Hz", []int{16000, 48000}, 440, 75},
		{"24k-16k 5kHz", []int{24000, 16000}, 5000, 70},
		{"8k-24k 700Hz", []int{8000, 24000}, 700, 75},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := sine(tt.chain[0], tt.freq, 10000, tt.chain[0]) // one second
			out := &collector{}
			var w Writer = out
			for i := len(tt.chain) - 1; i > 0; i-- {
				r, err := NewResampler(w, tt.chain[i-1], tt.chain[i])
				if err != nil {
					t.Fatal(err)
				}
				w = r
			}
			frame := Samples(tt.chain[0], FrameDuration)
			for off := 0; off < len(in); off += frame {
				if err := w.WriteSample(in[off : off+frame]); err != nil {
					t.Fatal(err)
				}
			}
			rate := tt.chain[len(tt.chain)-1]
			if want := rate; len(out.got) != want {
				t.Fatalf("got %d samples, want %d", len(out.got), want)
			}
			// Skip the filters' start-up transient and tail: 10 ms each side.
			skip := rate / 100
			amp, snr := sineSNR(out.got[skip:len(out.got)-skip], rate, tt.freq)
			if snr < tt.minSNR {
				t.Errorf("SNR %.1f dB, want >= %.0f", snr, tt.minSNR)
			}
			if gain := 20 * math.Log10(amp/10000); math.Abs(gain) > 0.1 {
				t.Errorf("gain %.3f dB, want within 0.1 dB", gain)
			}
			t.Logf("SNR %.1f dB, amplitude %.1f", snr, amp)
		})
	}
}

// Going down, content above the new Nyquist frequency must be filtered out, not folded back.
func TestResamplerAntiAliasing(t *testing.T) {
	tests := []struct {
		name     string
		from, to int
		freq     float64
	}{
		{"48k-16k 12kHz", 48000, 16000, 12000},
		{"48k-16k 9kHz", 48000, 16000, 9000},
		{"16k-8k 6kHz", 16000, 8000, 6000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := &collector{}
			r, err := NewResampler(out, tt.from, tt.to)
			if err != nil {
				t.Fatal(err)
			}
			resampleFrames(t, r, sine(tt.from, tt.freq, 20000, tt.from), Samples(tt.from, FrameDuration))
			level := LevelDBFS(out.got[tt.to/100:])
			t.Logf("alias level %.1f dBFS", level)
			if in := LevelDBFS([]int16{20000, -20000}); level > in-50 {
				t.Errorf("alias at %.1f dBFS, input at %.1f dBFS: want 50 dB down", level, in)
			}
		})
	}
}

// Frames joined must give exactly what one long buffer gives, whatever the frame size.
func TestResamplerFrameContinuity(t *testing.T) {
	for _, rates := range [][2]int{{8000, 16000}, {16000, 8000}, {48000, 16000}, {16000, 24000}, {24000, 16000}} {
		in := sine(rates[0], 523, 12000, rates[0]/8)
		whole := &collector{}
		r, _ := NewResampler(whole, rates[0], rates[1])
		resampleFrames(t, r, in, len(in))
		for _, frame := range []int{Samples(rates[0], FrameDuration), 7, 1, 333} {
			parts := &collector{}
			r, _ := NewResampler(parts, rates[0], rates[1])
			resampleFrames(t, r, in, frame)
			if !slices.Equal(parts.got, whole.got) {
				t.Errorf("%d->%d in frames of %d differs from one buffer", rates[0], rates[1], frame)
			}
		}
	}
}

func TestResamplerLengthAccounting(t *testing.T) {
	rates := []int{8000, 16000, 24000, 48000}
	for _, from := range rates {
		for _, to := range rates {
			out := &collector{}
			r, err := NewResampler(out, from, to)
			if err != nil {
				t.Fatal(err)
			}
			frame := Samples(from, FrameDuration)
			buf := make([]int16, frame)
			const frames = 25
			for range frames {
				if err := r.WriteSample(buf); err != nil {
					t.Fatal(err)
				}
			}
			if want := frames * frame * to / from; len(out.got) != want {
				t.Errorf("%d->%d: %d samples out, want %d", from, to, len(out.got), want)
			}
			if out.calls != frames {
				t.Errorf("%d->%d: %d writes for %d frames, want one each", from, to, out.calls, frames)
			}
		}
	}
	// Odd frame sizes still add up over time.
	out := &collector{}
	r, _ := NewResampler(out, 48000, 16000)
	resampleFrames(t, r, make([]int16, 48000), 101)
	if len(out.got) != 16000 {
		t.Errorf("48k->16k in frames of 101: %d samples out, want 16000", len(out.got))
	}
}

func TestResamplerIdentityAndReset(t *testing.T) {
	out := &collector{}
	r, err := NewResampler(out, 16000, 16000)
	if err != nil {
		t.Fatal(err)
	}
	in := []int16{1, 2, 3}
	_ = r.WriteSample(in)
	if !slices.Equal(out.got, in) {
		t.Errorf("identity changed the audio: %v", out.got)
	}

	a, b := &collector{}, &collector{}
	ra, _ := NewResampler(a, 8000, 16000)
	rb, _ := NewResampler(b, 8000, 16000)
	resampleFrames(t, ra, sine(8000, 300, 9000, 1000), 160)
	ra.Reset()
	a.got = a.got[:0]
	tone := sine(8000, 800, 9000, 800)
	resampleFrames(t, ra, tone, 160)
	resampleFrames(t, rb, tone, 160)
	if !slices.Equal(a.got, b.got) {
		t.Error("after Reset the output depends on earlier audio")
	}

	if _, err := NewResampler(out, 44100, 16000); !errors.Is(err, ErrUnsupportedRate) {
		t.Errorf("44.1 kHz: err = %v, want ErrUnsupportedRate", err)
	}
}

func benchResample(b *testing.B, from, to int) {
	r, err := NewResampler(Discard, from, to)
	if err != nil {
		b.Fatal(err)
	}
	frame := sine(from, 440, 8000, Samples(from, FrameDuration))
	b.ReportAllocs()
	for b.Loop() {
		if err := r.WriteSample(frame); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkResample8kTo16k(b *testing.B)  { benchResample(b, 8000, 16000) }
func BenchmarkResample16kTo8k(b *testing.B)  { benchResample(b, 16000, 8000) }
func BenchmarkResample48kTo16k(b *testing.B) { benchResample(b, 48000, 16000) }
func BenchmarkResample16kTo48k(b *testing.B) { benchResample(b, 16000, 48000) }

// TestResampleLinear: a 1 kHz tone keeps its length ratio and its frequency through the
// linear converter, up and down, and empty input gives nothing.
func TestResampleLinear(t *testing.T) {
	tone := func(rate, n int) []int16 {
		s := make([]int16, n)
		for i := range s {
			s[i] = int16(8000 * math.Sin(2*math.Pi*1000*float64(i)/float64(rate)))
		}
		return s
	}
	crossings := func(s []int16) int {
		n := 0
		for i := 1; i < len(s); i++ {
			if (s[i-1] < 0) != (s[i] < 0) {
				n++
			}
		}
		return n
	}
	for _, tc := range []struct{ from, to int }{{44100, 16000}, {22050, 16000}, {8000, 16000}} {
		in := tone(tc.from, tc.from) // one second
		out := ResampleLinear(in, tc.from, tc.to)
		if len(out) != tc.to {
			t.Errorf("%d -> %d Hz: %d samples from one second, want %d", tc.from, tc.to, len(out), tc.to)
		}
		if c := crossings(out); c < 1990 || c > 2010 {
			t.Errorf("%d -> %d Hz: %d zero crossings in one second of 1 kHz, want about 2000", tc.from, tc.to, c)
		}
	}
	if out := ResampleLinear(nil, 44100, 16000); len(out) != 0 {
		t.Errorf("empty input gave %d samples", len(out))
	}
}
