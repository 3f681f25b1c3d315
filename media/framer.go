package media

// Framer cuts audio of any length into frames of a fixed size for the next Writer: it keeps
// the partial frame between writes, so a chain stage that needs whole 20 ms frames (a codec,
// a transport message) can follow one that writes whatever it has (a resampler).
type Framer struct {
	to  Writer
	buf []int16 // partial frame
}

var _ Writer = (*Framer)(nil)

// NewFramer returns a Framer writing frames of n samples to to.
func NewFramer(to Writer, n int) *Framer {
	return &Framer{to: to, buf: make([]int16, 0, max(1, n))}
}

// WriteSample adds p and writes every frame it completes. A frame already in place in p goes
// out without a copy.
func (f *Framer) WriteSample(p []int16) error {
	n := cap(f.buf)
	for len(p) > 0 {
		if len(f.buf) == 0 && len(p) >= n {
			if err := f.to.WriteSample(p[:n]); err != nil {
				return err
			}
			p = p[n:]
			continue
		}
		k := min(n-len(f.buf), len(p))
		f.buf = append(f.buf, p[:k]...)
		p = p[k:]
		if len(f.buf) < n {
			return nil
		}
		err := f.to.WriteSample(f.buf)
		f.buf = f.buf[:0]
		if err != nil {
			return err
		}
	}
	return nil
}

// WriteSilence adds n samples of silence, as WriteSample would, without a buffer of zeros:
// how a receiver fills a gap in what the far end sent.
func (f *Framer) WriteSilence(n int) error {
	for n > 0 {
		m := len(f.buf)
		k := min(n, cap(f.buf)-m)
		f.buf = f.buf[:m+k]
		clear(f.buf[m:])
		n -= k
		if len(f.buf) < cap(f.buf) {
			return nil
		}
		err := f.to.WriteSample(f.buf)
		f.buf = f.buf[:0]
		if err != nil {
			return err
		}
	}
	return nil
}

// Reset drops the partial frame.
func (f *Framer) Reset() { f.buf = f.buf[:0] }

// Flush pads the partial frame with silence and writes it, so a stream that ends mid-frame
// still goes out as whole frames.
func (f *Framer) Flush() error {
	if len(f.buf) == 0 {
		return nil
	}
	n := len(f.buf)
	f.buf = f.buf[:cap(f.buf)]
	clear(f.buf[n:])
	err := f.to.WriteSample(f.buf)
	f.buf = f.buf[:0]
	return err
}
