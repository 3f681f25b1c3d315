package sim

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/gorilla/websocket"

	"github.com/sparlab/spar/media"
	"github.com/sparlab/spar/telephony/twilio"
)

const (
	frameBytes   = 160 // 20 ms of 8 kHz mu-law
	writeTimeout = 5 * time.Second
	closeTimeout = 2 * time.Second // how long to wait for the server's close after ours
)

// session is the caller's side of one Media Stream: the reader goroutine hands it server
// messages, a ticker drives one frame every 20 ms, and it alone writes to the socket.
type session struct {
	conn *websocket.Conn
	ids  callIDs
	res  *Result
	log  *slog.Logger
	p    *printer
	keep bool // append heard audio to res.HeardAudio
	rec  *recorder

	play   playout
	heard  heard
	dir    director[byte]
	seq    int64 // Twilio numbers every message it sends on the stream
	frames int   // frames processed; frame k starts at k*20 ms of media time
	werr   error // first write error

	msg     []byte // reused outbound message
	sendBuf [frameBytes]byte
	playBuf [frameBytes]byte
	pcmSent []int16
	pcmPlay []int16
}

func (s *session) now() time.Duration { return time.Duration(s.frames) * media.FrameDuration }

// run streams until the script hangs up, the server closes the socket, or ctx ends.
func (s *session) run(ctx context.Context, params map[string]string) error {
	s.alloc()
	if err := s.sendStart(params); err != nil {
		s.conn.Close()
		return err
	}
	msgs := make(chan serverMsg, 64)
	quit := make(chan struct{})
	readErr := make(chan error, 1)
	go func() { readErr <- s.read(msgs, quit) }()
	defer func() {
		close(quit)
		s.conn.Close()
		<-readErr
	}()

	ticker := time.NewTicker(media.FrameDuration)
	defer ticker.Stop()
	t0 := time.Now()
	for {
		// Apply what the server already sent, then catch up on every frame due by now: media
		// time stays real time even when a tick was late or dropped.
	drain:
		for {
			select {
			case m := <-msgs:
				s.handle(m)
			default:
				break drain
			}
		}
		due := int(time.Since(t0)/media.FrameDuration) + 1
		for s.frames < due {
			if hang := s.frame(); hang || s.werr != nil {
				return s.hangup(msgs, readErr)
			}
		}
		select {
		case <-ctx.Done():
			return errors.Join(s.hangup(msgs, readErr), context.Cause(ctx))
		case err := <-readErr:
			readErr <- err // for the deferred wait
			s.serverClosed(err)
			return nil
		case m := <-msgs:
			s.handle(m)
			if s.werr != nil {
				return s.hangup(msgs, readErr)
			}
		case <-ticker.C:
		}
	}
}

func (s *session) serverClosed(err error) {
	s.res.ServerClosed = true
	s.log.Debug("server closed the stream", "err", err)
	s.p.printf("<- persona hung up")
}

// alloc makes the buffers every frame reuses.
func (s *session) alloc() {
	s.pcmSent = make([]int16, 0, frameBytes)
	s.pcmPlay = make([]int16, 0, frameBytes)
	s.msg = make([]byte, 0, 512)
}

// read runs in its own goroutine until the socket fails or closes, or quit is closed.
func (s *session) read(msgs chan<- serverMsg, quit <-chan struct{}) error {
	for {
		ft, b, err := s.conn.ReadMessage()
		if err != nil {
			return err
		}
		select {
		case msgs <- decodeServerMsg(ft, b, s.ids.StreamSid):
		case <-quit:
			return nil
		}
	}
}

// handle applies one server message to the playout.
func (s *session) handle(m serverMsg) {
	switch m.event {
	case twilio.EventMedia:
		s.res.FramesReceived++
		s.res.BytesReceived += len(m.audio)
		s.play.write(m.audio)
	case twilio.EventMark:
		if s.play.mark(m.name) {
			s.echo(m.name)
		}
	case twilio.EventClear:
		s.res.Clears++
		if s.play.clear(s.echo) > 0 && s.heard.cut(s.now()) {
			s.p.printf("(persona interrupted: clear)")
		}
	default:
		s.res.Malformed++
		s.log.Warn("malformed message from server", "fault", m.fault)
	}
}

// frame plays one frame of persona audio and sends one frame of caller audio.
func (s *session) frame() (hangup bool) {
	now := s.now()
	n := s.play.tick(s.playBuf[:], s.echo)
	for i := n; i < frameBytes; i++ {
		s.playBuf[i] = mulawSilence
	}
	s.pcmPlay = media.DecodeMulaw(s.pcmPlay, s.playBuf[:])
	if s.heard.frame(now, s.pcmPlay) {
		s.p.printf("<- persona speaking")
	}
	digit, hangup := s.dir.frame(now, &s.heard, s.sendBuf[:])
	if hangup {
		return true
	}
	s.sendMedia(now)
	if digit != 0 {
		s.sendDTMF(digit)
	}
	if s.keep || s.rec != nil {
		if s.keep {
			s.res.HeardAudio = append(s.res.HeardAudio, s.pcmPlay...)
		}
		if s.rec != nil {
			s.pcmSent = media.DecodeMulaw(s.pcmSent, s.sendBuf[:])
			if err := s.rec.write(s.pcmSent, s.pcmPlay); err != nil {
				s.log.Warn("recording failed", "err", err)
				s.rec.fail()
			}
		}
	}
	s.frames++
	return false
}

// sendMedia writes one inbound media message built in place, without allocating.
func (s *session) sendMedia(now time.Duration) {
	s.seq++
	s.res.FramesSent++
	b := append(s.msg[:0], `{"event":"media","sequenceNumber":"`...)
	b = strconv.AppendInt(b, s.seq, 10)
	b = append(b, `","media":{"track":"inbound","chunk":"`...)
	b = strconv.AppendInt(b, int64(s.res.FramesSent), 10)
	b = append(b, `","timestamp":"`...)
	b = strconv.AppendInt(b, now.Milliseconds(), 10)
	b = append(b, `","payload":"`...)
	b = base64.StdEncoding.AppendEncode(b, s.sendBuf[:])
	b = append(b, `"},"streamSid":"`...)
	b = append(b, s.ids.StreamSid...)
	b = append(b, `"}`...)
	s.msg = b
	s.write(b)
}

func (s *session) sendDTMF(digit byte) {
	s.seq++
	s.send(twilio.Message{Event: twilio.EventDTMF, SequenceNumber: strconv.FormatInt(s.seq, 10),
		StreamSid: s.ids.StreamSid, DTMF: &twilio.DTMFPayload{Track: "inbound_track", Digit: string(digit)}})
}

// echo returns a mark to the server: its audio has been played (or cleared). Servers may
// mark every frame, so it is built in place like media.
func (s *session) echo(name string) {
	s.seq++
	s.res.Marks++
	b := append(s.msg[:0], `{"event":"mark","sequenceNumber":"`...)
	b = strconv.AppendInt(b, s.seq, 10)
	b = append(b, `","streamSid":"`...)
	b = append(b, s.ids.StreamSid...)
	b = append(b, `","mark":{"name":`...)
	b = appendJSONString(b, name)
	b = append(b, `}}`...)
	s.msg = b
	s.write(b)
}

// appendJSONString appends s as a JSON string. s came from a decoded JSON message, so it is
// valid UTF-8; only quotes, backslashes and control characters need escaping.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c < 0x20:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}

func (s *session) sendStart(params map[string]string) error {
	s.send(twilio.Message{Event: twilio.EventConnected, Protocol: "Call", Version: "1.0.0"})
	s.seq++
	s.send(twilio.Message{Event: twilio.EventStart, SequenceNumber: strconv.FormatInt(s.seq, 10),
		StreamSid: s.ids.StreamSid, Start: &twilio.StartPayload{
			AccountSid:       s.ids.AccountSid,
			StreamSid:        s.ids.StreamSid,
			CallSid:          s.ids.CallSid,
			Tracks:           []string{"inbound"},
			MediaFormat:      twilio.MediaFormat{Encoding: "audio/x-mulaw", SampleRate: media.Rate8k, Channels: 1},
			CustomParameters: params,
		}})
	return s.werr
}

// hangup ends the stream as Twilio does when the caller hangs up: stop, then a close frame,
// then a short wait for the server's close. If writing had failed because the server went
// away first, that is the persona hanging up, not an error.
func (s *session) hangup(msgs <-chan serverMsg, readErr chan error) error {
	if s.werr == nil {
		s.seq++
		s.send(twilio.Message{Event: twilio.EventStop, SequenceNumber: strconv.FormatInt(s.seq, 10),
			StreamSid: s.ids.StreamSid, Stop: &twilio.StopPayload{AccountSid: s.ids.AccountSid, CallSid: s.ids.CallSid}})
		msg := websocket.FormatCloseMessage(websocket.CloseNormalClosure, "")
		s.conn.WriteControl(websocket.CloseMessage, msg, time.Now().Add(closeTimeout))
	}
	timer := time.NewTimer(closeTimeout)
	defer timer.Stop()
	for {
		select {
		case <-msgs: // after stop, Twilio ignores what the server sends
		case err := <-readErr:
			readErr <- err
			if s.werr != nil {
				s.serverClosed(err)
				return nil
			}
			return nil
		case <-timer.C:
			return s.werr
		}
	}
}

func (s *session) send(m twilio.Message) {
	b, err := json.Marshal(m)
	if err != nil {
		s.werr = fmt.Errorf("sim: encode %s: %w", m.Event, err)
		return
	}
	s.write(b)
}

func (s *session) write(b []byte) {
	if s.werr != nil {
		return
	}
	s.conn.SetWriteDeadline(time.Now().Add(writeTimeout))
	if err := s.conn.WriteMessage(websocket.TextMessage, b); err != nil {
		s.werr = fmt.Errorf("sim: write stream: %w", err)
	}
}
