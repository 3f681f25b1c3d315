package webrtc

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pion/webrtc/v4"
	"github.com/pion/webrtc/v4/pkg/media"

	spmedia "github.com/sparlab/spar/media"
	"github.com/sparlab/spar/telephony"
)

// scenarioSet is a Scenarios with fixed IDs.
type scenarioSet map[string]string

func (s scenarioSet) Title(id string) (string, bool) { t, ok := s[id]; return t, ok }

func testConfig() Config {
	c := DefaultConfig()
	c.IncludeLoopback = true
	c.ConnectTimeout = 10 * time.Second
	c.DisconnectGrace = 300 * time.Millisecond
	c.ICEDisconnectedTimeout = 600 * time.Millisecond
	// Offers here come without a page's guest pass, all from 127.0.0.1: TestOfferLimits
	// covers sessions and pending limits.
	c.RequireSession = false
	c.MaxPendingPerClient, c.MaxPendingPerIP = 0, 0
	return c
}

// startServer runs a Server with handler behind an httptest server; cleanup closes both and
// checks that no goroutine of the calls is left. Each tune adjusts the Server before it serves.
func startServer(t *testing.T, cfg Config, handler telephony.Handler, tune ...func(*Server)) (*Server, string) {
	t.Helper()
	checkGoroutines(t)
	s, err := NewServer(cfg, scenarioSet{"double-charge": "Charged twice"}, handler, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range tune {
		f(s)
	}
	mux := http.NewServeMux()
	s.Register(mux)
	hs := httptest.NewServer(mux)
	t.Cleanup(func() {
		hs.Close()
		if err := s.Close(nil); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return s, hs.URL
}

// checkGoroutines fails the test if goroutines of pion or of this package outlive it.
// Registered first, it runs last.
func checkGoroutines(t *testing.T) {
	t.Cleanup(func() {
		deadline := time.Now().Add(10 * time.Second)
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			left := leftover()
			if left == "" {
				return
			}
			if time.Now().After(deadline) {
				t.Errorf("goroutines left after the test:\n%s", left)
				return
			}
			<-tick.C
		}
	})
}

func leftover() string {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	var out []string
	for _, g := range strings.Split(string(buf), "\n\n") {
		if strings.Contains(g, "testing.tRunner") || strings.Contains(g, "leftover(") {
			continue
		}
		if strings.Contains(g, "github.com/pion/") || strings.Contains(g, "spar/telephony/webrtc.") {
			out = append(out, g)
		}
	}
	return strings.Join(out, "\n\n")
}

// peer is a browser stand-in: a pion PeerConnection on loopback that sends a tone and
// decodes what it receives.
type peer struct {
	t         *testing.T
	pc        *webrtc.PeerConnection
	track     *webrtc.TrackLocalStaticSample
	codec     webrtc.RTPCodecParameters
	connected chan struct{}
	once      sync.Once
	voiced    atomic.Int64 // received 20 ms frames louder than -40 dBFS
	packets   atomic.Int64
	readers   sync.WaitGroup
}

func newPeer(t *testing.T, codecs ...webrtc.RTPCodecParameters) *peer {
	t.Helper()
	return newPeerWith(t, nil, codecs...)
}

// newPeerWith lets a test adjust the peer's SettingEngine.
func newPeerWith(t *testing.T, tune func(*webrtc.SettingEngine), codecs ...webrtc.RTPCodecParameters) *peer {
	t.Helper()
	if len(codecs) == 0 {
		codecs = []webrtc.RTPCodecParameters{codecOpus, codecPCMU}
	}
	m := &webrtc.MediaEngine{}
	for _, c := range codecs {
		if err := m.RegisterCodec(c, webrtc.RTPCodecTypeAudio); err != nil {
			t.Fatal(err)
		}
	}
	se := webrtc.SettingEngine{}
	se.SetIncludeLoopbackCandidate(true)
	se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4})
	if tune != nil {
		tune(&se)
	}
	api := webrtc.NewAPI(webrtc.WithMediaEngine(m), webrtc.WithSettingEngine(se))
	pc, err := api.NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		t.Fatal(err)
	}
	p := &peer{t: t, pc: pc, codec: codecs[0], connected: make(chan struct{})}
	t.Cleanup(func() {
		_ = pc.GracefulClose()
		p.readers.Wait()
	})
	pc.OnConnectionStateChange(func(s webrtc.PeerConnectionState) {
		if s == webrtc.PeerConnectionStateConnected {
			p.once.Do(func() { close(p.connected) })
		}
	})
	pc.OnTrack(func(tr *webrtc.TrackRemote, _ *webrtc.RTPReceiver) {
		p.readers.Add(1)
		defer p.readers.Done()
		cp, err := newReceivePath(tr.Codec().MimeType)
		if err != nil {
			t.Error(err)
			return
		}
		pcm := make([]int16, maxDecoded)
		for {
			pkt, _, err := tr.ReadRTP()
			if err != nil {
				return
			}
			p.packets.Add(1)
			n, err := cp.dec.decode(pkt.Payload, pcm)
			if err == nil && n > 0 && spmedia.LevelDBFS(pcm[:n]) > -40 {
				p.voiced.Add(1)
			}
		}
	})
	return p
}

// offer adds a send track (unless audio is false) and returns the complete offer.
func (p *peer) offer(audio bool) string {
	p.t.Helper()
	if audio {
		p.addMic()
	} else if _, err := p.pc.CreateDataChannel("chat", nil); err != nil {
		p.t.Fatal(err)
	}
	done := webrtc.GatheringCompletePromise(p.pc)
	p.setOffer()
	<-done
	return p.pc.LocalDescription().SDP
}

// addMic adds the learner's send track.
func (p *peer) addMic() {
	p.t.Helper()
	tr, err := webrtc.NewTrackLocalStaticSample(p.codec.RTPCodecCapability, "mic", "learner")
	if err != nil {
		p.t.Fatal(err)
	}
	if _, err := p.pc.AddTrack(tr); err != nil {
		p.t.Fatal(err)
	}
	p.track = tr
}

// setOffer creates an offer and makes it p's local description, which starts gathering.
func (p *peer) setOffer() {
	p.t.Helper()
	o, err := p.pc.CreateOffer(nil)
	if err != nil {
		p.t.Fatal(err)
	}
	if err := p.pc.SetLocalDescription(o); err != nil {
		p.t.Fatal(err)
	}
}

func (p *peer) accept(sdp string) {
	p.t.Helper()
	if err := p.pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: sdp}); err != nil {
		p.t.Fatal(err)
	}
}

// waitConnected waits for ICE and DTLS.
func (p *peer) waitConnected() {
	p.t.Helper()
	select {
	case <-p.connected:
	case <-time.After(10 * time.Second):
		p.t.Fatal("peer never connected")
	}
}

// sendTone sends n 20 ms frames of a 440 Hz tone (RTP timestamps do the timing).
func (p *peer) sendTone(n int) {
	p.t.Helper()
	cp, err := newSendPath(p.codec.MimeType, 32000)
	if err != nil {
		p.t.Fatal(err)
	}
	frame, buf := make([]int16, frame16k), make([]byte, maxPayload)
	tick := time.NewTicker(10 * time.Millisecond) // a burst would overrun loopback UDP buffers
	defer tick.Stop()
	for i := range n {
		<-tick.C
		sineFrame(frame, 440, i)
		k, err := cp.enc.encode(frame, buf)
		if err != nil {
			p.t.Fatal(err)
		}
		if err := p.track.WriteSample(media.Sample{Data: buf[:k], Duration: 20 * time.Millisecond}); err != nil {
			p.t.Fatal(err)
		}
	}
}

// post sends a JSON body and returns the status and decoded JSON reply.
func post(t *testing.T, url string, body any) (int, map[string]string) {
	t.Helper()
	var r io.Reader
	switch b := body.(type) {
	case string:
		r = strings.NewReader(b)
	default:
		j, _ := json.Marshal(b)
		r = bytes.NewReader(j)
	}
	resp, err := http.Post(url, "application/json", r)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out := map[string]string{}
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

// recorder is a telephony.Listener that counts loud learner frames.
type recorder struct {
	frames, voiced atomic.Int64
	bad            atomic.Int64 // frames of the wrong size
	loud           chan struct{}
	once           sync.Once
	want           int64
}

func newRecorder(want int64) *recorder { return &recorder{loud: make(chan struct{}), want: want} }

func (r *recorder) Audio(p []int16) {
	r.frames.Add(1)
	if len(p) != frame16k {
		r.bad.Add(1)
	}
	if spmedia.LevelDBFS(p) > -30 && r.voiced.Add(1) >= r.want {
		r.once.Do(func() { close(r.loud) })
	}
}

func (r *recorder) Event(telephony.Event) {}

// toneHandler waits for the learner's tone, answers with frames of persona tone, then
// returns (or, with stay, waits for the call to end); it reports the call's cause.
func toneHandler(rec *recorder, frames int, stay bool, causes chan<- error) telephony.Handler {
	return func(ctx context.Context, call *telephony.Call) error {
		call.Listen(rec)
		select {
		case <-rec.loud:
		case <-ctx.Done():
			causes <- context.Cause(ctx)
			return nil
		}
		f := make([]int16, frame16k)
		tick := time.NewTicker(10 * time.Millisecond) // paced like the engine's playout, only faster
		defer tick.Stop()
		for i := range frames {
			<-tick.C
			sineFrame(f, 300, i)
			if err := call.WriteSample(f); err != nil {
				causes <- err
				return err
			}
		}
		if stay {
			<-ctx.Done()
			causes <- context.Cause(ctx)
			return nil
		}
		causes <- nil
		return nil
	}
}

// waitFor polls cond (state owned by other goroutines) until it holds.
func waitFor(t *testing.T, what string, cond func() bool, show ...func() string) {
	t.Helper()
	deadline := time.NewTimer(10 * time.Second)
	defer deadline.Stop()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		select {
		case <-deadline.C:
			extra := ""
			for _, f := range show {
				extra += " " + f()
			}
			t.Fatalf("timed out waiting for %s%s", what, extra)
		case <-tick.C:
		}
	}
}

// sineFrame fills frame i of a steady sine of hz at the Call's rate.
func sineFrame(frame []int16, hz float64, i int) {
	for j := range frame {
		frame[j] = int16(8000 * math.Sin(2*math.Pi*hz*float64(i*len(frame)+j)/telephony.Rate))
	}
}
