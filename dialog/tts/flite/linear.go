package flite

import "github.com/sparlab/spar/media"

// linear converts any sample rate to another by linear interpolation between neighbouring
// input samples. It has no anti-aliasing filter, so it is lower quality than media's
// Resampler; it exists for rates media does not handle, such as espeak-ng's 22050 Hz.
type linear struct {
	next     media.Writer
	from, to int64
	n        int64 // output samples produced so far
	base     int64 // absolute index of the first sample of the current input block
	prev     int16 // the input sample at base-1 (output never needs earlier ones)
	out      []int16
}

func newLinear(next media.Writer, from, to int) *linear {
	return &linear{next: next, from: int64(from), to: int64(to), out: make([]int16, 0, 1024)}
}

// WriteSample resamples p; output sample k sits at input position k*from/to.
func (l *linear) WriteSample(p []int16) error {
	if len(p) == 0 {
		return nil
	}
	at := func(j int64) int16 {
		if j < l.base {
			return l.prev
		}
		return p[j-l.base]
	}
	end := l.base + int64(len(p)) // first absolute index not yet available
	out := l.out[:0]
	for {
		pos := l.n * l.from
		i, frac := pos/l.to, pos%l.to
		if i+1 >= end {
			break
		}
		a, b := int64(at(i)), int64(at(i+1))
		out = append(out, int16(a+(b-a)*frac/l.to))
		l.n++
	}
	l.prev, l.base = p[len(p)-1], end
	l.out = out
	if len(out) == 0 {
		return nil
	}
	return l.next.WriteSample(out)
}
