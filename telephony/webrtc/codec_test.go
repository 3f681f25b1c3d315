package webrtc

import (
	"math"
	"os"
	"testing"

	"github.com/sparlab/spar/media"
)

// The persona's encoder is told its input is speech, so a steady tone (which gopus's analysis
// takes for music, and the bench's synthesizer speaks) stays in SILK and never makes the
// encoder allocate its CELT buffers.
func TestOpusSendPathCodesToneAsSILK(t *testing.T) {
	for _, impl := range opusImpls {
		t.Run(impl.name, func(t *testing.T) {
			enc, err := impl.newEncoder(32000)
			if err != nil {
				t.Fatal(err)
			}
			frame := make([]int16, frame16k)
			dst := make([]byte, 1500)
			coded := 0
			for f := range 100 {
				sineFrame(frame, 400, f)
				n, err := enc.encode(frame, dst)
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
		})
	}
}

// Every Opus implementation built decodes what every other encodes, as a browser's does:
// synthesized speech keeps its loudness from frame to frame, and a tone keeps its pitch.
func TestOpusImplementationsInteroperate(t *testing.T) {
	f, err := os.Open("../../media/testdata/tts_awb16k.wav")
	if err != nil {
		t.Fatal(err)
	}
	w, err := media.ReadWAV(f)
	f.Close()
	if err != nil || w.Rate != 16000 || w.Channels != 1 {
		t.Fatalf("speech: %v (%d Hz, %d channels)", err, w.Rate, w.Channels)
	}
	frames := len(w.Samples) / frame16k
	tone := make([]int16, frames*frame16k)
	for i := range frames {
		sineFrame(tone[i*frame16k:(i+1)*frame16k], 400, i)
	}
	for _, ei := range opusImpls {
		for _, di := range opusImpls {
			t.Run(ei.name+"_to_"+di.name, func(t *testing.T) {
				speech := roundTrip(t, ei, di, w.Samples[:frames*frame16k])
				if r := envelopeCorrelation(w.Samples, speech); r < 0.9 {
					t.Errorf("speech: frame loudness correlates %.2f with the input, want >= 0.9", r)
				}
				if share := toneShare(speech, 400); share > 0.5 {
					t.Errorf("speech: %.2f of the decoded energy is at 400 Hz; the check below cannot tell", share)
				}
				out := roundTrip(t, ei, di, tone)
				if share := toneShare(out[len(out)/2:], 400); share < 0.9 {
					t.Errorf("tone: %.2f of the decoded energy is at 400 Hz, want >= 0.9", share)
				}
			})
		}
	}
}

// roundTrip codes pcm frame by frame with one implementation and decodes it with another.
func roundTrip(t *testing.T, ei, di opusImpl, pcm []int16) []int16 {
	t.Helper()
	enc, err := ei.newEncoder(32000)
	if err != nil {
		t.Fatal(err)
	}
	dec, err := di.newDecoder()
	if err != nil {
		t.Fatal(err)
	}
	pkt, buf := make([]byte, 1500), make([]int16, maxDecoded)
	var out []int16
	for i := 0; i+frame16k <= len(pcm); i += frame16k {
		n, err := enc.encode(pcm[i:i+frame16k], pkt)
		if err != nil || n == 0 {
			t.Fatalf("frame %d: encoded %d bytes: %v", i/frame16k, n, err)
		}
		m, err := dec.decode(pkt[:n], buf)
		if err != nil || m != frame16k {
			t.Fatalf("frame %d: decoded %d samples, want %d: %v", i/frame16k, m, frame16k, err)
		}
		out = append(out, buf[:m]...)
	}
	return out
}

// envelopeCorrelation correlates the per-frame level of a and b, with b up to two frames
// late (the codec's delay).
func envelopeCorrelation(a, b []int16) float64 {
	env := func(p []int16) []float64 {
		var e []float64
		for i := 0; i+frame16k <= len(p); i += frame16k {
			e = append(e, media.LevelDBFS(p[i:i+frame16k]))
		}
		return e
	}
	ea, eb := env(a), env(b)
	best := -1.0
	for lag := 0; lag <= 2; lag++ {
		n := min(len(ea), len(eb)-lag)
		best = max(best, pearson(ea[:n], eb[lag:lag+n]))
	}
	return best
}

func pearson(x, y []float64) float64 {
	var mx, my float64
	for i := range x {
		mx += x[i]
		my += y[i]
	}
	mx /= float64(len(x))
	my /= float64(len(y))
	var sxy, sxx, syy float64
	for i := range x {
		sxy += (x[i] - mx) * (y[i] - my)
		sxx += (x[i] - mx) * (x[i] - mx)
		syy += (y[i] - my) * (y[i] - my)
	}
	return sxy / math.Sqrt(sxx*syy)
}

// toneShare is the share of p's energy at hz (a Goertzel filter over the whole of p).
func toneShare(p []int16, hz float64) float64 {
	w := 2 * math.Pi * hz / 16000
	c := 2 * math.Cos(w)
	var s1, s2, total float64
	for _, v := range p {
		x := float64(v)
		s1, s2 = x+c*s1-s2, s1
		total += x * x
	}
	power := s1*s1 + s2*s2 - c*s1*s2
	return 2 * power / (float64(len(p)) * total)
}

// A browser's packets are untrusted: whatever arrives, a decoder returns an error or at most
// the samples it was given room for, and never panics.
func FuzzOpusDecode(f *testing.F) {
	enc, err := opusImpls[len(opusImpls)-1].newEncoder(32000)
	if err != nil {
		f.Fatal(err)
	}
	frame, pkt := make([]int16, frame16k), make([]byte, 1500)
	sineFrame(frame, 400, 0)
	n, err := enc.encode(frame, pkt)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(append([]byte(nil), pkt[:n]...))
	f.Add([]byte{0xfc, 0xff, 0xfe})                   // CELT 20 ms, code 0, garbage
	f.Add([]byte{0x0b, 0x03, 0xff, 0x01, 0x02, 0x03}) // code 3 frame count with padding
	f.Add([]byte{0x08})
	f.Fuzz(func(t *testing.T, p []byte) {
		for _, impl := range opusImpls {
			dec, err := impl.newDecoder()
			if err != nil {
				t.Fatal(err)
			}
			dst := make([]int16, maxDecoded)
			if n, err := dec.decode(p, dst); err == nil && (n < 0 || n > len(dst)) {
				t.Fatalf("%s: decoded %d samples into %d", impl.name, n, len(dst))
			}
		}
	})
}
