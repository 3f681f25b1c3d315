package sip

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/pion/rtp"

	"github.com/sparlab/spar/media"
	"github.com/sparlab/spar/telephony"
	"github.com/sparlab/spar/telephony/sip/sim"
)

// heard is a Listener noting learner audio and events.
type heard struct {
	mu     sync.Mutex
	frames int
	loud   int
	events []telephony.Event
	key    chan string
}

func (h *heard) Audio(p []int16) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.frames++
	if media.LevelDBFS(p) > -30 {
		h.loud++
	}
}

func (h *heard) Event(e telephony.Event) {
	h.mu.Lock()
	h.events = append(h.events, e)
	h.mu.Unlock()
	if e.Kind == telephony.EventDTMF {
		h.key <- e.Detail
	}
}

// TestCallAudioBothWays: a caller over UDP and over TCP, in mu-law and A-law, is answered
// as the scenario its number names and the learner its caller ID names; the handler hears
// the caller's tone and key press, the caller hears the persona's tone, and when the
// handler returns Spar hangs up with BYE.
func TestCallAudioBothWays(t *testing.T) {
	for _, tc := range []struct{ transport, codec string }{{"udp", "PCMU"}, {"tcp", "PCMA"}, {"udp", "PCMA"}} {
		t.Run(tc.transport+"/"+tc.codec, func(t *testing.T) {
			got := &heard{key: make(chan string, 2)}
			infos := make(chan telephony.Info, 1)
			listening := make(chan struct{})
			srv := startServer(t, testConfig(t), func(ctx context.Context, call *telephony.Call) error {
				infos <- call.Info
				call.Listen(got)
				close(listening)
				key := func() error {
					select {
					case <-got.key:
						return nil
					case <-ctx.Done():
						return context.Cause(ctx)
					}
				}
				if err := key(); err != nil { // the caller presses 5 once it has spoken
					return err
				}
				for range 25 { // 0.5 s of persona tone
					if err := call.WriteSample(tone(440, 320)); err != nil {
						return err
					}
				}
				return key() // and # once it has heard the persona
			})
			p := phone(t, srv, func(c *sim.Config) { c.Transport, c.Codec = tc.transport, tc.codec })
			pt := uint8(0)
			if tc.codec == "PCMA" {
				pt = 8
			}
			if err := p.Call(t.Context(), sim.OfferSDP(p.MediaAddr(), pt)); err != nil {
				t.Fatal(err)
			}
			var mu sync.Mutex
			var packets, loud int
			var pts []uint8
			heardPersona := make(chan struct{})
			go p.Listen(func(h *rtp.Header, payload []byte) {
				pcm := make([]int16, len(payload))
				for i, b := range payload {
					pcm[i] = lawOf(h.PayloadType).decode(b)
				}
				mu.Lock()
				packets++
				pts = append(pts, h.PayloadType)
				if media.LevelDBFS(pcm) > -30 {
					if loud++; loud == 20 {
						close(heardPersona)
					}
				}
				mu.Unlock()
			})
			<-listening // audio before the handler listens is dropped, as on every transport
			payload := make([]byte, 160)
			l := lawOf(pt)
			for i := range payload {
				payload[i] = l.encode(int16(8000 * sinAt(i)))
			}
			for i := range 40 { // 0.8 s of caller tone: within the wall clock's budget at once
				if err := p.SendRTP(pt, payload, i == 0); err != nil {
					t.Fatal(err)
				}
			}
			if err := p.SendDTMF(101, '5'); err != nil {
				t.Fatal(err)
			}
			select {
			case <-heardPersona:
			case <-time.After(10 * time.Second):
				mu.Lock()
				t.Fatalf("the caller heard %d loud packets of %d, want the persona's 0.5 s tone", loud, packets)
			}
			if err := p.SendDTMF(101, '#'); err != nil {
				t.Fatal(err)
			}
			select {
			case <-p.Ended():
			case <-time.After(10 * time.Second):
				t.Fatal("Spar did not hang up after the handler returned")
			}
			info := <-infos
			if info.Transport != "sip" || info.Scenario != "double-charge" || info.Learner != "ada" || info.From != "2001" ||
				info.To != "100" || info.Params["codec"] != tc.codec || p.CallID != info.ID {
				t.Errorf("info = %+v (caller saw call ID %q)", info, p.CallID)
			}
			waitIdle(t, srv)
			got.mu.Lock()
			if got.loud < 30 {
				t.Errorf("handler heard %d loud frames of %d, want the caller's 0.8 s tone", got.loud, got.frames)
			}
			got.mu.Unlock()
			mu.Lock()
			defer mu.Unlock()
			if loud < 20 {
				t.Errorf("caller heard %d loud packets of %d, want the persona's 0.5 s tone", loud, packets)
			}
			for _, v := range pts {
				if v != pt {
					t.Fatalf("persona audio in payload type %d, want %d", v, pt)
				}
			}
		})
	}
}

// sinAt is a 400 Hz sine at 8 kHz, sample i.
func sinAt(i int) float64 { return mathSin(2 * 3.141592653589793 * 400 * float64(i) / 8000) }

// TestCancelWhileRinging: a caller who hangs up while Spar rings gets 487 and no call runs.
func TestCancelWhileRinging(t *testing.T) {
	cfg := testConfig(t)
	cfg.RingTime = time.Minute
	ran := make(chan struct{}, 1)
	srv := startServer(t, cfg, func(ctx context.Context, call *telephony.Call) error { ran <- struct{}{}; return nil })
	p := phone(t, srv, nil)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	if err := p.Invite(ctx, sim.OfferSDP(p.MediaAddr(), 0)); err != nil {
		t.Fatal(err)
	}
	err := p.Answer(ctx, func(r *sipResponse) error {
		if r.StatusCode == 180 {
			cancel() // hang up while it rings
		}
		return nil
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("answer after cancel: %v", err)
	}
	waitIdle(t, srv)
	select {
	case <-ran:
		t.Fatal("the handler ran for a cancelled call")
	default:
	}
	if n := srv.Refusals()["cancelled"]; n != 1 {
		t.Errorf("cancelled calls counted: %d, want 1 (%v)", n, srv.Refusals())
	}
}

// TestByeMidCall: the caller's BYE ends the handler's context with ErrLearnerHungUp.
func TestByeMidCall(t *testing.T) {
	causes := make(chan error, 1)
	started := make(chan struct{})
	srv := startServer(t, testConfig(t), func(ctx context.Context, call *telephony.Call) error {
		close(started)
		<-ctx.Done()
		causes <- context.Cause(ctx)
		return nil
	})
	p := phone(t, srv, nil)
	if err := p.Call(t.Context(), sim.OfferSDP(p.MediaAddr(), 0)); err != nil {
		t.Fatal(err)
	}
	<-started
	if err := p.SendRTP(0, make([]byte, 160), true); err != nil {
		t.Fatal(err)
	}
	p.Hangup()
	if cause := <-causes; !errors.Is(cause, ErrLearnerHungUp) || !errors.Is(cause, telephony.ErrFarEndHangup) {
		t.Fatalf("cause = %v, want the learner hung up", cause)
	}
	waitIdle(t, srv)
}

// TestRTPTimeout: a caller that answers and then sends no audio is hung up on.
func TestRTPTimeout(t *testing.T) {
	cfg := testConfig(t)
	cfg.RTPTimeout = 100 * time.Millisecond
	causes := make(chan error, 1)
	srv := startServer(t, cfg, func(ctx context.Context, call *telephony.Call) error {
		<-ctx.Done()
		causes <- context.Cause(ctx)
		return nil
	})
	p := phone(t, srv, nil)
	if err := p.Call(t.Context(), sim.OfferSDP(p.MediaAddr(), 0)); err != nil {
		t.Fatal(err)
	}
	if cause := <-causes; !errors.Is(cause, ErrRTPTimeout) {
		t.Fatalf("cause = %v, want ErrRTPTimeout", cause)
	}
	<-p.Ended()
	waitIdle(t, srv)
}
