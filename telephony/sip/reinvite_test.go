package sip

import (
	"context"
	"strings"
	"testing"

	"github.com/sparlab/spar/telephony"
	"github.com/sparlab/spar/telephony/sip/sim"
)

// TestHoldResumeAndBadReinvite: a caller putting Spar on hold (sendonly) gets recvonly and
// no persona audio while held; resuming brings it back; a re-INVITE with unusable SDP gets
// 488 and the call goes on as it was.
func TestHoldResumeAndBadReinvite(t *testing.T) {
	step, done, started := make(chan string), make(chan struct{}), make(chan struct{})
	srv := startServer(t, testConfig(t), func(ctx context.Context, call *telephony.Call) error {
		close(started)
		for {
			select {
			case <-step:
				for range 10 {
					if err := call.WriteSample(tone(440, 320)); err != nil {
						return err
					}
				}
				done <- struct{}{}
			case <-ctx.Done():
				return nil
			}
		}
	})
	p := phone(t, srv, nil)
	offer := string(sim.OfferSDP(p.MediaAddr(), 0))
	if err := p.Call(t.Context(), []byte(offer)); err != nil {
		t.Fatal(err)
	}
	<-started // the call is registered before its handler runs
	var ss *session
	srv.calls.mu.Lock()
	for _, s := range srv.calls.live {
		ss = s
	}
	srv.calls.mu.Unlock()
	if ss == nil {
		t.Fatal("no live session")
	}
	sent := func() uint64 { n, _ := ss.sink.stats(); return n }

	status, err := p.Reinvite(t.Context(), []byte(strings.Replace(offer, "a=sendrecv", "a=sendonly", 1)))
	if err != nil || status != 200 {
		t.Fatalf("hold: %d %v", status, err)
	}
	step <- "hold"
	<-done
	if n := sent(); n != 0 {
		t.Errorf("%d persona packets sent while on hold", n)
	}
	if !strings.Contains(string(ss.answer(srv.publicIP, ss.current())), "a=recvonly") {
		t.Error("the hold was not answered recvonly")
	}

	status, err = p.Reinvite(t.Context(), []byte(strings.Replace(offer, "c=IN IP4 127.0.0.1", "c=IN IP4 nowhere", 1)))
	if err != nil || status != 488 {
		t.Fatalf("bad re-INVITE: %d %v, want 488", status, err)
	}
	status, err = p.Reinvite(t.Context(), []byte(offer))
	if err != nil || status != 200 {
		t.Fatalf("resume: %d %v", status, err)
	}
	step <- "resume"
	<-done
	if n := sent(); n != 10 {
		t.Errorf("%d persona packets after resuming, want 10", n)
	}
	p.Hangup()
	waitIdle(t, srv)
}
