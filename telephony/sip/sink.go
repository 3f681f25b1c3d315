package sip

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"time"

	spmedia "github.com/sparlab/spar/media"
	"github.com/sparlab/spar/telephony"
)

// rtpWriter is where the sink's packets go; *rtpConn satisfies it and keeps one SSRC and
// sequence across re-INVITEs.
type rtpWriter interface {
	WriteSamples(payload []byte, ticks uint32, marker bool, payloadType uint8) (int, error)
	DelayTimestamp(ticks uint32)
}

var _ rtpWriter = (*rtpConn)(nil)

// sink sends persona audio: each 20 ms frame the engine's playout writes becomes one RTP
// packet of G.711. The engine paces; the sink keeps the RTP clock honest: after a pause the
// timestamp jumps by the wall-clock time that passed and the marker bit starts a
// talkspurt, as the WebRTC sink does.
type sink struct {
	mu      sync.Mutex
	w       rtpWriter
	law     atomic.Uint32 // payload type to send: ptPCMU or ptPCMA (a re-INVITE may change it)
	mute    atomic.Bool   // the caller asked not to receive (sendonly or inactive: hold)
	now     func() time.Time
	cancel  context.CancelCauseFunc
	frames  *spmedia.Framer // 20 ms frames at 16 kHz, into send
	down    *spmedia.Resampler
	mid     []int16 // one frame at 8 kHz
	payload []byte
	spurts  spmedia.Talkspurts
	closed  bool
	err     error
	sent    atomic.Int64 // 16 kHz samples sent
	packets uint64
}

var _ telephony.Sink = (*sink)(nil)

func newSink(w rtpWriter, pt uint8, now func() time.Time, cancel context.CancelCauseFunc) *sink {
	s := &sink{w: w, now: now, cancel: cancel, mid: make([]int16, 0, frame8k*2), payload: make([]byte, frame8k*2)}
	s.law.Store(uint32(pt))
	s.frames = spmedia.NewFramer(spmedia.WriterFunc(s.send), frame16k)
	// 16 kHz to 8 kHz is a supported ratio; the error cannot happen.
	s.down, _ = spmedia.NewResampler(spmedia.WriterFunc(func(p []int16) error { s.mid = append(s.mid, p...); return nil }),
		telephony.Rate, spmedia.Rate8k)
	return s
}

// WriteSample sends 16 kHz persona audio, one RTP packet per 20 ms.
func (s *sink) WriteSample(p []int16) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.err != nil:
		return s.err
	case s.closed:
		return ErrSinkClosed
	}
	return s.frames.WriteSample(p)
}

// send resamples, encodes and writes one frame.
func (s *sink) send(f []int16) error {
	s.mid = s.mid[:0]
	_ = s.down.WriteSample(f) // collects into mid, never fails
	l := law(s.law.Load())
	n := min(len(s.mid), len(s.payload))
	for i, v := range s.mid[:n] {
		s.payload[i] = l.encode(v)
	}
	skip, marker := s.spurts.Next(s.now())
	if skip > 0 {
		s.w.DelayTimestamp(skip * frame8k)
	}
	if s.mute.Load() { // on hold: nothing goes out, the clock runs on
		s.w.DelayTimestamp(uint32(n))
		s.sent.Add(int64(len(f)))
		return nil
	}
	if _, err := s.w.WriteSamples(s.payload[:n], uint32(n), marker, uint8(l)); err != nil {
		if errors.Is(err, net.ErrClosed) {
			s.closed = true
			return ErrSinkClosed
		}
		s.err = fmt.Errorf("sip: send persona audio: %w", err)
		s.cancel(s.err)
		return s.err
	}
	s.packets++
	s.sent.Add(int64(len(f)))
	return nil
}

// Clear drops the partial frame; the far end buffers only its jitter buffer (tens of ms)
// and the engine flushes its own playout.
func (s *sink) Clear() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.frames.Reset()
	return nil
}

// Played is the persona audio sent: RTP has no playback receipts.
func (s *sink) Played() time.Duration {
	return spmedia.Duration(telephony.Rate, int(s.sent.Load()))
}

// Close ends the call with cause; the session hangs up.
func (s *sink) Close(cause error) error {
	s.cancel(cause)
	return nil
}

// shut stops further writes once the media is closing.
func (s *sink) shut() {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
}

func (s *sink) stats() (packets, talkspurts uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.packets, s.spurts.Count()
}
