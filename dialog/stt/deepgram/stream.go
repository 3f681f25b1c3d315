package deepgram

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"github.com/sparlab/spar/dialog"
	"github.com/sparlab/spar/media"
)

// queueFrames is how many frames of audio (or control messages) wait for the network: 2 s.
const queueFrames = 100

// writeTimeout bounds one write to Deepgram: far above a healthy network's, far below a call.
const writeTimeout = 5 * time.Second

// item is one queued frame: audio bytes, or a control message when ctl is set.
type item struct {
	buf *[]byte
	ctl []byte
}

// stream is one call's Deepgram connection. Write and Flush come from the engine's reader
// goroutine; a writer goroutine owns sending, a reader goroutine owns receiving.
type stream struct {
	t       *Transcriber
	conn    *websocket.Conn
	queue   chan item
	free    chan *[]byte // audio buffers not in the queue
	results chan dialog.Transcript
	done    chan struct{} // closed by Close
	readEnd chan struct{} // closed when the reader returns
	wg      sync.WaitGroup
	cancel  context.CancelFunc

	// Audio conversion, used only by Write.
	narrow bool
	res    *media.Resampler
	cur    []byte

	mu        sync.Mutex // guards the utterance state and sends on results
	pending   []string   // is_final segments of the current utterance
	conf      wordMean   // their confidences
	flushes   []time.Time
	endSeen   bool // Deepgram marked the end of speech (speech_final or UtteranceEnd) and no words since
	closed    bool
	closeOnce sync.Once
}

func newStream(ctx context.Context, t *Transcriber, conn *websocket.Conn, narrow bool) (*stream, error) {
	s := &stream{t: t, conn: conn, narrow: narrow,
		queue: make(chan item, queueFrames+16), free: make(chan *[]byte, queueFrames),
		results: make(chan dialog.Transcript, 64), done: make(chan struct{}), readEnd: make(chan struct{})}
	for range queueFrames {
		b := make([]byte, 0, 640)
		s.free <- &b
	}
	if narrow {
		r, err := media.NewResampler(media.WriterFunc(s.encodeMulaw), media.Rate16k, media.Rate8k)
		if err != nil {
			conn.Close()
			return nil, err
		}
		s.res = r
	}
	ctx, s.cancel = context.WithCancel(ctx)
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	s.wg.Add(2)
	go func() { defer s.wg.Done(); s.writeLoop(ctx) }()
	go func() {
		defer s.wg.Done()
		defer stop()
		s.readLoop()
	}()
	return s, nil
}

// encodeMulaw receives the resampler's 8 kHz output and appends it to the frame in progress.
func (s *stream) encodeMulaw(p []int16) error {
	for _, v := range p {
		s.cur = append(s.cur, media.MulawEncode(v))
	}
	return nil
}

// Write queues 16 kHz PCM. A full queue (the network is stalled) drops the frame.
func (s *stream) Write(p []int16) error {
	if s.isClosed() {
		return ErrClosed
	}
	var buf *[]byte
	select {
	case buf = <-s.free:
	default:
		s.t.fault("queue_full")
		return nil
	}
	b := (*buf)[:0]
	if s.narrow {
		s.cur = b
		if err := s.res.WriteSample(p); err != nil {
			s.free <- buf
			return err
		}
		b = s.cur
	} else {
		for _, v := range p {
			b = append(b, byte(v), byte(uint16(v)>>8))
		}
	}
	*buf = b
	s.queue <- item{buf: buf}
	return nil
}

// Flush ends the utterance. If Deepgram already marked its end and nothing was heard since,
// the final goes out at once; otherwise Finalize makes Deepgram send it.
func (s *stream) Flush() error {
	if s.isClosed() {
		return ErrClosed
	}
	s.mu.Lock()
	s.flushes = append(s.flushes, time.Now())
	if s.endSeen && len(s.flushes) == 1 {
		s.final()
		s.mu.Unlock()
		return nil
	}
	s.mu.Unlock()
	// Never block the caller (the transport's reader): with the queue full the network is
	// stalled, and the final will not come either way.
	select {
	case s.queue <- item{ctl: msgFinalize}:
		return nil
	case <-s.done:
		return ErrClosed
	default:
		s.t.fault("queue_full")
		return ErrStalled
	}
}

func (s *stream) Results() <-chan dialog.Transcript { return s.results }

// Close sends CloseStream, waits up to Config.CloseTimeout for Deepgram's last results and
// the server's close, then drops the connection.
func (s *stream) Close() error {
	s.closeOnce.Do(func() {
		s.mu.Lock()
		s.closed = true
		s.mu.Unlock()
		close(s.done)
		t := time.NewTimer(s.t.cfg.CloseTimeout)
		defer t.Stop()
		select {
		case <-s.readEnd:
		case <-t.C:
		}
		s.cancel()
		s.wg.Wait()
	})
	return nil
}

// isClosed reports whether Close was called or the connection ended.
func (s *stream) isClosed() bool {
	select {
	case <-s.readEnd:
		return true
	default:
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closed
}

// writeLoop sends queued audio and control messages in order, a KeepAlive whenever nothing
// was sent for Config.KeepAlive, and CloseStream after the queue drains at Close.
func (s *stream) writeLoop(ctx context.Context) {
	keep := time.NewTimer(s.t.cfg.KeepAlive)
	defer keep.Stop()
	send := func(typ int, b []byte) bool {
		// A vendor that stops reading must not hold this goroutine (and the frames queued
		// behind it) forever: a write that cannot finish in writeTimeout ends the stream,
		// and the reader sees the connection close.
		_ = s.conn.SetWriteDeadline(time.Now().Add(writeTimeout))
		if err := s.conn.WriteMessage(typ, b); err != nil {
			s.t.fault("write_stalled")
			s.conn.Close()
			return false
		}
		keep.Reset(s.t.cfg.KeepAlive)
		return true
	}
	for {
		select {
		case it := <-s.queue:
			ok := true
			if it.ctl != nil {
				ok = send(websocket.TextMessage, it.ctl)
			} else {
				ok = send(websocket.BinaryMessage, *it.buf)
				s.free <- it.buf
			}
			if !ok {
				return
			}
		case <-keep.C:
			if !send(websocket.TextMessage, msgKeepAlive) {
				return
			}
		case <-s.done:
			s.drain(send)
			send(websocket.TextMessage, msgCloseStream)
			<-ctx.Done()
			return
		case <-ctx.Done():
			return
		}
	}
}

// drain sends what was queued before Close, so the last utterance is heard whole.
func (s *stream) drain(send func(int, []byte) bool) {
	for {
		select {
		case it := <-s.queue:
			if it.ctl != nil {
				send(websocket.TextMessage, it.ctl)
				continue
			}
			send(websocket.BinaryMessage, *it.buf)
			s.free <- it.buf
		default:
			return
		}
	}
}

// readLoop handles Deepgram's messages until the connection ends, then closes Results.
func (s *stream) readLoop() {
	defer close(s.readEnd)
	defer close(s.results)
	for {
		_, b, err := s.conn.ReadMessage()
		if err != nil {
			var ce *websocket.CloseError
			s.mu.Lock()
			closing := s.closed
			s.mu.Unlock()
			switch {
			case closing:
			case errors.As(err, &ce) && ce.Code == websocket.CloseNormalClosure:
				s.t.log.Warn("deepgram: stream closed by the server", "reason", ce.Text)
				s.t.fault("disconnect")
			default:
				s.t.log.Warn("deepgram: stream ended", "err", err)
				s.t.fault("disconnect")
			}
			return
		}
		s.handleRaw(b)
	}
}

func (s *stream) handleRaw(b []byte) {
	var m message
	if err := json.Unmarshal(b, &m); err != nil {
		s.t.log.Warn("deepgram: bad message", "err", err)
		return
	}
	s.handle(&m)
}

func (s *stream) handle(m *message) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch m.Type {
	case "Results":
		text, conf, scored := m.best()
		text = strings.TrimSpace(text)
		if !m.IsFinal {
			if text == "" {
				return // silence or noise: nothing to show
			}
			s.endSeen = false
			s.send(dialog.Transcript{Text: s.joined(text)})
			return
		}
		if text != "" {
			s.pending = append(s.pending, text)
			if scored {
				s.conf.add(conf, text)
			}
			s.endSeen = false
		}
		switch {
		case len(s.flushes) > 0 && (m.FromFinalize || m.SpeechFinal):
			s.final()
		case m.SpeechFinal:
			s.endSeen = true
		}
	case "UtteranceEnd":
		if len(s.flushes) > 0 {
			s.final()
		} else {
			s.endSeen = true
		}
	}
}

// final sends the current utterance's transcript for the oldest unanswered Flush.
func (s *stream) final() {
	at := s.flushes[0]
	s.flushes = s.flushes[1:]
	tr := dialog.Transcript{Text: s.joined(""), Final: true, Confidence: s.conf.mean()}
	s.pending, s.endSeen, s.conf = s.pending[:0], false, wordMean{}
	s.send(tr)
	if s.t.hooks.Final != nil {
		s.t.hooks.Final(time.Since(at))
	}
}

func (s *stream) joined(extra string) string {
	if extra == "" {
		return strings.Join(s.pending, " ")
	}
	if len(s.pending) == 0 {
		return extra
	}
	return strings.Join(s.pending, " ") + " " + extra
}

// send delivers a transcript unless the stream is closing and nobody reads any more.
func (s *stream) send(tr dialog.Transcript) {
	select {
	case s.results <- tr:
	case <-s.done:
	}
}

// wordMean is the confidence of an utterance assembled from several is_final segments: the
// mean of the segments' confidences weighted by their number of words, so that a long,
// well-heard segment outweighs a short doubtful one and the result reads as a per-word
// average. Segments Deepgram gave no confidence for are left out.
type wordMean struct {
	sum   float64 // confidence x words
	words int
}

func (w *wordMean) add(confidence float64, text string) {
	n := 0
	for range strings.FieldsSeq(text) {
		n++
	}
	w.sum += confidence * float64(n)
	w.words += n
}

// mean is the weighted mean, 0 when no segment was scored.
func (w *wordMean) mean() float64 {
	if w.words == 0 {
		return 0
	}
	return dialog.ClampConfidence(w.sum / float64(w.words))
}
