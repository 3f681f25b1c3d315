package media

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"math"
)

// RIFF/WAVE PCM files (Microsoft's Multimedia Programming Interface and Data Specifications
// 1.0; WAVE_FORMAT_EXTENSIBLE per Microsoft's WAVEFORMATEXTENSIBLE documentation).

const (
	wavHeaderLen      = 44
	wavFormatPCM      = 1
	wavFormatExtended = 0xFFFE
)

// WAVWriter streams 16-bit PCM to a WAV file. The header is written at once with empty sizes;
// Flush patches them so the file is valid up to that point even if the process dies next.
// It is not safe for concurrent use.
type WAVWriter struct {
	f        io.WriteSeeker
	channels int
	data     int64          // bytes of sample data written
	buf      [wavChunk]byte // samples are converted and written this many bytes at a time
	closed   bool
}

// wavChunk bounds one write to the file: a recording's flush of half a second of 16 kHz
// stereo (32 KB) goes in four writes instead of holding a buffer of the largest flush for
// the whole call.
const wavChunk = 8 << 10

// NewWAVWriter writes a PCM16 WAV header for rate and channels to f, which should be empty
// and positioned at its start.
func NewWAVWriter(f io.WriteSeeker, rate, channels int) (*WAVWriter, error) {
	if rate <= 0 || channels <= 0 || channels > 8 {
		return nil, fmt.Errorf("media: new wav writer: rate %d, channels %d: %w", rate, channels, ErrUnsupportedFormat)
	}
	var h [wavHeaderLen]byte
	copy(h[0:], "RIFF")
	le := binary.LittleEndian
	le.PutUint32(h[4:], 36) // patched by Flush
	copy(h[8:], "WAVEfmt ")
	le.PutUint32(h[16:], 16)
	le.PutUint16(h[20:], wavFormatPCM)
	le.PutUint16(h[22:], uint16(channels))
	le.PutUint32(h[24:], uint32(rate))
	le.PutUint32(h[28:], uint32(rate*channels*2))
	le.PutUint16(h[32:], uint16(channels*2))
	le.PutUint16(h[34:], 16)
	copy(h[36:], "data")
	le.PutUint32(h[40:], 0) // patched by Flush
	if _, err := f.Write(h[:]); err != nil {
		return nil, fmt.Errorf("media: write wav header: %w", err)
	}
	return &WAVWriter{f: f, channels: channels}, nil
}

// Write appends interleaved samples (a whole number of frames, normally).
func (w *WAVWriter) Write(interleaved []int16) error {
	if w.closed {
		return ErrClosed
	}
	for len(interleaved) > 0 {
		k := min(len(interleaved), len(w.buf)/2)
		b := w.buf[:2*k]
		for i, s := range interleaved[:k] {
			b[2*i], b[2*i+1] = byte(s), byte(s>>8) // little-endian
		}
		if _, err := w.f.Write(b); err != nil {
			return fmt.Errorf("media: write wav data: %w", err)
		}
		w.data += int64(len(b))
		interleaved = interleaved[k:]
	}
	return nil
}

// Flush patches the RIFF and data sizes in the header, then seeks back to the end. It does
// not sync the file to disk: call the file's Sync for that.
func (w *WAVWriter) Flush() error {
	if w.closed {
		return ErrClosed
	}
	var b [4]byte
	data := uint32(min(w.data, math.MaxUint32-36))
	binary.LittleEndian.PutUint32(b[:], data+36)
	if err := w.patch(4, b[:]); err != nil {
		return err
	}
	binary.LittleEndian.PutUint32(b[:], data)
	if err := w.patch(40, b[:]); err != nil {
		return err
	}
	if _, err := w.f.Seek(0, io.SeekEnd); err != nil {
		return fmt.Errorf("media: flush wav: %w", err)
	}
	return nil
}

func (w *WAVWriter) patch(off int64, b []byte) error {
	if _, err := w.f.Seek(off, io.SeekStart); err != nil {
		return fmt.Errorf("media: flush wav: %w", err)
	}
	if _, err := w.f.Write(b); err != nil {
		return fmt.Errorf("media: flush wav: %w", err)
	}
	return nil
}

// Close patches the header a last time. It does not close the underlying file.
func (w *WAVWriter) Close() error {
	if w.closed {
		return nil
	}
	err := w.Flush()
	w.closed = true
	return err
}

// EncodeWAV returns interleaved 16-bit pcm as a whole WAV file in memory.
func EncodeWAV(pcm []int16, rate, channels int) ([]byte, error) {
	var m memFile
	w, err := NewWAVWriter(&m, rate, channels)
	if err == nil {
		err = w.Write(pcm)
	}
	if err == nil {
		err = w.Close()
	}
	return m.b, err
}

// memFile is an in-memory io.WriteSeeker for EncodeWAV: WAVWriter patches its header.
type memFile struct {
	b   []byte
	off int
}

func (m *memFile) Write(p []byte) (int, error) {
	if end := m.off + len(p); end > len(m.b) {
		m.b = append(m.b, make([]byte, end-len(m.b))...)
	}
	m.off += copy(m.b[m.off:], p)
	return len(p), nil
}

func (m *memFile) Seek(offset int64, whence int) (int64, error) {
	switch whence {
	case io.SeekCurrent:
		offset += int64(m.off)
	case io.SeekEnd:
		offset += int64(len(m.b))
	}
	if offset < 0 {
		return 0, fmt.Errorf("media: seek to %d", offset)
	}
	m.off = int(offset)
	return offset, nil
}

// WAV is a decoded PCM file.
type WAV struct {
	Rate, Channels int
	Samples        []int16 // interleaved, 16-bit (8-bit files are scaled up)
}

// ReadWAV decodes an 8 or 16-bit integer PCM WAV file, plain or WAVE_FORMAT_EXTENSIBLE. It
// skips unknown chunks (LIST, fact...) and reads whatever sample data is there when the header's
// sizes are zero or too large, as in a file whose writer was killed before it patched them.
func ReadWAV(r io.Reader) (WAV, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return WAV{}, fmt.Errorf("media: read wav: %w", err)
	}
	if len(b) < 12 || string(b[0:4]) != "RIFF" || string(b[8:12]) != "WAVE" {
		return WAV{}, fmt.Errorf("media: read wav: %w", ErrNotWAV)
	}
	le := binary.LittleEndian
	var w WAV
	bits := 0
	b = b[12:]
	for len(b) >= 8 {
		id, size := string(b[0:4]), int64(le.Uint32(b[4:8]))
		b = b[8:]
		switch id {
		case "fmt ":
			if size < 16 || int64(len(b)) < size {
				return WAV{}, fmt.Errorf("media: read wav: short fmt chunk: %w", ErrNotWAV)
			}
			if w.Rate, w.Channels, bits, err = parseFmt(b[:size]); err != nil {
				return WAV{}, err
			}
		case "data":
			if bits == 0 {
				return WAV{}, fmt.Errorf("media: read wav: data before fmt: %w", ErrNotWAV)
			}
			if size == 0 || size > int64(len(b)) {
				size = int64(len(b)) // unpatched or truncated: take what is there
			}
			w.Samples = decodePCM(b[:size], bits, w.Channels)
			return w, nil
		}
		size += size & 1 // chunks are padded to even sizes
		if size >= int64(len(b)) {
			break
		}
		b = b[size:]
	}
	if bits == 0 {
		return WAV{}, fmt.Errorf("media: read wav: no fmt chunk: %w", ErrNotWAV)
	}
	return w, nil // a header with no data chunk yet: an empty recording
}

func parseFmt(b []byte) (rate, channels, bits int, err error) {
	le := binary.LittleEndian
	format := le.Uint16(b[0:])
	channels = int(le.Uint16(b[2:]))
	rate = int(le.Uint32(b[4:]))
	bits = int(le.Uint16(b[14:]))
	if format == wavFormatExtended {
		// cbSize(2) validBits(2) channelMask(4) then the sub-format GUID, whose first two
		// bytes are the plain format code.
		if len(b) < 40 {
			return 0, 0, 0, fmt.Errorf("media: read wav: short extensible fmt: %w", ErrNotWAV)
		}
		format = le.Uint16(b[24:])
		if !bytes.Equal(b[26:40], []byte{0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71}) {
			return 0, 0, 0, fmt.Errorf("media: read wav: unknown sub-format: %w", ErrUnsupportedFormat)
		}
	}
	if format != wavFormatPCM || (bits != 8 && bits != 16) {
		return 0, 0, 0, fmt.Errorf("media: read wav: format %#x with %d bits: %w", format, bits, ErrUnsupportedFormat)
	}
	if channels < 1 || rate < 1 {
		return 0, 0, 0, fmt.Errorf("media: read wav: %d channels at %d Hz: %w", channels, rate, ErrNotWAV)
	}
	return rate, channels, bits, nil
}

// decodePCM converts whole frames of little-endian PCM to int16; a trailing partial frame (a
// write cut short) is dropped.
func decodePCM(b []byte, bits, channels int) []int16 {
	width := bits / 8
	n := len(b) / width
	n -= n % channels
	out := make([]int16, n)
	for i := range out {
		if width == 1 {
			out[i] = int16(int(b[i])-128) << 8 // 8-bit PCM is unsigned
		} else {
			out[i] = int16(binary.LittleEndian.Uint16(b[2*i:]))
		}
	}
	return out
}
