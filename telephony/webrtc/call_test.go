package webrtc

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/pion/webrtc/v4"

	"github.com/sparlab/spar/telephony"
)

// call places one call from p and returns its ID.
func call(t *testing.T, p *peer, base string) string {
	t.Helper()
	status, body := post(t, base+PathOffer, offerRequest{Scenario: "double-charge", Learner: "Ada  <b>Lovelace</b>", SDP: p.offer(true)})
	if status != 200 || body["call_id"] == "" || body["type"] != "answer" {
		t.Fatalf("offer: %d %v", status, body)
	}
	p.accept(body["sdp"])
	p.waitConnected()
	return body["call_id"]
}

func waitCause(t *testing.T, causes <-chan error) error {
	t.Helper()
	select {
	case err := <-causes:
		return err
	case <-time.After(15 * time.Second):
		t.Fatal("the handler never finished")
		return nil
	}
}

func TestCallAudioBothWays(t *testing.T) {
	for _, tc := range []struct {
		name   string
		codecs []webrtc.RTPCodecParameters
	}{
		{"opus", []webrtc.RTPCodecParameters{codecOpus, codecPCMU}},
		{"pcmu fallback", []webrtc.RTPCodecParameters{codecPCMU}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := newRecorder(25)
			causes := make(chan error, 1)
			var info telephony.Info
			handler := toneHandler(rec, 50, false, causes)
			s, base := startServer(t, testConfig(), func(ctx context.Context, c *telephony.Call) error {
				info = c.Info
				return handler(ctx, c)
			})
			p := newPeer(t, tc.codecs...)
			call(t, p, base)
			p.sendTone(50)
			if err := waitCause(t, causes); err != nil {
				t.Fatalf("handler: %v", err)
			}
			if rec.bad.Load() != 0 {
				t.Errorf("%d learner frames were not 320 samples", rec.bad.Load())
			}
			if info.Transport != "webrtc" || info.Learner != "guest:Ada bLovelaceb" || info.Params["codec"] != tc.codecs[0].MimeType {
				t.Errorf("info = %+v", info)
			}
			// The persona's 50 frames arrive; all but the codec's start-up are loud.
			waitFor(t, "persona audio at the peer", func() bool { return p.voiced.Load() >= 40 },
				func() string { return fmt.Sprintf("packets %d voiced %d", p.packets.Load(), p.voiced.Load()) })
			t.Logf("peer got %d packets, %d voiced", p.packets.Load(), p.voiced.Load())
			waitFor(t, "the call to end", func() bool { return s.Active() == 0 })
		})
	}
}

func TestCallEnds(t *testing.T) {
	for _, tc := range []struct {
		name string
		end  func(t *testing.T, p *peer, base, id string, closeNet func())
		want error
	}{
		{"learner hangs up", func(t *testing.T, p *peer, base, id string, _ func()) {
			if status, body := post(t, base+"/webrtc/calls/"+id+"/hangup", ""); status != 204 {
				t.Errorf("hangup: %d %v", status, body)
			}
		}, telephony.ErrFarEndHangup},
		{"browser closes the connection", func(t *testing.T, p *peer, _, _ string, _ func()) {
			_ = p.pc.Close()
		}, nil}, // ErrPeerClosed or ErrDisconnected: either is a clean end
		{"browser vanishes", func(t *testing.T, p *peer, _, _ string, closeNet func()) {
			closeNet() // no DTLS close, no hang-up: packets just stop
		}, ErrDisconnected},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := newRecorder(10)
			causes := make(chan error, 1)
			s, base := startServer(t, testConfig(), toneHandler(rec, 5, true, causes))
			conn, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
			if err != nil {
				t.Fatal(err)
			}
			mux := webrtc.NewICEUDPMux(nil, conn)
			t.Cleanup(func() { mux.Close() })
			p := newPeerWith(t, func(se *webrtc.SettingEngine) { se.SetICEUDPMux(mux) })
			id := call(t, p, base)
			p.sendTone(50)
			recv(t, "loud learner audio", rec.loud)
			// The handler's 5 persona frames have arrived: it is waiting for the end.
			waitFor(t, "the persona frames", func() bool { return p.packets.Load() >= 5 })
			tc.end(t, p, base, id, func() { mux.Close() })
			err = waitCause(t, causes)
			switch {
			case tc.want != nil && !errors.Is(err, tc.want):
				t.Errorf("cause = %v, want %v", err, tc.want)
			case tc.want == nil && !errors.Is(err, ErrPeerClosed) && !errors.Is(err, ErrDisconnected):
				t.Errorf("cause = %v, want the connection's end", err)
			}
			waitFor(t, "the call to end", func() bool { return s.Active() == 0 })
			if status, _ := post(t, base+"/webrtc/calls/"+id+"/hangup", ""); status != 404 {
				t.Errorf("hangup of an ended call: %d, want 404", status)
			}
		})
	}
}

func TestConnectTimeout(t *testing.T) {
	cfg := testConfig()
	cfg.ConnectTimeout = 200 * time.Millisecond
	ran := make(chan struct{}, 1)
	s, base := startServer(t, cfg, func(context.Context, *telephony.Call) error { ran <- struct{}{}; return nil })
	p := newPeer(t)
	status, body := post(t, base+PathOffer, offerRequest{Scenario: "double-charge", SDP: p.offer(true)})
	if status != 200 {
		t.Fatalf("offer: %d %v", status, body)
	}
	// The answer is never applied: the call must end on its own, without running the handler.
	waitFor(t, "the unconnected call to end", func() bool { return s.Active() == 0 })
	select {
	case <-ran:
		t.Error("the handler ran for a call that never connected")
	default:
	}
}

func TestBadOffers(t *testing.T) {
	rec := newRecorder(1 << 30)
	causes := make(chan error, 8)
	s, base := startServer(t, testConfig(), toneHandler(rec, 0, true, causes))
	live := newPeer(t)
	liveID := call(t, live, base)
	// The peer sees the connection up before the server runs the call's handler; on a loaded
	// machine the cases below could end, and hang the call up, before it ever ran.
	live.sendTone(5)
	waitFor(t, "the live call's handler to hear the peer", func() bool { return rec.frames.Load() > 0 })
	for _, tc := range []struct {
		name   string
		body   func(t *testing.T) any
		status int
		want   string
	}{
		{"not json", func(*testing.T) any { return "{sdp:" }, 400, "not a JSON offer"},
		{"garbage sdp", func(*testing.T) any {
			return offerRequest{Scenario: "double-charge", SDP: "v=0\r\nthis is not SDP\r\n"}
		}, 400, "invalid offer SDP"},
		{"missing sdp", func(*testing.T) any { return offerRequest{Scenario: "double-charge"} }, 400, "sdp is required"},
		{"no audio", func(t *testing.T) any {
			return offerRequest{Scenario: "double-charge", SDP: newPeer(t).offer(false)}
		}, 400, "no audio"},
		{"unknown scenario", func(t *testing.T) any {
			return offerRequest{Scenario: "nope", SDP: newPeer(t).offer(true)}
		}, 404, "unknown scenario"},
		{"second offer on a live call", func(t *testing.T) any {
			return offerRequest{Scenario: "double-charge", CallID: liveID, SDP: newPeer(t).offer(true)}
		}, 409, "already has a session"},
		{"too large", func(*testing.T) any {
			return offerRequest{Scenario: "double-charge", SDP: strings.Repeat("a", 70<<10)}
		}, 413, "larger than"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, body := post(t, base+PathOffer, tc.body(t))
			if status != tc.status || !strings.Contains(body["error"], tc.want) {
				t.Errorf("got %d %q, want %d with %q", status, body["error"], tc.status, tc.want)
			}
		})
	}
	if n := s.Active(); n != 1 {
		t.Errorf("%d live calls, want only the good one", n)
	}
	s.Drain()
	if status, body := post(t, base+PathOffer, offerRequest{Scenario: "double-charge", SDP: newPeer(t).offer(true)}); status != 503 {
		t.Errorf("offer while draining: %d %v", status, body)
	}
	post(t, base+"/webrtc/calls/"+liveID+"/hangup", "")
	if err := s.Wait(t.Context()); err != nil {
		t.Fatal(err)
	}
	if err := waitCause(t, causes); !errors.Is(err, telephony.ErrFarEndHangup) {
		t.Errorf("live call cause = %v", err)
	}
}

func TestAdmissionCap(t *testing.T) {
	rec := newRecorder(1 << 30)
	causes := make(chan error, 8)
	cfg := testConfig()
	cfg.MaxCalls = 1
	s, base := startServer(t, cfg, toneHandler(rec, 0, true, causes))
	liveID := call(t, newPeer(t), base)
	status, body := post(t, base+PathOffer, offerRequest{Scenario: "double-charge", SDP: newPeer(t).offer(true)})
	if status != 503 || !strings.Contains(body["error"], "busy") {
		t.Errorf("offer past the cap: %d %v", status, body)
	}
	if n := s.Active(); n != 1 {
		t.Errorf("%d live calls, want the first one untouched", n)
	}
	if liveID == "" {
		t.Error("no live call")
	}
}

// TestHangupElsewhere: a hang-up for a call this server does not hold goes to
// HangupElsewhere (the node that holds it ends it): 202 when it was found, 404 when no node
// holds it, 503 with Retry-After when the other nodes could not be asked.
func TestHangupElsewhere(t *testing.T) {
	asked := []string{}
	var answer bool
	var fault error
	_, base := startServer(t, testConfig(), func(context.Context, *telephony.Call) error { return nil }, func(s *Server) {
		s.HangupElsewhere = func(_ context.Context, id string) (bool, error) {
			asked = append(asked, id)
			return answer, fault
		}
	})
	for _, tc := range []struct {
		answer bool
		fault  error
		status int
	}{{true, nil, 202}, {false, nil, 404}, {false, errors.New("redis: connection refused"), 503}} {
		answer, fault = tc.answer, tc.fault
		if status, body := post(t, base+"/webrtc/calls/elsewhere-1/hangup", ""); status != tc.status {
			t.Errorf("found %v, fault %v: %d %v, want %d", tc.answer, tc.fault, status, body, tc.status)
		}
	}
	if len(asked) != 3 || asked[0] != "elsewhere-1" {
		t.Errorf("HangupElsewhere asked for %q", asked)
	}
}
