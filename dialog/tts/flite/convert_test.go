package flite

import (
	"bytes"
	"encoding/binary"
	"github.com/sparlab/spar/media"
	"math"
	"testing"
)

type collect struct{ p []int16 }

func (c *collect) WriteSample(p []int16) error { c.p = append(c.p, p...); return nil }

// TestLinear22050 converts a 1 kHz tone written in odd-sized blocks: the length scales by
// 16000/22050 and the tone keeps its frequency (zero crossings per second).
func TestLinear22050(t *testing.T) {
	const n = 22050
	in := make([]int16, n)
	for i := range in {
		in[i] = int16(10000 * math.Sin(2*math.Pi*1000*float64(i)/22050))
	}
	var c collect
	l := newLinear(&c, 22050, 16000)
	for off := 0; off < n; off += 441 + off%7 {
		if err := l.WriteSample(in[off:min(off+441+off%7, n)]); err != nil {
			t.Fatal(err)
		}
	}
	if d := len(c.p) - 16000; d < -2 || d > 2 {
		t.Errorf("got %d samples, want about 16000", len(c.p))
	}
	crossings := 0
	for i := 1; i < len(c.p); i++ {
		if (c.p[i-1] < 0) != (c.p[i] < 0) {
			crossings++
		}
	}
	if crossings < 1990 || crossings > 2010 {
		t.Errorf("%d zero crossings in 1 s, want about 2000 for 1 kHz", crossings)
	}
}

func TestTrimmer(t *testing.T) {
	cases := []struct {
		name      string
		silence   int
		wantLead  int
		wantTotal int
	}{
		{"no silence", 0, 0, 100},
		{"short lead kept", 300, 300, 400},
		{"long lead cut to 50 ms", 5000, keepLead, keepLead + 100},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := make([]int16, tc.silence+100)
			for i := tc.silence; i < len(in); i++ {
				in[i] = 1000
			}
			var c collect
			tr := &trimmer{next: &c}
			for off := 0; off < len(in); off += 320 {
				if err := tr.WriteSample(in[off:min(off+320, len(in))]); err != nil {
					t.Fatal(err)
				}
			}
			if len(c.p) != tc.wantTotal || firstSound(c.p) != tc.wantLead {
				t.Errorf("got %d samples, sound at %d; want %d, %d", len(c.p), firstSound(c.p), tc.wantTotal, tc.wantLead)
			}
		})
	}
}

func TestFramerPadsLastFrame(t *testing.T) {
	var c capture
	f := media.NewFramer(&c, frameSamples)
	if err := f.WriteSample(make([]int16, 700)); err != nil {
		t.Fatal(err)
	}
	if err := f.Flush(); err != nil {
		t.Fatal(err)
	}
	if c.frames != 3 || c.badSizes != 0 || len(c.samples) != 960 {
		t.Errorf("frames %d (bad %d), samples %d; want 3 full frames", c.frames, c.badSizes, len(c.samples))
	}
}

func TestReadWAVHeader(t *testing.T) {
	hdr := func(format, channels uint16, rate uint32, bits uint16, extra string) []byte {
		var b bytes.Buffer
		b.WriteString("RIFF\xff\xff\xff\x7fWAVE")
		b.WriteString(extra)
		b.WriteString("fmt \x10\x00\x00\x00")
		for _, v := range []any{format, channels, rate, rate * 2, uint16(2), bits} {
			_ = binary.Write(&b, binary.LittleEndian, v)
		}
		b.WriteString("data\x00\x00\x00\x00")
		return b.Bytes()
	}
	cases := []struct {
		name string
		in   []byte
		rate int // 0: want an error
	}{
		{"flite 16k", hdr(1, 1, 16000, 16, ""), 16000},
		{"espeak 22050 with LIST", hdr(1, 1, 22050, 16, "LIST\x04\x00\x00\x00abcd"), 22050},
		{"stereo", hdr(1, 2, 16000, 16, ""), 0},
		{"float", hdr(3, 1, 16000, 32, ""), 0},
		{"truncated", hdr(1, 1, 16000, 16, "")[:30], 0},
		{"not riff", []byte("hello world, not a wav file at all"), 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rate, err := readWAVHeader(bytes.NewReader(tc.in))
			if tc.rate == 0 && err == nil {
				t.Fatalf("rate %d, want an error", rate)
			}
			if tc.rate != 0 && (err != nil || rate != tc.rate) {
				t.Fatalf("rate %d err %v, want %d", rate, err, tc.rate)
			}
		})
	}
}
