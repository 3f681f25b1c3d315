package media

import (
	"fmt"
	"io"
	"sync"
	"time"
)

// recorderMaxAhead bounds how far past the flushed position audio may be placed, so a wild
// position cannot make the pending buffer grow without limit.
const recorderMaxAhead = 10 * time.Minute

// Recorder writes a call's stereo WAV as the call runs: learner on the left, persona on the
// right, both placed by sample position since the call started, so the two sides line up
// whatever order their audio arrives in. Audio waits in a pending buffer until Flush writes it
// out; audio for positions already flushed is dropped and counted by Late.
//
// WriteLeft, WriteRight, Flush and Close are safe for concurrent use.
type Recorder struct {
	mu      sync.Mutex
	w       *WAVWriter
	rate    int
	pending []int16 // interleaved L,R frames from position flushed onward
	flushed int64   // frames written to the file
	hi      int64   // end of the furthest audio placed so far
	late    int64
	closed  bool
}

// NewRecorder starts a stereo PCM16 WAV at rate in f. span is how much audio the caller
// keeps unflushed at most, from the flushed position to the furthest it places audio (for a
// call, dialog.RecordingSpan plus the line's send-ahead: 42 KB at 16 kHz for a browser call,
// 61 KB with a 300 ms send-ahead). The pending buffer starts at that size and grows when
// more is placed past the flushed position.
func NewRecorder(f io.WriteSeeker, rate int, span time.Duration) (*Recorder, error) {
	w, err := NewWAVWriter(f, rate, 2)
	if err != nil {
		return nil, fmt.Errorf("media: new recorder: %w", err)
	}
	return &Recorder{w: w, rate: rate, pending: make([]int16, 0, 2*Samples(rate, max(span, 0)))}, nil
}

// WriteLeft mixes learner audio in at sample position at.
func (r *Recorder) WriteLeft(at int64, p []int16) { r.place(0, at, p) }

// WriteRight mixes persona audio in at sample position at.
func (r *Recorder) WriteRight(at int64, p []int16) { r.place(1, at, p) }

// ClearRight silences the persona channel from position from onward, where it is not yet
// flushed: persona audio sent ahead of the far end's playout that a barge-in's clear dropped
// before anyone heard it.
func (r *Recorder) ClearRight(from int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i := 2*(max(from, r.flushed)-r.flushed) + 1; i < int64(len(r.pending)); i += 2 {
		r.pending[i] = 0
	}
}

func (r *Recorder) place(ch int, at int64, p []int16) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		r.late += int64(len(p))
		return
	}
	if at < r.flushed { // the part before the flushed position is too late
		skip := min(int64(len(p)), r.flushed-at)
		r.late += skip
		p, at = p[skip:], at+skip
	}
	if limit := r.flushed + int64(Samples(r.rate, recorderMaxAhead)); at+int64(len(p)) > limit {
		keep := max(0, limit-at)
		r.late += int64(len(p)) - keep
		p = p[:keep]
	}
	if len(p) == 0 {
		return
	}
	end := at + int64(len(p))
	if need := int(2 * (end - r.flushed)); need > len(r.pending) {
		r.pending = growZero(r.pending, need)
	}
	dst := r.pending[int(2*(at-r.flushed))+ch:][:2*len(p)-1]
	for i, s := range p {
		dst[2*i] = mix(dst[2*i], s)
	}
	r.hi = max(r.hi, end)
}

// growZero extends s to n with zeros, reusing its capacity.
func growZero(s []int16, n int) []int16 {
	if cap(s) < n {
		g := make([]int16, len(s), max(n, 2*cap(s)))
		copy(g, s)
		s = g
	}
	m := len(s)
	s = s[:n]
	clear(s[m:])
	return s
}

// mix adds two samples, saturating.
func mix(a, b int16) int16 {
	return int16(max(-32768, min(32767, int32(a)+int32(b))))
}

// Flush writes every frame before upTo to the file, with silence where nothing was placed,
// and patches the header so the file is readable as it stands.
func (r *Recorder) Flush(upTo int64) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return ErrClosed
	}
	return r.flushLocked(upTo)
}

func (r *Recorder) flushLocked(upTo int64) error {
	if upTo > r.flushed {
		n := int(2 * (upTo - r.flushed))
		have := min(n, len(r.pending))
		if err := r.w.Write(r.pending[:have]); err != nil {
			return fmt.Errorf("media: flush recording: %w", err)
		}
		for rest := n - have; rest > 0; { // silence nobody wrote, in bounded pieces
			z := min(rest, len(silenceBlock))
			if err := r.w.Write(silenceBlock[:z]); err != nil {
				return fmt.Errorf("media: flush recording: %w", err)
			}
			rest -= z
		}
		k := copy(r.pending, r.pending[have:])
		r.pending = r.pending[:k]
		r.flushed = upTo
		r.hi = max(r.hi, upTo)
	}
	if err := r.w.Flush(); err != nil {
		return fmt.Errorf("media: flush recording: %w", err)
	}
	return nil
}

var silenceBlock = make([]int16, 4096)

// Flushed returns the position up to which the file is written.
func (r *Recorder) Flushed() int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.flushed
}

// Late returns how many samples were dropped: placed before the flushed position, more than
// ten minutes past it, or after Close.
func (r *Recorder) Late() int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.late
}

// Close flushes everything placed so far and patches the header. It does not close the file.
func (r *Recorder) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return nil
	}
	err := r.flushLocked(r.hi)
	r.closed = true
	if cerr := r.w.Close(); err == nil {
		err = cerr
	}
	return err
}
