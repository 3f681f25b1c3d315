package flite

import (
	"encoding/binary"
	"fmt"
	"io"
)

// readWAVHeader reads a RIFF/WAVE header up to the start of the data chunk and returns the
// sample rate. Only mono 16-bit PCM is accepted. The data chunk's size is ignored: espeak-ng
// writes a placeholder when its output is a pipe, so the data runs until EOF.
func readWAVHeader(r io.Reader) (rate int, err error) {
	var riff [12]byte
	if _, err := io.ReadFull(r, riff[:]); err != nil {
		return 0, fmt.Errorf("read riff header: %w", err)
	}
	if string(riff[0:4]) != "RIFF" || string(riff[8:12]) != "WAVE" {
		return 0, fmt.Errorf("not a RIFF/WAVE stream")
	}
	sawFmt := false
	for {
		var ch [8]byte
		if _, err := io.ReadFull(r, ch[:]); err != nil {
			return 0, fmt.Errorf("read chunk header: %w", err)
		}
		id, size := string(ch[0:4]), binary.LittleEndian.Uint32(ch[4:8])
		switch id {
		case "data":
			if !sawFmt {
				return 0, fmt.Errorf("data chunk before fmt chunk")
			}
			return rate, nil
		case "fmt ":
			if size < 16 || size > 64 {
				return 0, fmt.Errorf("fmt chunk of %d bytes", size)
			}
			f := make([]byte, size+size%2)
			if _, err := io.ReadFull(r, f); err != nil {
				return 0, fmt.Errorf("read fmt chunk: %w", err)
			}
			format, channels := binary.LittleEndian.Uint16(f[0:2]), binary.LittleEndian.Uint16(f[2:4])
			rate = int(binary.LittleEndian.Uint32(f[4:8]))
			bits := binary.LittleEndian.Uint16(f[14:16])
			if format != 1 || channels != 1 || bits != 16 || rate < 4000 || rate > 96000 {
				return 0, fmt.Errorf("unsupported wav: format %d, %d channels, %d bits, %d Hz",
					format, channels, bits, rate)
			}
			sawFmt = true
		default:
			if size > 1<<20 {
				return 0, fmt.Errorf("chunk %q of %d bytes", id, size)
			}
			if _, err := io.CopyN(io.Discard, r, int64(size+size%2)); err != nil {
				return 0, fmt.Errorf("skip chunk %q: %w", id, err)
			}
		}
	}
}
