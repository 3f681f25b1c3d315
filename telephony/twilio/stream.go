package twilio

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/gorilla/websocket"

	"github.com/sparlab/spar/media"
	"github.com/sparlab/spar/telephony"
)

const (
	// oversizeFactor: messages up to MaxMessageBytes are parsed, up to this many times that
	// are skipped and counted, larger ones make gorilla close the socket.
	oversizeFactor = 4
	// closeGrace is how long the reader waits for Twilio to answer our close frame.
	closeGrace = 2 * time.Second
	// maxAwaitingStart caps signed streams that have not sent start yet (each may wait
	// StartTimeout): Twilio sends start within milliseconds, so only a replayed upgrade
	// signature could hold many.
	maxAwaitingStart = 64
)

// serveMedia accepts Twilio's Media Streams WebSocket and runs the call on it.
// https://www.twilio.com/docs/voice/media-streams/websocket-messages
func (s *Server) serveMedia(w http.ResponseWriter, r *http.Request) {
	if !s.validUpgrade(r) {
		s.log.Warn("twilio stream: bad or missing signature on upgrade", "remote", r.RemoteAddr)
		http.Error(w, "invalid Twilio signature", http.StatusForbidden)
		return
	}
	// With no line reserved for any call, a stream cannot become one: say so before the
	// upgrade. Otherwise the ticket in its start message decides (stream.run).
	if s.pendingLines() == 0 {
		var err error
		switch {
		case s.calls.Draining():
			err = ErrDraining
		case s.calls.Full(s.cfg.MaxCalls):
			err = ErrBusy
			w.Header().Set("Retry-After", "60")
		}
		if err != nil {
			s.refused(reasonOf(err))
			s.log.Warn("twilio stream refused before upgrade", "err", err, "max_calls", s.cfg.MaxCalls)
			http.Error(w, err.Error(), http.StatusServiceUnavailable)
			return
		}
	}
	if n := s.awaiting.Add(1); n > maxAwaitingStart {
		s.awaiting.Add(-1)
		s.refused(reasonTooManyUnstarted)
		s.log.Warn("twilio stream refused before upgrade: too many streams awaiting start", "max", maxAwaitingStart)
		w.Header().Set("Retry-After", "5")
		http.Error(w, "too many streams starting", http.StatusServiceUnavailable)
		return
	}
	conn, err := s.upgrader.Upgrade(w, r, nil)
	if err != nil {
		s.awaiting.Add(-1)
		s.log.Info("twilio stream: upgrade failed", "err", err) // the upgrader has replied
		return
	}
	defer conn.Close()
	conn.SetReadLimit(s.cfg.MaxMessageBytes * oversizeFactor)
	st := &stream{srv: s, conn: conn, log: s.log.With("remote", r.RemoteAddr), buf: make([]byte, 0, 1024), lastSeq: -1}
	st.run(r.Context())
}

// stream is one Media Streams socket. Its reader runs in the HTTP handler goroutine; the
// call's handler runs in a second one; both end before serveMedia returns.
type stream struct {
	srv     *Server
	conn    *websocket.Conn
	log     *slog.Logger
	buf     []byte  // reused message buffer
	msg     Message // reused decoded message
	lastSeq int64

	call   *telephony.Call
	cancel context.CancelCauseFunc
	in     *inbound
	sink   *sink

	faults  faults
	ignored uint64 // non-inbound media

	deadlineSet time.Time // when the rolling read deadline was last pushed back
}

// run waits for start, then runs the call until the socket or the handler ends it.
func (st *stream) run(parent context.Context) {
	start, err := st.awaitStart()
	st.srv.awaiting.Add(-1)
	if err != nil {
		st.refuse(err)
		return
	}
	d, err := st.srv.claim(parent, start)
	if err != nil {
		st.refuse(err)
		return
	}
	defer st.srv.calls.Done()
	ctx, err := st.setup(parent, start, d)
	if err != nil {
		st.refuse(err)
		return
	}
	// Any end of the call (stop, handler return, Hangup, write error, server shutdown)
	// closes the socket; the read deadline frees the reader if Twilio never answers.
	afterDone := make(chan struct{})
	stopAfter := context.AfterFunc(ctx, func() {
		defer close(afterDone)
		if err := st.sink.closeWire(context.Cause(ctx)); err != nil {
			st.log.Debug("twilio stream: close frame", "err", err)
		}
		_ = st.conn.SetReadDeadline(time.Now().Add(closeGrace))
	})
	handlerDone := make(chan struct{})
	go func() {
		defer close(handlerDone)
		st.cancel(st.runHandler(ctx))
	}()
	st.cancel(st.read(ctx))
	<-handlerDone
	if !stopAfter() {
		<-afterDone
	}
	st.summary(context.Cause(ctx))
}

func (st *stream) runHandler(ctx context.Context) (err error) {
	defer func() {
		if v := recover(); v != nil {
			st.log.Error("twilio call handler panicked", "panic", v, "stack", string(debug.Stack()))
			err = fmt.Errorf("twilio: call handler panicked: %v", v)
		}
	}()
	if err := st.srv.handler(ctx, st.call); err != nil {
		return err
	}
	return ErrHandlerDone
}

// refuse closes a stream that never became a call, logging and counting why.
func (st *stream) refuse(err error) {
	code := websocket.ClosePolicyViolation
	switch {
	case errors.Is(err, ErrUnsupportedFormat):
		code = websocket.CloseUnsupportedData
	case errors.Is(err, ErrBusy), errors.Is(err, ErrDraining):
		code = websocket.CloseTryAgainLater
	}
	reason := reasonOf(err)
	st.srv.refused(reason)
	msg := "twilio stream refused"
	switch reason {
	case reasonNoToken, reasonBadToken, reasonTokenMismatch:
		msg = "twilio stream refused: no webhook Spar answered is behind it (forged, replayed or expired stream)"
	}
	st.log.Warn(msg, "reason", reason, "err", err)
	_ = st.conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, ""), time.Now().Add(st.srv.cfg.WriteTimeout))
}

// awaitStart reads connected and start, within StartTimeout.
func (st *stream) awaitStart() (*StartPayload, error) {
	if err := st.conn.SetReadDeadline(time.Now().Add(st.srv.cfg.StartTimeout)); err != nil {
		return nil, fmt.Errorf("twilio: await start: %w", err)
	}
	for {
		data, problem, err := st.next()
		var te interface{ Timeout() bool }
		switch {
		case errors.As(err, &te) && te.Timeout():
			return nil, ErrNoStart
		case err != nil:
			return nil, fmt.Errorf("%w before start: %v", ErrSocketClosed, err)
		case problem != nil:
			if err := st.fault(problem); err != nil {
				return nil, err
			}
			continue
		}
		if err := DecodeMessage(data, &st.msg); err != nil {
			if err := st.fault(err); err != nil {
				return nil, err
			}
			continue
		}
		switch st.msg.Event {
		case EventConnected:
			st.log.Debug("twilio stream connected", "protocol", st.msg.Protocol, "version", st.msg.Version)
		case EventStart:
			if err := st.extendDeadline(); err != nil {
				return nil, fmt.Errorf("twilio: await start: %w", err)
			}
			st.noteSeq(st.msg.SequenceNumber)
			return st.msg.Start, nil
		default:
			if err := st.fault(fmt.Errorf("%w: %s before start", ErrMalformed, st.msg.Event)); err != nil {
				return nil, err
			}
		}
	}
}

// extendDeadline pushes the rolling read deadline to Config.IdleTimeout from now, at most
// once a second or a quarter of the timeout (so a live stream costs no syscall per message).
func (st *stream) extendDeadline() error {
	now := time.Now() // deadlines are wall time, whatever clock the server was given
	if now.Sub(st.deadlineSet) < min(time.Second, st.srv.cfg.IdleTimeout/4) {
		return nil
	}
	st.deadlineSet = now
	return st.conn.SetReadDeadline(now.Add(st.srv.cfg.IdleTimeout))
}

// read handles messages until the socket ends; it returns the reason. While the call is
// live a read deadline rolls IdleTimeout ahead: Twilio sends media every 20 ms, so a
// stream silent that long is dead and the call ends with ErrStreamIdle.
func (st *stream) read(ctx context.Context) error {
	for {
		if ctx.Err() == nil {
			if err := st.extendDeadline(); err != nil {
				return fmt.Errorf("%w: %v", ErrSocketClosed, err)
			}
			if ctx.Err() != nil { // ended meanwhile: keep the close grace, not the idle timeout
				_ = st.conn.SetReadDeadline(time.Now().Add(closeGrace))
			}
		}
		data, problem, err := st.next()
		if err != nil {
			if ctx.Err() != nil {
				return context.Cause(ctx)
			}
			var te interface{ Timeout() bool }
			if errors.As(err, &te) && te.Timeout() {
				return fmt.Errorf("%w for %v", ErrStreamIdle, st.srv.cfg.IdleTimeout)
			}
			if websocket.IsCloseError(err, websocket.CloseNormalClosure, websocket.CloseGoingAway) {
				return ErrSocketClosed
			}
			return fmt.Errorf("%w: %v", ErrSocketClosed, err)
		}
		if ctx.Err() != nil {
			continue // the call is over: drain until Twilio closes
		}
		if problem != nil {
			err = st.fault(problem)
		} else {
			err = st.handle(data)
		}
		if err != nil {
			return err
		}
	}
}

// handle acts on one message; it returns an error only to end the call.
func (st *stream) handle(data []byte) error {
	// Media messages, nearly all the traffic, take an allocation-free path; anything it does
	// not fully understand falls through to DecodeMessage.
	if handled, err := st.handleMedia(data); handled {
		return err
	}
	m := &st.msg
	if err := DecodeMessage(data, m); err != nil {
		return st.fault(err)
	}
	if m.Event != EventStop && !st.noteSeq(m.SequenceNumber) {
		return st.fault(errOutOfOrder)
	}
	switch m.Event {
	case EventMedia:
		if t := m.Media.Track; t != "" && t != "inbound" && t != "inbound_track" {
			st.ignored++
			return nil
		}
		if err := st.in.media(m.Media); err != nil {
			return st.fault(err)
		}
	case EventDTMF:
		st.call.Notify(telephony.Event{Kind: telephony.EventDTMF, Detail: m.DTMF.Digit, At: st.in.now()})
	case EventMark:
		st.sink.markEchoed(m.Mark.Name)
		st.call.Notify(telephony.Event{Kind: telephony.EventMark, Detail: m.Mark.Name, At: st.in.now()})
	case EventStop:
		st.call.Notify(telephony.Event{Kind: telephony.EventStop, At: st.in.now()})
		st.cancel(ErrStopped)
	case EventConnected:
		// harmless repeat
	default: // a second start, or a clear (outbound only)
		return st.fault(fmt.Errorf("%w: unexpected %s", ErrMalformed, m.Event))
	}
	return nil
}

// noteSeq checks that sequence numbers only go up; absent ones pass.
func (st *stream) noteSeq(v string) bool {
	n, ok := parseNumber(v)
	if !ok {
		return true
	}
	if int64(n) <= st.lastSeq || n > 1<<62 {
		return false
	}
	st.lastSeq = int64(n)
	return true
}

// Problems next reports for a message it could not hand over.
var (
	errOversized = fmt.Errorf("%w: message too large", ErrMalformed)
	errBinary    = fmt.Errorf("%w: binary message", ErrMalformed)
)

// next reads one message into the reused buffer. Oversized and binary messages are consumed
// and reported as a problem, not an error: the call goes on.
func (st *stream) next() (data []byte, problem, err error) {
	typ, r, err := st.conn.NextReader()
	if err != nil {
		return nil, nil, err
	}
	limit := int(st.srv.cfg.MaxMessageBytes)
	b := st.buf[:0]
	for {
		if len(b) == cap(b) {
			if len(b) > limit {
				st.buf = b
				if _, err := io.Copy(io.Discard, r); err != nil {
					return nil, nil, err
				}
				return nil, errOversized, nil
			}
			b = append(b, 0)[:len(b)]
		}
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, nil, err
		}
	}
	st.buf = b
	if len(b) > limit {
		return nil, errOversized, nil
	}
	if typ != websocket.TextMessage {
		return nil, errBinary, nil
	}
	return b, nil, nil
}

// summary logs what the call's stream carried.
func (st *stream) summary(cause error) {
	in, out, f := st.in, st.sink.stats(), st.faults
	st.log.Info("twilio call ended", "cause", cause,
		"media_time", in.now(), "chunks_in", in.chunks, "frames_in", in.framesIn,
		"gaps", in.gaps, "gap_fill", media.Duration(media.Rate8k, int(in.gapSamples)), "big_gaps", in.bigGaps,
		"clamped", in.clamped, "clamped_audio", media.Duration(media.Rate8k, int(in.wall.Dropped())),
		"frames_out", out.framesOut, "marks_sent", out.marksSent, "marks_echoed", out.marksEchoed,
		"clears", out.clears, "played", out.played, "ignored", st.ignored,
		"malformed", f.malformed, "unknown", f.unknown, "oversized", f.oversized, "out_of_order", f.outOfOrder)
}
