package openai

import "github.com/sparlab/spar/media"

// frameSamples is one 20 ms frame at 16 kHz.
const frameSamples = 320

// framer cuts a stream into 20 ms frames; flush pads the last one with silence so every
// write downstream is exactly one frame.
type framer struct {
	next media.Writer
	buf  [frameSamples]int16
	n    int
}

func (f *framer) WriteSample(p []int16) error {
	for len(p) > 0 {
		c := copy(f.buf[f.n:], p)
		f.n += c
		p = p[c:]
		if f.n == frameSamples {
			f.n = 0
			if err := f.next.WriteSample(f.buf[:]); err != nil {
				return err
			}
		}
	}
	return nil
}

func (f *framer) flush() error {
	if f.n == 0 {
		return nil
	}
	clear(f.buf[f.n:])
	f.n = 0
	return f.next.WriteSample(f.buf[:])
}
