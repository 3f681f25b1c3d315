package media

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"slices"
	"testing"
)

// snapshot copies the bytes as they are "on disk" now.
func (f *memFile) snapshot() []byte { return slices.Clone(f.b) }

func TestWAVWriterGolden(t *testing.T) {
	f := &memFile{}
	w, err := NewWAVWriter(f, 8000, 2)
	if err != nil {
		t.Fatal(err)
	}
	_ = w.Write([]int16{0, 1, -1, 32767, -32768, 256})
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	golden(t, "stereo8k.wav.golden", []byte(hex.Dump(f.b)))
}

func TestWAVRoundTripAndCrash(t *testing.T) {
	for _, ch := range []int{1, 2} {
		f := &memFile{}
		w, err := NewWAVWriter(f, 16000, ch)
		if err != nil {
			t.Fatal(err)
		}
		// Killed before any Flush: sizes are 0 in the header, the data is still there.
		first := ramp(640*ch, -300)
		_ = w.Write(first)
		got, err := ReadWAV(bytes.NewReader(f.snapshot()))
		if err != nil || got.Rate != 16000 || got.Channels != ch || !slices.Equal(got.Samples, first) {
			t.Fatalf("%d ch, unpatched header: %+v err %v", ch, got.Samples[:4], err)
		}
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
		// Flushed, then more written (sizes now too small is not tolerated: they are exact
		// at the flush), then killed: the flushed part reads back.
		snap := f.snapshot()
		_ = w.Write(ramp(320*ch, 5))
		got, err = ReadWAV(bytes.NewReader(snap))
		if err != nil || !slices.Equal(got.Samples, first) {
			t.Fatalf("%d ch after Flush: %d samples, err %v", ch, len(got.Samples), err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		got, _ = ReadWAV(bytes.NewReader(f.b))
		if want := append(first, ramp(320*ch, 5)...); !slices.Equal(got.Samples, want) {
			t.Errorf("%d ch after Close: %d samples, want %d", ch, len(got.Samples), len(want))
		}
		if err := w.Write(first); !errors.Is(err, ErrClosed) {
			t.Errorf("Write after Close = %v", err)
		}
	}
}

// wavBytes builds a WAV file from raw chunks, with a RIFF size that may lie.
func wavBytes(riffSize uint32, chunks ...[]byte) []byte {
	b := []byte("RIFF\x00\x00\x00\x00WAVE")
	binary.LittleEndian.PutUint32(b[4:], riffSize)
	for _, c := range chunks {
		b = append(b, c...)
	}
	return b
}

func chunk(id string, size uint32, body []byte) []byte {
	b := append([]byte(id), 0, 0, 0, 0)
	binary.LittleEndian.PutUint32(b[4:], size)
	return append(b, body...)
}

func fmtBody(format uint16, channels, rate, bits int) []byte {
	b := make([]byte, 16)
	le := binary.LittleEndian
	le.PutUint16(b[0:], format)
	le.PutUint16(b[2:], uint16(channels))
	le.PutUint32(b[4:], uint32(rate))
	le.PutUint32(b[8:], uint32(rate*channels*bits/8))
	le.PutUint16(b[12:], uint16(channels*bits/8))
	le.PutUint16(b[14:], uint16(bits))
	return b
}

func extensibleBody(channels, rate, bits int, sub uint16) []byte {
	b := fmtBody(wavFormatExtended, channels, rate, bits)
	ext := make([]byte, 24)
	le := binary.LittleEndian
	le.PutUint16(ext[0:], 22)
	le.PutUint16(ext[2:], uint16(bits))
	le.PutUint32(ext[4:], 3)
	le.PutUint16(ext[8:], sub)
	copy(ext[10:], []byte{0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71})
	return append(b, ext...)
}

func pcm16(s ...int16) []byte {
	b := make([]byte, 2*len(s))
	for i, v := range s {
		binary.LittleEndian.PutUint16(b[2*i:], uint16(v))
	}
	return b
}

func TestReadWAV(t *testing.T) {
	data := pcm16(1, -2, 300, -400)
	tests := []struct {
		name     string
		file     []byte
		rate, ch int
		want     []int16
		err      error
	}{
		{"plain", wavBytes(36+8, chunk("fmt ", 16, fmtBody(1, 1, 16000, 16)), chunk("data", 8, data)), 16000, 1, []int16{1, -2, 300, -400}, nil},
		{"LIST before data, odd size padded", wavBytes(0, chunk("fmt ", 16, fmtBody(1, 2, 8000, 16)), chunk("LIST", 3, []byte("abc\x00")), chunk("data", 8, data)), 8000, 2, []int16{1, -2, 300, -400}, nil},
		{"LIST after data", wavBytes(0, chunk("fmt ", 16, fmtBody(1, 1, 8000, 16)), chunk("data", 4, data[:4]), chunk("LIST", 4, []byte("INFO"))), 8000, 1, []int16{1, -2}, nil},
		{"data size zero", wavBytes(0, chunk("fmt ", 16, fmtBody(1, 1, 8000, 16)), chunk("data", 0, data)), 8000, 1, []int16{1, -2, 300, -400}, nil},
		{"data size too large", wavBytes(0xFFFFFFFF, chunk("fmt ", 16, fmtBody(1, 1, 8000, 16)), chunk("data", 0xFFFFFFF0, data)), 8000, 1, []int16{1, -2, 300, -400}, nil},
		{"partial frame dropped", wavBytes(0, chunk("fmt ", 16, fmtBody(1, 2, 8000, 16)), chunk("data", 0, data[:7])), 8000, 2, []int16{1, -2}, nil},
		{"8-bit unsigned", wavBytes(0, chunk("fmt ", 16, fmtBody(1, 1, 8000, 8)), chunk("data", 3, []byte{0, 128, 255, 0})), 8000, 1, []int16{-32768, 0, 32512}, nil},
		{"extensible PCM", wavBytes(0, chunk("fmt ", 40, extensibleBody(1, 48000, 16, 1)), chunk("data", 8, data)), 48000, 1, []int16{1, -2, 300, -400}, nil},
		{"header only", wavBytes(36, chunk("fmt ", 16, fmtBody(1, 1, 8000, 16))), 8000, 1, nil, nil},
		{"extensible float", wavBytes(0, chunk("fmt ", 40, extensibleBody(1, 48000, 32, 3)), chunk("data", 8, data)), 0, 0, nil, ErrUnsupportedFormat},
		{"float", wavBytes(0, chunk("fmt ", 16, fmtBody(3, 1, 8000, 32)), chunk("data", 8, data)), 0, 0, nil, ErrUnsupportedFormat},
		{"24-bit", wavBytes(0, chunk("fmt ", 16, fmtBody(1, 1, 8000, 24)), chunk("data", 6, data[:6])), 0, 0, nil, ErrUnsupportedFormat},
		{"not RIFF", []byte("OggS\x00\x00\x00\x00WAVEfmt "), 0, 0, nil, ErrNotWAV},
		{"empty", nil, 0, 0, nil, ErrNotWAV},
		{"data before fmt", wavBytes(0, chunk("data", 8, data)), 0, 0, nil, ErrNotWAV},
		{"zero channels", wavBytes(0, chunk("fmt ", 16, fmtBody(1, 0, 8000, 16)), chunk("data", 8, data)), 0, 0, nil, ErrNotWAV},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ReadWAV(bytes.NewReader(tt.file))
			if tt.err != nil {
				if !errors.Is(err, tt.err) {
					t.Fatalf("err = %v, want %v", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.Rate != tt.rate || got.Channels != tt.ch || !slices.Equal(got.Samples, tt.want) {
				t.Errorf("got %d Hz %d ch %v, want %d Hz %d ch %v", got.Rate, got.Channels, got.Samples, tt.rate, tt.ch, tt.want)
			}
		})
	}
}

func FuzzReadWAV(f *testing.F) {
	f.Add(wavBytes(0, chunk("fmt ", 16, fmtBody(1, 2, 8000, 16)), chunk("data", 8, pcm16(1, 2, 3, 4))))
	f.Fuzz(func(t *testing.T, b []byte) {
		w, err := ReadWAV(bytes.NewReader(b))
		if err != nil {
			return
		}
		if w.Channels < 1 || w.Rate < 1 || len(w.Samples)%w.Channels != 0 {
			t.Fatalf("accepted a bad file: %d Hz, %d ch, %d samples", w.Rate, w.Channels, len(w.Samples))
		}
		if 2*len(w.Samples) > len(b) {
			t.Fatalf("%d samples from %d bytes", len(w.Samples), len(b))
		}
		if w.Channels > 8 {
			return // beyond what WAVWriter writes
		}
		// What was read writes back and reads back the same.
		f := &memFile{}
		ww, err := NewWAVWriter(f, w.Rate, w.Channels)
		if err != nil {
			t.Fatal(err)
		}
		_ = ww.Write(w.Samples)
		_ = ww.Close()
		again, err := ReadWAV(bytes.NewReader(f.b))
		if err != nil || !slices.Equal(again.Samples, w.Samples) || again.Rate != w.Rate {
			t.Fatalf("round trip: err %v, %d vs %d samples", err, len(again.Samples), len(w.Samples))
		}
	})
}

// TestEncodeWAV: a WAV built in memory reads back as what was written, header sizes set.
func TestEncodeWAV(t *testing.T) {
	pcm := []int16{1, -1, 32767, -32768, 0, 42}
	b, err := EncodeWAV(pcm, 16000, 2)
	if err != nil {
		t.Fatal(err)
	}
	w, err := ReadWAV(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if w.Rate != 16000 || w.Channels != 2 || !slices.Equal(w.Samples, pcm) || len(b) != wavHeaderLen+2*len(pcm) {
		t.Errorf("read back %+v from %d bytes", w, len(b))
	}
	if size := binary.LittleEndian.Uint32(b[40:44]); size != uint32(2*len(pcm)) {
		t.Errorf("data size in the header %d, want %d", size, 2*len(pcm))
	}
}
