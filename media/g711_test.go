package media

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata")

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden (run with -update to create): %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from golden file; rerun with -update if the change is intended", name)
	}
}

func TestMulawDecodeGolden(t *testing.T) {
	var b bytes.Buffer
	for i := 0; i < 256; i++ {
		fmt.Fprintf(&b, "%02x %d\n", i, MulawDecode(byte(i)))
	}
	golden(t, "mulaw_decode.golden", b.Bytes())
}

func TestMulawEncodeGolden(t *testing.T) {
	var b bytes.Buffer
	for s := -32768; s <= 32767; s += 97 {
		fmt.Fprintf(&b, "%d %02x\n", s, MulawEncode(int16(s)))
	}
	fmt.Fprintf(&b, "%d %02x\n", 32767, MulawEncode(32767))
	golden(t, "mulaw_encode.golden", b.Bytes())
}

// Known points of the G.711 table, independent of the golden files.
func TestMulawKnownValues(t *testing.T) {
	tests := []struct {
		name string
		b    byte
		s    int16
	}{
		{"positive zero", 0xFF, 0},
		{"negative zero", 0x7F, 0},
		{"most negative", 0x00, -32124},
		{"most positive", 0x80, 32124},
		{"smallest step", 0xFE, 8},
		{"segment 1 start", 0xEF, 132},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := MulawDecode(tt.b); got != tt.s {
				t.Errorf("MulawDecode(%#x) = %d, want %d", tt.b, got, tt.s)
			}
		})
	}
	if got := MulawEncode(0); got != 0xFF {
		t.Errorf("MulawEncode(0) = %#x, want 0xff", got)
	}
	if got := MulawEncode(-32768); got != 0x00 {
		t.Errorf("MulawEncode(-32768) = %#x, want 0x00", got)
	}
}

// Every code except negative zero survives decode -> encode; every sample comes back within
// half a quantization step of its segment.
func TestMulawRoundTrip(t *testing.T) {
	for i := 0; i < 256; i++ {
		b := byte(i)
		if b == 0x7F { // -0 decodes to 0, which encodes as +0
			continue
		}
		if got := MulawEncode(MulawDecode(b)); got != b {
			t.Errorf("encode(decode(%#x)) = %#x", b, got)
		}
	}
	for s := -32768; s <= 32767; s++ {
		d := int(MulawDecode(MulawEncode(int16(s))))
		a := s
		if a < 0 {
			a = -a
		}
		// Step size doubles per segment: 8 in segment 0 up to 1024 in segment 7 (plus clipping).
		tol := 8
		for lim := 256; a+mulawBias >= lim && tol < 1024; lim <<= 1 {
			tol <<= 1
		}
		lim := tol/2 + 1
		if a > 32124 { // beyond the largest code: clipped to it
			lim = a - 32124
		}
		if diff := d - s; diff > lim || -diff > lim {
			t.Fatalf("sample %d decoded back as %d (tolerance %d)", s, d, lim)
		}
	}
}

func TestDecodeMulawReusesCapacity(t *testing.T) {
	dst := make([]int16, 0, 320)
	src := []byte{0xFF, 0x00, 0x80}
	out := DecodeMulaw(dst, src)
	if len(out) != 3 || &out[0] != &dst[:1][0] {
		t.Fatalf("DecodeMulaw did not reuse dst")
	}
	if out[1] != -32124 || out[2] != 32124 {
		t.Errorf("got %v", out)
	}
	enc := EncodeMulaw(make([]byte, 0, 8), out)
	if !bytes.Equal(enc, src) {
		t.Errorf("EncodeMulaw = %x, want %x", enc, src)
	}
}

func BenchmarkDecodeMulaw(b *testing.B) {
	src := make([]byte, 160)
	for i := range src {
		src[i] = byte(i * 7)
	}
	dst := make([]int16, 0, 160)
	b.ReportAllocs()
	for b.Loop() {
		dst = DecodeMulaw(dst, src)
	}
}

func BenchmarkEncodeMulaw(b *testing.B) {
	src := make([]int16, 160)
	for i := range src {
		src[i] = int16(i * 331)
	}
	dst := make([]byte, 0, 160)
	b.ReportAllocs()
	for b.Loop() {
		dst = EncodeMulaw(dst, src)
	}
}
