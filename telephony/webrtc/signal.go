package webrtc

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
	"github.com/pion/webrtc/v4"
)

const (
	outboxSize     = 64              // messages queued for the page; candidates are a handful
	maxBadMessages = 16              // refused messages before the socket is closed
	maxCandidates  = 64              // remote candidates one call may add
	writeTimeout   = 5 * time.Second // for one message or control frame
	closeGrace     = 2 * time.Second // for the page to answer our close frame
)

// serveSignal upgrades PathSignal to the trickle-ICE signaling socket of one call. The
// socket's reader runs in this handler's goroutine, its writer (messages and keepalive
// pings) in a second one; both have stopped when it returns. The call itself is a session
// like any other: it outlives a socket that drops, by DisconnectGrace at most.
func (s *Server) serveSignal(w http.ResponseWriter, r *http.Request) {
	if !s.sockets.add() {
		s.fail(w, r, ErrServerClosed)
		return
	}
	defer s.sockets.done()
	if _, err := s.clientOf(r); err != nil {
		s.fail(w, r, err) // before the upgrade: a socket is only for a page that may call
		return
	}
	conn, err := s.upgrader.Upgrade(w, r, nil)
	if err != nil {
		s.log.Info("webrtc signaling: upgrade refused", "err", err, "origin", r.Header.Get("Origin"))
		return // the upgrader has replied
	}
	k := &socket{srv: s, conn: conn, req: r, log: s.log, out: make(chan Message, outboxSize), done: make(chan struct{})}
	k.serve()
}

// checkOrigin lets a page open the socket from the server's own host or an allowed origin:
// browsers send Origin on every WebSocket, and a cookie session must not be usable from
// another site's page. Clients that are not browsers send none.
func (s *Server) checkOrigin(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	if u, err := url.Parse(origin); err == nil && strings.EqualFold(u.Host, r.Host) {
		return true
	}
	for _, o := range s.cfg.AllowedOrigins {
		if strings.EqualFold(strings.TrimSuffix(o, "/"), origin) {
			return true
		}
	}
	return false
}

// socket is one signaling WebSocket.
type socket struct {
	srv      *Server
	conn     *websocket.Conn
	req      *http.Request
	log      *slog.Logger
	out      chan Message  // to the page: only the writer writes to conn
	done     chan struct{} // closed when the reader stops; the writer then stops too
	awaiting atomic.Bool   // a ping is unanswered

	deadlineMu sync.Mutex // a closing socket's read deadline is never lifted
	closing    bool

	// The reader's own.
	ss         *session
	hungUp     bool
	bad        int
	candidates int
	stopEnded  func() bool
}

func (k *socket) serve() {
	defer k.conn.Close()
	k.conn.SetReadLimit(k.srv.cfg.MaxOfferBytes)
	k.conn.SetPongHandler(func(string) error { k.awaiting.Store(false); return nil })
	stopLife := context.AfterFunc(k.srv.life, func() { k.send(ended(context.Cause(k.srv.life))) })
	defer stopLife()
	wrote := make(chan struct{})
	go func() {
		defer close(wrote)
		k.write()
	}()
	err := k.read()
	close(k.done)
	<-wrote
	k.orphan(err)
}

// send queues m for the page; it never blocks (a page that reads nothing loses messages).
func (k *socket) send(m Message) {
	select {
	case <-k.done:
	case k.out <- m:
	default:
		k.log.Warn("webrtc signaling: outbox full, message dropped", "type", m.Type)
	}
}

func ended(cause error) Message { return Message{Type: MsgEnded, Reason: errorText(cause)} }

// write sends queued messages and keepalive pings. A page that has not answered one ping by
// the next tick is gone: its socket is closed. After an ended message it sends the close
// frame and stops.
func (k *socket) write() {
	tick, stop := k.srv.ticker(k.srv.cfg.PingInterval)
	defer stop()
	for {
		select {
		case <-k.done:
			return
		case m := <-k.out:
			if m.close != 0 {
				k.closeWire(m.close)
				return
			}
			_ = k.conn.SetWriteDeadline(k.srv.now().Add(writeTimeout))
			if err := k.conn.WriteJSON(m); err != nil {
				k.log.Debug("webrtc signaling: write", "err", err)
				_ = k.conn.Close()
				return
			}
			if m.Type == MsgEnded {
				k.closeWire(websocket.CloseNormalClosure)
				return
			}
		case <-tick:
			if k.awaiting.Swap(true) {
				k.log.Info("webrtc signaling: the page stopped answering pings")
				_ = k.conn.Close()
				return
			}
			if err := k.conn.WriteControl(websocket.PingMessage, nil, k.srv.now().Add(writeTimeout)); err != nil {
				_ = k.conn.Close()
				return
			}
		}
	}
}

// closeWire sends a close frame and gives the page closeGrace to answer it.
func (k *socket) closeWire(code int) {
	_ = k.conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, ""), k.srv.now().Add(writeTimeout))
	k.deadlineMu.Lock()
	defer k.deadlineMu.Unlock()
	k.closing = true
	_ = k.conn.SetReadDeadline(k.srv.now().Add(closeGrace))
}

// keepOpen lifts the read deadline of a socket that now carries a call, unless it is closing.
func (k *socket) keepOpen() {
	k.deadlineMu.Lock()
	defer k.deadlineMu.Unlock()
	if !k.closing {
		_ = k.conn.SetReadDeadline(time.Time{})
	}
}

// read handles the page's messages until the socket closes. Until an offer makes a call, the
// socket has ConnectTimeout to send one.
func (k *socket) read() error {
	_ = k.conn.SetReadDeadline(k.srv.now().Add(k.srv.cfg.ConnectTimeout))
	for {
		_, data, err := k.conn.ReadMessage()
		if err != nil {
			return err
		}
		if k.bad >= maxBadMessages {
			continue // closing: the page has yet to answer the close frame
		}
		m, err := decodeMessage(data)
		if err == nil {
			switch m.Type {
			case MsgOffer:
				err = k.offer(m)
			case MsgCandidate:
				err = k.candidate(m)
			case MsgHangup:
				err = k.hangup()
			}
		}
		if err == nil {
			continue
		}
		k.log.Info("webrtc signaling: message refused", "err", err)
		k.send(Message{Type: MsgError, Error: errorText(err)})
		if k.bad++; k.bad >= maxBadMessages {
			k.log.Info("webrtc signaling: too many bad messages, closing the socket")
			k.send(Message{close: websocket.ClosePolicyViolation})
		}
	}
}

// offer answers the page's offer through the same path as PathOffer, then sends the answer
// and, after it, the candidates pion gathers.
func (k *socket) offer(m Message) error {
	if k.ss != nil {
		return ErrCallExists
	}
	tr := &trickler{k: k}
	ss, answer, err := k.srv.answer(k.req, offerRequest{Scenario: m.Scenario, Learner: m.Learner, SDP: m.SDP, Trial: m.Trial}, tr.candidate)
	if err != nil {
		return err
	}
	k.ss, k.log = ss, ss.log
	k.keepOpen() // from now on the keepalive watches the page
	tr.release(Message{Type: MsgAnswer, CallID: ss.call.ID, SDP: answer})
	k.stopEnded = context.AfterFunc(ss.ctx, func() { k.send(ended(context.Cause(ss.ctx))) })
	return nil
}

// candidate adds one of the page's candidates; none is the end of them.
func (k *socket) candidate(m Message) error {
	if k.ss == nil {
		return ErrNoOffer
	}
	if k.candidates++; k.candidates > maxCandidates {
		return fmt.Errorf("%w: more than %d candidates", ErrBadRequest, maxCandidates)
	}
	var c webrtc.ICECandidateInit
	if m.Candidate != nil {
		c = *m.Candidate
	}
	if err := k.ss.pc.AddICECandidate(c); err != nil {
		return fmt.Errorf("%w: candidate: %v", ErrBadRequest, err)
	}
	return nil
}

func (k *socket) hangup() error {
	if k.ss == nil {
		return ErrNoSuchCall
	}
	k.hungUp = true
	k.ss.cancel(ErrLearnerHungUp)
	return nil
}

// orphan handles the socket's end: a live call whose page went without hanging up ends
// with ErrSignalingLost after DisconnectGrace, unless it ends first.
func (k *socket) orphan(err error) {
	if k.ss == nil {
		return
	}
	k.stopEnded()
	ss := k.ss
	if k.hungUp || ss.ctx.Err() != nil {
		return
	}
	k.log.Info("webrtc signaling socket closed without a hang-up", "grace", k.srv.cfg.DisconnectGrace, "err", err)
	t := time.AfterFunc(k.srv.cfg.DisconnectGrace, func() { ss.cancel(ErrSignalingLost) })
	context.AfterFunc(ss.ctx, func() { t.Stop() })
}

// trickler holds the candidates pion gathers until the answer is queued, so the page gets
// the answer first.
type trickler struct {
	k        *socket
	mu       sync.Mutex
	released bool
	held     []Message
}

func (t *trickler) candidate(c *webrtc.ICECandidate) {
	m := CandidateMessage(c)
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.released {
		t.held = append(t.held, m)
		return
	}
	t.k.send(m)
}

func (t *trickler) release(answer Message) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.released = true
	t.k.send(answer)
	for _, m := range t.held {
		t.k.send(m)
	}
	t.held = nil
}

// sockets counts the signaling sockets being served, so that Close can wait for them.
type sockets struct {
	mu     sync.Mutex
	closed bool
	wg     sync.WaitGroup
}

func (g *sockets) add() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed {
		return false
	}
	g.wg.Add(1)
	return true
}

func (g *sockets) done() { g.wg.Done() }

func (g *sockets) close() {
	g.mu.Lock()
	g.closed = true
	g.mu.Unlock()
	g.wg.Wait()
}

func newTicker(d time.Duration) (<-chan time.Time, func()) {
	t := time.NewTicker(d)
	return t.C, t.Stop
}

// errorText is an error as the page shows it.
func errorText(err error) string { return strings.TrimPrefix(err.Error(), "webrtc: ") }
