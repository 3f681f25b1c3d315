package webrtc

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"

	"github.com/sparlab/spar/media"
	"github.com/sparlab/spar/telephony"
)

// rtpWriter is where the sink's packets go; *webrtc.TrackLocalStaticRTP satisfies it.
type rtpWriter interface {
	WriteRTP(p *rtp.Packet) error
}

var _ rtpWriter = (*webrtc.TrackLocalStaticRTP)(nil)

// maxPayload bounds one encoded 20 ms frame (Opus at 510 kb/s is 1275 bytes).
const maxPayload = 1500

// sink sends persona audio: each 20 ms frame the engine's playout writes becomes one RTP
// packet. The engine paces; the sink only keeps the RTP clock honest: after a pause (the
// playout sends nothing while the persona is quiet) the timestamp jumps by the wall-clock
// time that passed and the marker bit starts a talkspurt, so the browser's jitter buffer
// sees no fake delay.
type sink struct {
	mu      sync.Mutex
	track   rtpWriter
	codec   *codecPath
	now     func() time.Time
	cancel  context.CancelCauseFunc
	frames  *media.Framer // 20 ms frames, into send
	pkt     rtp.Packet
	payload []byte
	spurts  media.Talkspurts
	closed  bool
	err     error
	sent    atomic.Int64 // 16 kHz samples sent
	packets uint64
}

var _ telephony.Sink = (*sink)(nil)

func newSink(track rtpWriter, codec *codecPath, seq uint16, ts uint32, now func() time.Time, cancel context.CancelCauseFunc) *sink {
	s := &sink{track: track, codec: codec, now: now, cancel: cancel, payload: make([]byte, maxPayload)}
	s.frames = media.NewFramer(media.WriterFunc(s.send), frame16k)
	s.pkt.Header = rtp.Header{Version: 2, SequenceNumber: seq, Timestamp: ts}
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

// send encodes one frame and writes its packet.
func (s *sink) send(f []int16) error {
	n, err := s.codec.enc.encode(f, s.payload)
	if err != nil {
		return s.fail(fmt.Errorf("webrtc: encode persona audio: %w", err))
	}
	h := &s.pkt.Header
	skip, marker := s.spurts.Next(s.now())
	h.Timestamp += skip * s.codec.perFrame
	h.Marker = marker
	s.pkt.Payload = s.payload[:n]
	if err := s.track.WriteRTP(&s.pkt); err != nil {
		if errors.Is(err, io.ErrClosedPipe) {
			s.closed = true
			return ErrSinkClosed
		}
		return s.fail(fmt.Errorf("webrtc: send persona audio: %w", err))
	}
	h.SequenceNumber++
	h.Timestamp += s.codec.perFrame
	s.packets++
	s.sent.Add(int64(len(f)))
	return nil
}

func (s *sink) fail(err error) error {
	s.err = err
	s.cancel(err)
	return err
}

// Clear has nothing to drop: the browser holds only its jitter buffer (tens of ms) and
// the engine's playout, which the engine flushes itself, holds the rest.
func (s *sink) Clear() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.frames.Reset()
	return nil
}

// Played is the persona audio sent. WebRTC has no playback receipts; what was sent is heard
// within the jitter buffer's delay.
func (s *sink) Played() time.Duration { return media.Duration(telephony.Rate, int(s.sent.Load())) }

// Close ends the call with cause; the session closes the connection.
func (s *sink) Close(cause error) error {
	s.cancel(cause)
	return nil
}

// shut stops further writes once the connection is closing.
func (s *sink) shut() {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
}

func (s *sink) stats() (packets, talkspurts uint64, sent time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.packets, s.spurts.Count(), s.Played()
}
