package floor

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	ttsinstant "github.com/sparlab/spar/dialog/tts/instant"
	"github.com/sparlab/spar/telephony/twilio/sim"
)

// TestEchoesSimulatedCall places one simulated Twilio call: the caller hears its own line
// echoed back, frame for frame.
func TestEchoesSimulatedCall(t *testing.T) {
	mux := http.NewServeMux()
	fl := New(nil)
	fl.Register(mux)
	ts := httptest.NewServer(mux)
	defer ts.Close()
	synth, err := ttsinstant.New(ttsinstant.Config{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	res, err := sim.Run(ctx, sim.Config{
		BaseURL: ts.URL, DiscardAudio: true, GreetTimeout: 20 * time.Millisecond,
		Script: sim.Script{{Say: "one two", Gap: 100 * time.Millisecond, Pause: 20 * time.Millisecond}},
	}, synth, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.CallID != "floor1" {
		t.Errorf("call id %q, want the floor's parameter", res.CallID)
	}
	// The echo is heard back; on a busy machine a late frame may split it in two, so the
	// total is checked (FramesReceived <= FramesSent below rules out a double echo).
	var heard time.Duration
	for _, h := range res.Heard {
		heard += h.End - h.Start
	}
	if len(res.Heard) == 0 || heard < 400*time.Millisecond {
		t.Errorf("heard %+v, want the line echoed", res.Heard)
	}
	if res.FramesReceived == 0 || res.FramesReceived > res.FramesSent || res.Malformed != 0 {
		t.Errorf("sent %d, received %d, malformed %d", res.FramesSent, res.FramesReceived, res.Malformed)
	}
	if st := fl.Stats(); st.Calls != 1 || st.Frames < int64(res.FramesReceived) {
		t.Errorf("stats %+v", st)
	}
}
