// Package floor is the benchmark's floor: the least a Twilio Media Streams server can do.
// It answers the voice webhook with a <Connect><Stream>, then on each stream parses every
// message with the same decoder Spar uses and echoes each inbound audio frame straight
// back as an outbound media message. No resampling, no voice detection, no recording, no
// dialog, no storage. `spar bench` runs it under the same simulated load as `spar serve`
// and reports Spar's CPU per call as a multiple of this.
package floor

import (
	"encoding/base64"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"

	"github.com/sparlab/spar/telephony/twilio"
)

// Server echoes Twilio media streams.
type Server struct {
	log      *slog.Logger
	upgrader websocket.Upgrader
	calls    atomic.Int64
	active   atomic.Int64
	frames   atomic.Int64
}

// New returns a Server; log may be nil.
func New(log *slog.Logger) *Server {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Server{log: log, upgrader: websocket.Upgrader{ReadBufferSize: 4096, WriteBufferSize: 4096}}
}

// Register adds the webhook and the media endpoint, at Spar's paths, to mux.
func (s *Server) Register(mux *http.ServeMux) {
	mux.HandleFunc("POST "+twilio.PathVoice, s.serveVoice)
	mux.HandleFunc("GET "+twilio.PathMedia, s.serveMedia)
}

// Stats are counts since the Server started.
type Stats struct{ Calls, Active, Frames int64 }

// Stats returns the counts so far.
func (s *Server) Stats() Stats {
	return Stats{Calls: s.calls.Load(), Active: s.active.Load(), Frames: s.frames.Load()}
}

func (s *Server) serveVoice(w http.ResponseWriter, r *http.Request) {
	n := s.calls.Add(1)
	w.Header().Set("Content-Type", "text/xml")
	fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?><Response><Connect><Stream url="ws://%s%s"><Parameter name="call" value="floor%d"/></Stream></Connect></Response>`,
		r.Host, twilio.PathMedia, n)
}

func (s *Server) serveMedia(w http.ResponseWriter, r *http.Request) {
	conn, err := s.upgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	defer conn.Close()
	s.active.Add(1)
	defer s.active.Add(-1)
	if err := s.echo(conn); err != nil {
		s.log.Debug("floor stream ended", "err", err)
	}
}

// echo runs one stream: read, parse, and for inbound media write the frame back.
func (s *Server) echo(conn *websocket.Conn) error {
	var (
		msg       twilio.Message
		buf       = make([]byte, 0, 1024)
		audio     = make([]byte, 0, 256)
		out       = make([]byte, 0, 512)
		streamSid string
	)
	for {
		typ, rd, err := conn.NextReader()
		if err != nil {
			return err
		}
		if buf, err = readAll(buf[:0], rd); err != nil {
			return err
		}
		if typ != websocket.TextMessage {
			continue
		}
		if err := twilio.DecodeMessage(buf, &msg); err != nil {
			continue
		}
		switch msg.Event {
		case twilio.EventStart:
			streamSid = strings.Clone(msg.StreamSid)
		case twilio.EventStop:
			msg := websocket.FormatCloseMessage(websocket.CloseNormalClosure, "")
			return conn.WriteControl(websocket.CloseMessage, msg, time.Now().Add(time.Second))
		case twilio.EventMedia:
			audio, err = base64.StdEncoding.AppendDecode(audio[:0], []byte(msg.Media.Payload))
			if err != nil {
				continue
			}
			s.frames.Add(1)
			out = append(out[:0], `{"event":"media","streamSid":"`...)
			out = append(out, streamSid...)
			out = append(out, `","media":{"payload":"`...)
			out = base64.StdEncoding.AppendEncode(out, audio)
			out = append(out, `"}}`...)
			if err := conn.WriteMessage(websocket.TextMessage, out); err != nil {
				return err
			}
		}
	}
}

// readAll appends r to b, growing it only when a message is larger than any before.
func readAll(b []byte, r io.Reader) ([]byte, error) {
	for {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return b, err
		}
	}
}
