package sim

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/sparlab/spar/media"
	"github.com/sparlab/spar/telephony"
	"github.com/sparlab/spar/telephony/twilio/sim"
	"github.com/sparlab/spar/telephony/webrtc"
)

type scenarios map[string]bool

func (s scenarios) Title(id string) (string, bool) { return id, s[id] }

// tone writes d of a tone to w, paced like the engine's playout.
func tone(ctx context.Context, w func([]int16) error, d time.Duration) error {
	f := make([]int16, 320)
	tick := time.NewTicker(media.FrameDuration)
	defer tick.Stop()
	for i := range int(d / media.FrameDuration) {
		for j := range f {
			f[j] = int16(6000 * math.Sin(2*math.Pi*350*float64(i*320+j)/16000))
		}
		if err := w(f); err != nil {
			return err
		}
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
	}
	return nil
}

// listener signals each end of learner speech.
type listener struct {
	loud   int
	stops  chan struct{}
	silent int
}

func (l *listener) Audio(p []int16) {
	if media.LevelDBFS(p) > -35 {
		l.loud, l.silent = l.loud+1, 0
		return
	}
	if l.silent++; l.loud > 10 && l.silent == 10 {
		l.loud = 0
		l.stops <- struct{}{}
	}
}

func (l *listener) Event(telephony.Event) {}

func TestRunAgainstServer(t *testing.T) {
	for _, tc := range []struct {
		name    string
		trickle bool
	}{{"post offer", false}, {"websocket trickle", true}} {
		t.Run(tc.name, func(t *testing.T) { runAgainstServer(t, tc.trickle) })
	}
}

func runAgainstServer(t *testing.T, trickle bool) {
	causes := make(chan error, 1)
	handler := func(ctx context.Context, c *telephony.Call) error {
		l := &listener{stops: make(chan struct{}, 4)}
		c.Listen(l)
		_ = tone(ctx, c.WriteSample, 400*time.Millisecond) // the greeting
		select {
		case <-l.stops:
			_ = tone(ctx, c.WriteSample, 400*time.Millisecond) // the reply
		case <-ctx.Done():
		}
		<-ctx.Done()
		causes <- context.Cause(ctx)
		return nil
	}
	cfg := webrtc.DefaultConfig()
	cfg.IncludeLoopback = true
	srv, err := webrtc.NewServer(cfg, scenarios{"double-charge": true}, handler, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	srv.Register(mux)
	var paths sync.Map // signaling paths the caller used
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		paths.Store(r.URL.Path, true)
		mux.ServeHTTP(w, r)
	}))
	defer hs.Close()
	defer srv.Close(nil)

	synth := sim.SynthesizerFunc(func(ctx context.Context, text, voice string, w media.Writer) error {
		return tone(context.Background(), w.WriteSample, 600*time.Millisecond)
	})
	script := sim.Script{{Say: "hello", Gap: 200 * time.Millisecond, Pause: 100 * time.Millisecond},
		{Wait: 100 * time.Millisecond, Gap: 200 * time.Millisecond, Pause: 100 * time.Millisecond}}
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	res, err := Run(ctx, Config{BaseURL: hs.URL, Scenario: "double-charge", Learner: "Sam", Script: script, Loopback: true, Trickle: trickle}, synth, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.CallID == "" || res.Codec != "audio/opus" || res.ServerClosed {
		t.Errorf("result = %+v", res)
	}
	_, offered := paths.Load(webrtc.PathOffer)
	_, socket := paths.Load(webrtc.PathSignal)
	if offered == trickle || socket != trickle {
		t.Errorf("trickle %v: POST offer %v, WebSocket %v", trickle, offered, socket)
	}
	if len(res.Heard) != 2 {
		t.Errorf("heard %d persona segments, want greeting and reply: %+v", len(res.Heard), res.Heard)
	}
	if len(res.LearnerTurns) < 1 || res.LearnerTurns[0].Kind != "say" ||
		(len(res.Heard) > 0 && res.LearnerTurns[0].Start < res.Heard[0].End) {
		t.Errorf("turns = %+v (the line must follow the greeting)", res.LearnerTurns)
	}
	select {
	case err := <-causes:
		if !errors.Is(err, telephony.ErrFarEndHangup) {
			t.Errorf("server saw cause %v, want the learner's hang-up", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the server's call did not end")
	}
}

func TestRunRefused(t *testing.T) {
	for _, trickle := range []bool{false, true} {
		t.Run(fmt.Sprint("trickle=", trickle), func(t *testing.T) { runRefused(t, trickle) })
	}
}

func runRefused(t *testing.T, trickle bool) {
	cfg := webrtc.DefaultConfig()
	srv, err := webrtc.NewServer(cfg, scenarios{}, func(context.Context, *telephony.Call) error { return nil }, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close(nil)
	mux := http.NewServeMux()
	srv.Register(mux)
	hs := httptest.NewServer(mux)
	defer hs.Close()
	_, err = Run(t.Context(), Config{BaseURL: hs.URL, Scenario: "nope", Script: sim.Script{{Wait: time.Second}}, Trickle: trickle}, nil, nil)
	if !errors.Is(err, ErrRefused) {
		t.Errorf("err = %v, want ErrRefused", err)
	}
}

// Persona audio can arrive before dial sees the connection up; it must count from then, not
// from the zero time (which read as 292 years and planted a segment that ends before it starts).
func TestAudioBeforeConnectedCountsFromThen(t *testing.T) {
	var c caller
	if got := c.sinceStart(); got < 0 || got > time.Minute {
		t.Fatalf("first packet at %v, want about zero", got)
	}
	start := c.start
	c.sinceStart()
	if c.start != start {
		t.Error("a second packet moved the start")
	}
}
