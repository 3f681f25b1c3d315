package webrtc

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/sparlab/spar/telephony"
)

func TestSignalCall(t *testing.T) {
	rec := newRecorder(25)
	causes := make(chan error, 1)
	infos := make(chan telephony.Info, 1)
	handler := toneHandler(rec, 50, true, causes)
	s, base := startServer(t, testConfig(), func(ctx context.Context, c *telephony.Call) error {
		infos <- c.Info
		return handler(ctx, c)
	})
	p := newPeer(t)
	c := dialWS(t, base, nil)
	id, trickled := signalCall(t, p, c, "Ada")
	if trickled == 0 {
		t.Error("the server trickled no candidate")
	}
	p.sendTone(50)
	// All 50 persona frames arrive (the handler is then done writing); most are loud.
	waitFor(t, "persona audio at the peer", func() bool { return p.packets.Load() >= 50 && p.voiced.Load() >= 40 },
		func() string { return fmt.Sprintf("packets %d voiced %d", p.packets.Load(), p.voiced.Load()) })
	c.send(Message{Type: MsgHangup})
	if m := c.next(); m.Type != MsgEnded || m.Reason != "learner hung up" {
		t.Errorf("after the hang-up: %+v, want ended by the learner", m)
	}
	if err := waitCause(t, causes); !errors.Is(err, telephony.ErrFarEndHangup) {
		t.Errorf("cause = %v, want the learner's hang-up", err)
	}
	if err := c.closed(); closeCode(err) != websocket.CloseNormalClosure {
		t.Errorf("socket closed with %v, want a normal close", err)
	}
	if info := <-infos; info.ID != id || info.Learner != "guest:Ada" || info.Transport != "webrtc" {
		t.Errorf("info = %+v", info)
	}
	waitFor(t, "the call to end", func() bool { return s.Active() == 0 })
}

func TestSignalBadInput(t *testing.T) {
	rec := newRecorder(1 << 30)
	causes := make(chan error, 8)
	s, base := startServer(t, testConfig(), toneHandler(rec, 0, true, causes))
	live := dialWS(t, base, nil)
	signalCall(t, newPeer(t), live, "Ada")
	for _, tc := range []struct {
		name string
		c    func(t *testing.T) *wsClient
		send func(t *testing.T, c *wsClient)
		want string
	}{
		{"garbage json", nil, func(_ *testing.T, c *wsClient) { c.sendRaw("{sdp:") }, "not JSON"},
		{"no type", nil, func(_ *testing.T, c *wsClient) { c.sendRaw(`{"sdp":"v=0"}`) }, "has no type"},
		{"unknown type", nil, func(_ *testing.T, c *wsClient) { c.sendRaw(`{"type":"renegotiate"}`) }, `unknown message type "renegotiate"`},
		{"answer from the page", nil, func(_ *testing.T, c *wsClient) { c.sendRaw(`{"type":"answer","sdp":"v=0"}`) }, "unknown message type"},
		{"candidate before offer", nil, func(_ *testing.T, c *wsClient) {
			c.sendRaw(`{"type":"candidate","candidate":{"candidate":"candidate:1 1 udp 1 127.0.0.1 9 typ host","sdpMid":"0"}}`)
		}, "send an offer first"},
		{"hangup before offer", nil, func(_ *testing.T, c *wsClient) { c.send(Message{Type: MsgHangup}) }, "no such live call"},
		{"unknown scenario", nil, func(t *testing.T, c *wsClient) {
			c.send(Message{Type: MsgOffer, Scenario: "nope", SDP: newPeer(t).offer(true)})
		}, "unknown scenario"},
		{"offer without audio", nil, func(t *testing.T, c *wsClient) {
			c.send(Message{Type: MsgOffer, Scenario: "double-charge", SDP: newPeer(t).offer(false)})
		}, "no audio"},
		{"second offer", func(*testing.T) *wsClient { return live }, func(t *testing.T, c *wsClient) {
			c.send(Message{Type: MsgOffer, Scenario: "double-charge", SDP: newPeer(t).offer(true)})
		}, "already has a session"},
		{"bad candidate on a call", func(*testing.T) *wsClient { return live }, func(_ *testing.T, c *wsClient) {
			c.sendRaw(`{"type":"candidate","candidate":{"candidate":"candidate:this is not one","sdpMid":"0"}}`)
		}, "candidate"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := live
			if tc.c == nil {
				c = dialWS(t, base, nil)
			}
			tc.send(t, c)
			if m := c.next(); m.Type != MsgError || !strings.Contains(m.Error, tc.want) {
				t.Errorf("got %+v, want an error with %q", m, tc.want)
			}
		})
	}
	t.Run("oversized message", func(t *testing.T) {
		c := dialWS(t, base, nil)
		// The server closes while this is still being written: the write itself may fail,
		// and the close frame may be lost to the reset that unread bytes cause.
		_ = c.conn.WriteMessage(websocket.TextMessage, []byte(`{"type":"offer","sdp":"`+strings.Repeat("a", 70<<10)+`"}`))
		err := c.closed()
		if code := closeCode(err); code != websocket.CloseMessageTooBig && (code != 0 || !strings.Contains(err.Error(), "reset")) {
			t.Errorf("socket closed with %v, want 1009 (or a reset)", err)
		}
	})
	t.Run("too many bad messages", func(t *testing.T) {
		c := dialWS(t, base, nil)
		for range maxBadMessages {
			c.sendRaw("[")
		}
		errs := 0
		for m := range c.msgs {
			if m.Type == MsgError {
				errs++
			}
		}
		if closeCode(c.err) != websocket.ClosePolicyViolation || errs != maxBadMessages {
			t.Errorf("%d errors, then %v; want %d and a policy-violation close", errs, c.err, maxBadMessages)
		}
	})
	if n := s.Active(); n != 1 {
		t.Errorf("%d live calls, want only the good one", n)
	}
	s.Drain()
	c := dialWS(t, base, nil)
	c.send(Message{Type: MsgOffer, Scenario: "double-charge", SDP: newPeer(t).offer(true)})
	if m := c.next(); m.Type != MsgError || !strings.Contains(m.Error, "draining") {
		t.Errorf("offer while draining: %+v", m)
	}
	live.send(Message{Type: MsgHangup})
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	if err := s.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	if err := waitCause(t, causes); !errors.Is(err, telephony.ErrFarEndHangup) {
		t.Errorf("live call cause = %v", err)
	}
}

// A page that goes without hanging up (tab closed, network gone) ends its call after the
// disconnect grace, with its own reason.
func TestSignalDropped(t *testing.T) {
	for _, tc := range []struct {
		name string
		drop func(c *wsClient)
	}{
		{"socket closed", func(c *wsClient) {
			_ = c.conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseGoingAway, ""), time.Now().Add(time.Second))
		}},
		{"connection lost", func(c *wsClient) { c.conn.NetConn().Close() }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := newRecorder(10)
			causes := make(chan error, 1)
			s, base := startServer(t, testConfig(), toneHandler(rec, 5, true, causes))
			p := newPeer(t)
			c := dialWS(t, base, nil)
			signalCall(t, p, c, "Ada")
			p.sendTone(50)
			recv(t, "loud learner audio", rec.loud)
			tc.drop(c)
			if err := waitCause(t, causes); !errors.Is(err, ErrSignalingLost) {
				t.Errorf("cause = %v, want ErrSignalingLost", err)
			}
			waitFor(t, "the call to end", func() bool { return s.Active() == 0 })
		})
	}
}

func TestSignalKeepalive(t *testing.T) {
	for _, tc := range []struct {
		name   string
		answer bool
	}{
		{"page answers pings", true},
		{"page is gone", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ticks := make(chan time.Time)
			_, base := startServer(t, testConfig(), func(context.Context, *telephony.Call) error { return nil },
				func(s *Server) {
					s.ticker = func(time.Duration) (<-chan time.Time, func()) { return ticks, func() {} }
				})
			pinged := make(chan struct{}, 4)
			c := dialWS(t, base, nil, func(conn *websocket.Conn) {
				conn.SetPingHandler(func(data string) error {
					defer func() { pinged <- struct{}{} }() // after the pong is on the wire
					if !tc.answer {
						return nil
					}
					return conn.WriteControl(websocket.PongMessage, []byte(data), time.Now().Add(time.Second))
				})
			})
			for range 3 {
				tick(t, ticks)
				if !tc.answer {
					break
				}
				recv(t, "a ping", pinged)
				// The server reads in order: by the reply to this, it has read the pong.
				c.sendRaw("[")
				if m := c.next(); m.Type != MsgError {
					t.Fatalf("got %+v", m)
				}
			}
			if tc.answer {
				return
			}
			recv(t, "a ping", pinged)
			tick(t, ticks) // the first ping is still unanswered
			if err := c.closed(); err == nil {
				t.Error("the socket closed without an error")
			}
		})
	}
}

func TestSignalOrigin(t *testing.T) {
	cfg := testConfig()
	cfg.AllowedOrigins = []string{"https://learn.example.com"}
	_, base := startServer(t, cfg, func(context.Context, *telephony.Call) error { return nil })
	for _, tc := range []struct {
		origin string
		status int
	}{
		{"", http.StatusSwitchingProtocols},
		{base, http.StatusSwitchingProtocols},
		{"https://learn.example.com", http.StatusSwitchingProtocols},
		{"https://evil.example.com", http.StatusForbidden},
		{"null", http.StatusForbidden},
	} {
		t.Run(tc.origin, func(t *testing.T) {
			h := http.Header{}
			if tc.origin != "" {
				h.Set("Origin", tc.origin)
			}
			conn, resp, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(base, "http")+PathSignal, h)
			if conn != nil {
				conn.Close()
			}
			if resp == nil || resp.StatusCode != tc.status {
				t.Errorf("dial: %v %v, want HTTP %d", resp, err, tc.status)
			}
		})
	}
}
