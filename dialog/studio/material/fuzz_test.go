package material_test

import (
	"context"
	"os"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/sparlab/spar/dialog/studio/material"
	"github.com/sparlab/spar/media"
)

// FuzzHTMLText feeds uploaded HTML (untrusted) to the text extraction: it never panics, gives
// valid UTF-8 for valid UTF-8, no empty or untrimmed lines, and nothing of the script before
// it.
func FuzzHTMLText(f *testing.F) {
	page, err := os.ReadFile("testdata/returns-page.html")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(string(page))
	f.Add("<p>a<script>b</p></script>c")
	f.Add("<svg/><style><style></style>x</style>y<h1>")
	f.Add("</head></script></noscript>text<br/><br>")
	f.Add("<scr<script>ipt>alert(1)</script>")
	f.Add("&amp;&#x0;&#xD800;&lt;<p\x00>")
	f.Fuzz(func(t *testing.T, in string) {
		out := material.HTMLText([]byte("<script>SCRIPTMARK</script>" + in))
		if strings.Contains(out, "SCRIPTMARK") {
			t.Fatalf("script text in the output: %q", out)
		}
		if utf8.ValidString(in) && !utf8.ValidString(out) {
			t.Fatalf("invalid UTF-8 out of valid input: %q", out)
		}
		for _, l := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
			if out != "" && (l == "" || strings.TrimSpace(l) != l) {
				t.Fatalf("line %q in %q", l, out)
			}
		}
	})
}

// FuzzDecode feeds uploaded WAV files (untrusted) to the decoder: it never panics, and a file
// it accepts gives no more 16 kHz samples than its size allows.
func FuzzDecode(f *testing.F) {
	// Small seeds: the fuzzer slows down a lot on large inputs.
	f.Add(wavBytes(f, 8000, 1, 200))
	f.Add(wavBytes(f, 44100, 2, 300))
	f.Add(wavBytes(f, 48000, 1, 100))
	f.Add([]byte("RIFF\x00\x00\x00\x00WAVEfmt \x10\x00\x00\x00\x01\x00\x01\x00\x01\x00\x00\x00\x02\x00\x00\x00\x02\x00\x10\x00data\x00\x00\x00\x00\x01\x02"))
	f.Add([]byte("RIFF\xff\xff\xff\xffWAVEfmt \x10\x00\x00\x00\x01\x00\x09\x00\x44\xac\x00\x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		pcm, err := material.Decode(data)
		if err != nil {
			return
		}
		// At least one byte and 4 kHz per sample, at most 16 kHz out: 4x, plus the
		// resampler's flush frame.
		if limit := 4*len(data) + media.Samples(media.Rate16k, media.FrameDuration); len(pcm) > limit {
			t.Fatalf("%d bytes gave %d samples", len(data), len(pcm))
		}
		if sides, err := material.DecodeSides(data); err != nil || len(sides) < 1 || len(sides) > 2 {
			t.Fatalf("DecodeSides: %d sides, %v, where Decode read it", len(sides), err)
		}
		_, _ = material.Reader{STT: &fakeSTT{}}.Text(context.Background(), "x.wav", data)
	})
}

// wavBytes is a WAV file of n frames of a ramp.
func wavBytes(t testing.TB, rate, channels, n int) []byte {
	t.Helper()
	pcm := make([]int16, n*channels)
	for i := range pcm {
		pcm[i] = int16(i * 97)
	}
	return wavOf(t, pcm, rate, channels)
}

// FuzzUnwrap feeds pdftotext's output of an uploaded PDF (untrusted) to Unwrap: it never
// panics, changes only white space, and gives trimmed lines, no two blank lines in a row.
func FuzzUnwrap(f *testing.F) {
	golden, err := os.ReadFile("testdata/returns-policy.txt.golden")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(string(golden))
	f.Add("Refunds go back to\nthe card £4 made-to-\norder\f\n\n- a\n1) b\nQ: c?\n")
	f.Add(" \u00a0x\u2028y\r\n\x85z-\n\xff")
	f.Fuzz(func(t *testing.T, in string) {
		out := material.Unwrap(in)
		if strings.Join(strings.Fields(out), "") != strings.Join(strings.Fields(in), "") {
			t.Fatalf("Unwrap(%q) = %q: more than white space changed", in, out)
		}
		if out != "" && (!strings.HasSuffix(out, "\n") || strings.HasPrefix(out, "\n") || strings.Contains(out, "\n\n\n")) {
			t.Fatalf("Unwrap(%q) = %q: blank lines", in, out)
		}
		for _, l := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
			if strings.TrimSpace(l) != l {
				t.Fatalf("Unwrap(%q) = %q: untrimmed line %q", in, out, l)
			}
		}
	})
}
