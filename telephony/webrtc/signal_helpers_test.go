package webrtc

import (
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/pion/webrtc/v4"
)

// wsClient is a page's side of the signaling socket: a reader goroutine queues what the
// server sends; msgs closes when the socket does, err then holds why.
type wsClient struct {
	t    *testing.T
	conn *websocket.Conn
	mu   sync.Mutex
	msgs chan Message
	err  error
}

// dialWS opens PathSignal; tune, if given, adjusts the connection before its reader starts.
func dialWS(t *testing.T, base string, header http.Header, tune ...func(*websocket.Conn)) *wsClient {
	t.Helper()
	conn, resp, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(base, "http")+PathSignal, header)
	if err != nil {
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		t.Fatalf("dial signaling socket: %v (HTTP %d)", err, status)
	}
	for _, f := range tune {
		f(conn)
	}
	c := &wsClient{t: t, conn: conn, msgs: make(chan Message, 256)}
	go func() {
		defer close(c.msgs)
		for {
			_, data, err := conn.ReadMessage()
			if err != nil {
				c.err = err
				return
			}
			var m Message
			if err := json.Unmarshal(data, &m); err != nil {
				t.Errorf("server sent %q: %v", data, err)
			}
			c.msgs <- m
		}
	}()
	t.Cleanup(func() {
		conn.Close()
		for range c.msgs {
		}
	})
	return c
}

func (c *wsClient) send(m Message) {
	c.t.Helper()
	b, _ := json.Marshal(m)
	c.sendRaw(string(b))
}

func (c *wsClient) sendRaw(s string) {
	c.t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.conn.WriteMessage(websocket.TextMessage, []byte(s)); err != nil {
		c.t.Fatalf("send: %v", err)
	}
}

// next returns the server's next message.
func (c *wsClient) next() Message {
	c.t.Helper()
	select {
	case m, ok := <-c.msgs:
		if !ok {
			c.t.Fatalf("the socket closed: %v", c.err)
		}
		return m
	case <-time.After(10 * time.Second):
		c.t.Fatal("no message from the server")
	}
	return Message{}
}

// closed waits for the socket to close, skipping messages, and returns the close error.
func (c *wsClient) closed() error {
	c.t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case _, ok := <-c.msgs:
			if !ok {
				return c.err
			}
		case <-deadline:
			c.t.Fatal("the socket stayed open")
		}
	}
}

// closeCode is the WebSocket close code in err, or 0.
func closeCode(err error) int {
	if ce, ok := err.(*websocket.CloseError); ok {
		return ce.Code
	}
	return 0
}

// trickleOffer adds the send track and returns the offer at once, with the candidates to
// trickle (nil last).
func (p *peer) trickleOffer() (string, <-chan *webrtc.ICECandidate) {
	p.t.Helper()
	p.addMic()
	cands := make(chan *webrtc.ICECandidate, 64)
	p.pc.OnICECandidate(func(c *webrtc.ICECandidate) { cands <- c })
	p.setOffer()
	return p.pc.LocalDescription().SDP, cands
}

// signalCall places a call from p over c with trickle ICE both ways and returns its ID and
// how many candidates the server trickled.
func signalCall(t *testing.T, p *peer, c *wsClient, learner string) (string, int) {
	t.Helper()
	sdp, cands := p.trickleOffer()
	c.send(Message{Type: MsgOffer, Scenario: "double-charge", Learner: learner, SDP: sdp})
	ans := c.next()
	if ans.Type != MsgAnswer || ans.CallID == "" || ans.SDP == "" {
		t.Fatalf("first message %+v, want the answer", ans)
	}
	p.accept(ans.SDP)
	for cand := range cands {
		c.send(CandidateMessage(cand)) // nil last: end of candidates
		if cand == nil {
			break
		}
	}
	trickled := 0
	for {
		m := c.next()
		if m.Type != MsgCandidate {
			t.Fatalf("got %+v, want the server's candidates", m)
		}
		if m.Candidate == nil {
			break
		}
		trickled++
		if err := p.pc.AddICECandidate(*m.Candidate); err != nil {
			t.Fatalf("add the server's candidate %q: %v", m.Candidate.Candidate, err)
		}
	}
	p.waitConnected()
	return ans.CallID, trickled
}

// recv waits for a value on ch.
func recv[T any](t *testing.T, what string, ch <-chan T) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(10 * time.Second):
		t.Fatalf("timed out waiting for %s", what)
	}
	var zero T
	return zero
}

// tick hands the keepalive one tick.
func tick(t *testing.T, ticks chan<- time.Time) {
	t.Helper()
	select {
	case ticks <- time.Now():
	case <-time.After(10 * time.Second):
		t.Fatal("the keepalive took no tick")
	}
}
