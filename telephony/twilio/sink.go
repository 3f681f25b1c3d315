package twilio

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"

	"github.com/sparlab/spar/media"
	"github.com/sparlab/spar/telephony"
)

// wire is the part of the WebSocket the sink writes to; *websocket.Conn satisfies it.
type wire interface {
	WriteMessage(messageType int, data []byte) error
	WriteControl(messageType int, data []byte, deadline time.Time) error
	SetWriteDeadline(t time.Time) error
}

var _ wire = (*websocket.Conn)(nil)

const outFrame = 160 // 20 ms at 8 kHz: Twilio plays whole frames without jitter

// sink sends persona audio to Twilio: 16 kHz frames are resampled to 8 kHz, cut into 160
// sample frames, mu-law encoded and sent as media messages, with a mark every markEvery
// frames. Twilio echoes a mark once the audio before it has played, which is how Played
// learns what the caller heard.
type sink struct {
	mu         sync.Mutex // serializes writers: WriteSample, Clear, Close
	ws         wire
	streamSid  string
	markEvery  int
	sendAhead  time.Duration
	timeout    time.Duration
	cancel     context.CancelCauseFunc
	down       *media.Resampler // 16 -> 8 kHz, into framer
	framer     *media.Framer    // 160-sample frames, into sendMedia
	ulaw, out  []byte           // reused encode buffers
	sent       int64            // 8 kHz samples sent since the call began, rebased by Clear
	frames     uint64           // media messages sent
	markN      uint64           // last mark number sent
	clears     uint64
	closed     bool
	err        error // first write error; later writes return it
	wireClosed chan struct{}

	marks  sync.Mutex // guards pending; the reader takes it on each echo
	queue  []pendingMark
	played atomic.Int64 // 8 kHz samples confirmed played
	echoed atomic.Uint64
}

// pendingMark is a mark sent and not yet echoed: its number and the audio position it follows.
type pendingMark struct {
	n   uint64
	pos int64
}

var _ telephony.Sink = (*sink)(nil)

func newSink(ws wire, streamSid string, cfg Config, cancel context.CancelCauseFunc) (*sink, error) {
	s := &sink{
		ws:         ws,
		streamSid:  streamSid,
		markEvery:  cfg.MarkEvery,
		sendAhead:  cfg.SendAhead,
		timeout:    cfg.WriteTimeout,
		cancel:     cancel,
		ulaw:       make([]byte, outFrame),
		out:        make([]byte, 0, 512),
		wireClosed: make(chan struct{}),
	}
	s.framer = media.NewFramer(media.WriterFunc(s.sendMedia), outFrame)
	var err error
	s.down, err = media.NewResampler(s.framer, telephony.Rate, media.Rate8k)
	if err != nil {
		return nil, fmt.Errorf("twilio: new sink: %w", err)
	}
	return s, nil
}

// WriteSample sends one frame of 16 kHz persona audio. The caller paces the frames.
func (s *sink) WriteSample(p []int16) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.usable(); err != nil {
		return err
	}
	return s.down.WriteSample(p)
}

// sendMedia writes {"event":"media","streamSid":..,"media":{"payload":..}}.
func (s *sink) sendMedia(f []int16) error {
	s.ulaw = media.EncodeMulaw(s.ulaw, f)
	b := s.out[:0]
	b = append(b, `{"event":"media","streamSid":"`...)
	b = append(b, s.streamSid...)
	b = append(b, `","media":{"payload":"`...)
	b = base64.StdEncoding.AppendEncode(b, s.ulaw)
	b = append(b, `"}}`...)
	s.out = b
	if err := s.write(b); err != nil {
		return err
	}
	s.sent += int64(len(f))
	s.frames++
	if s.frames%uint64(s.markEvery) == 0 {
		return s.sendMark()
	}
	return nil
}

// sendMark writes {"event":"mark","streamSid":..,"mark":{"name":"m<N>"}}. The mark is
// queued before it is written: Twilio may echo it before the write returns.
func (s *sink) sendMark() error {
	s.markN++
	s.marks.Lock()
	s.queue = append(s.queue, pendingMark{n: s.markN, pos: s.sent})
	s.marks.Unlock()
	b := s.out[:0]
	b = append(b, `{"event":"mark","streamSid":"`...)
	b = append(b, s.streamSid...)
	b = append(b, `","mark":{"name":"m`...)
	b = strconv.AppendUint(b, s.markN, 10)
	b = append(b, `"}}`...)
	s.out = b
	return s.write(b)
}

// Clear asks Twilio to drop the audio it has buffered. Twilio then echoes every pending mark
// although that audio never played, so the pending marks are forgotten here, and the audio
// position restarts from what was confirmed: Played keeps counting only what was heard.
func (s *sink) Clear() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.usable(); err != nil {
		return err
	}
	s.marks.Lock()
	s.queue = s.queue[:0]
	s.sent = s.played.Load()
	s.marks.Unlock()
	s.framer.Reset()
	s.down.Reset()
	s.clears++
	b := s.out[:0]
	b = append(b, `{"event":"clear","streamSid":"`...)
	b = append(b, s.streamSid...)
	b = append(b, `"}`...)
	s.out = b
	return s.write(b)
}

// markEchoed records an echoed mark; only marks of audio that really played move Played.
func (s *sink) markEchoed(name string) {
	n, ok := parseMarkName(name)
	if !ok {
		return
	}
	s.marks.Lock()
	defer s.marks.Unlock()
	for i, pm := range s.queue {
		if pm.n == n {
			// Twilio echoes in order: marks before this one will not come any more.
			s.played.Store(pm.pos)
			s.echoed.Add(1)
			s.queue = s.queue[:copy(s.queue, s.queue[i+1:])]
			return
		}
	}
}

func parseMarkName(name string) (uint64, bool) {
	num, ok := strings.CutPrefix(name, "m")
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseUint(num, 10, 64)
	return n, err == nil
}

// SendAhead is the configured send-ahead budget: Twilio buffers it, and Clear drops it.
func (s *sink) SendAhead() time.Duration { return s.sendAhead }

// Played is the persona audio Twilio confirmed as played, to within MarkEvery frames.
func (s *sink) Played() time.Duration { return media.Duration(media.Rate8k, int(s.played.Load())) }

// Close ends the call with cause and closes the socket with a close frame.
func (s *sink) Close(cause error) error {
	s.cancel(cause)
	return s.closeWire(cause)
}

// closeWire sends the close frame once; the code tells Twilio why.
func (s *sink) closeWire(cause error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	defer close(s.wireClosed)
	code, reason := websocket.CloseNormalClosure, "call ended"
	switch {
	case errors.Is(cause, ErrTooManyMalformed):
		code, reason = websocket.ClosePolicyViolation, "too many malformed messages"
	case errors.Is(cause, ErrUnsupportedFormat):
		code, reason = websocket.CloseUnsupportedData, "unsupported media format"
	}
	msg := websocket.FormatCloseMessage(code, reason)
	if err := s.ws.WriteControl(websocket.CloseMessage, msg, time.Now().Add(s.timeout)); err != nil && !errors.Is(err, websocket.ErrCloseSent) {
		return fmt.Errorf("twilio: close stream: %w", err)
	}
	return nil
}

func (s *sink) usable() error {
	switch {
	case s.err != nil:
		return s.err
	case s.closed:
		return ErrSinkClosed
	}
	return nil
}

// write sends one text message; a failure ends the call.
func (s *sink) write(b []byte) error {
	if err := s.ws.SetWriteDeadline(time.Now().Add(s.timeout)); err != nil {
		return s.fail(err)
	}
	if err := s.ws.WriteMessage(websocket.TextMessage, b); err != nil {
		return s.fail(err)
	}
	return nil
}

func (s *sink) fail(err error) error {
	s.err = fmt.Errorf("twilio: write stream: %w", err)
	s.cancel(s.err)
	return s.err
}

// sinkStats is the sink's share of the end-of-call summary.
type sinkStats struct {
	framesOut, marksSent, marksEchoed, clears uint64
	played                                    time.Duration
}

func (s *sink) stats() sinkStats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return sinkStats{framesOut: s.frames, marksSent: s.markN, marksEchoed: s.echoed.Load(), clears: s.clears, played: s.Played()}
}
