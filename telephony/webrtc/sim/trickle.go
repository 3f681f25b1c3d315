package sim

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"
	"github.com/pion/webrtc/v4"

	signal "github.com/sparlab/spar/telephony/webrtc"
)

// socket is the caller's signaling WebSocket: a reader goroutine applies the server's
// candidates and notes the end of the call; writes take turns under mu.
type socket struct {
	conn     *websocket.Conn
	mu       sync.Mutex
	answered chan signal.Message // the answer or the refusal, once
	done     chan struct{}       // the reader has stopped
	held     []signal.Message    // our candidates gathered before the offer went out, under mu
	offered  bool
}

// signalWS offers over the WebSocket and trickles candidates both ways: the offer goes out
// before gathering ends, as a browser's does.
func (c *caller) signalWS(ctx context.Context, cfg Config, res *Result) error {
	url := "ws" + strings.TrimPrefix(cfg.BaseURL, "http") + signal.PathSignal
	d := websocket.Dialer{Proxy: http.ProxyFromEnvironment, HandshakeTimeout: 45 * time.Second, Jar: c.hc.Jar}
	conn, resp, err := d.DialContext(ctx, url, cfg.Header)
	if err != nil {
		if resp != nil {
			return fmt.Errorf("%w: signaling socket: %s", ErrRefused, resp.Status)
		}
		return fmt.Errorf("webrtc sim: signaling socket: %w", err)
	}
	k := &socket{conn: conn, answered: make(chan signal.Message, 1), done: make(chan struct{})}
	c.ws = k
	c.pc.OnICECandidate(func(cand *webrtc.ICECandidate) {
		m := signal.CandidateMessage(cand)
		k.mu.Lock()
		defer k.mu.Unlock()
		if !k.offered {
			k.held = append(k.held, m)
			return
		}
		_ = k.conn.WriteJSON(m)
	})
	go k.read(c)
	offer, err := c.pc.CreateOffer(nil)
	if err != nil {
		return fmt.Errorf("webrtc sim: offer: %w", err)
	}
	if err := c.pc.SetLocalDescription(offer); err != nil {
		return fmt.Errorf("webrtc sim: offer: %w", err)
	}
	k.mu.Lock()
	err = k.conn.WriteJSON(signal.Message{Type: signal.MsgOffer, Scenario: cfg.Scenario, Learner: cfg.Learner, SDP: c.pc.LocalDescription().SDP})
	for _, m := range k.held {
		if err == nil {
			err = k.conn.WriteJSON(m)
		}
	}
	k.offered, k.held = true, nil
	k.mu.Unlock()
	if err != nil {
		return fmt.Errorf("webrtc sim: send offer: %w", err)
	}
	select {
	case m := <-k.answered:
		if m.Type != signal.MsgAnswer {
			return fmt.Errorf("%w: %s", ErrRefused, m.Error)
		}
		res.CallID = m.CallID
		return nil
	case <-k.done:
		return errors.New("webrtc sim: the signaling socket closed before the answer")
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}

// read handles the server's messages until the socket closes.
func (k *socket) read(c *caller) {
	defer close(k.done)
	answered := false
	for {
		var m signal.Message
		if err := k.conn.ReadJSON(&m); err != nil {
			return
		}
		switch {
		case m.Type == signal.MsgAnswer && !answered:
			answered = true
			if err := c.pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: m.SDP}); err != nil {
				m = signal.Message{Type: signal.MsgError, Error: "bad answer: " + err.Error()}
			}
			k.answered <- m
		case m.Type == signal.MsgError && !answered:
			answered = true
			k.answered <- m
		case m.Type == signal.MsgCandidate:
			var init webrtc.ICECandidateInit
			if m.Candidate != nil {
				init = *m.Candidate
			}
			_ = c.pc.AddICECandidate(init)
		case m.Type == signal.MsgEnded:
			c.goneOne.Do(func() { close(c.gone) })
		}
	}
}

// hangup tells the server the learner hung up; the caller's close then closes the socket.
func (k *socket) hangup() {
	k.mu.Lock()
	defer k.mu.Unlock()
	_ = k.conn.SetWriteDeadline(time.Now().Add(5 * time.Second))
	_ = k.conn.WriteJSON(signal.Message{Type: signal.MsgHangup})
}

// close sends a close frame, waits a little for the server's, and stops the reader.
func (k *socket) close() {
	_ = k.conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(time.Second))
	t := time.NewTimer(2 * time.Second)
	defer t.Stop()
	select {
	case <-k.done:
	case <-t.C:
	}
	k.conn.Close()
	<-k.done
}
