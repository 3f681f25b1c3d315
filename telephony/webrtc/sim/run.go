package sim

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"sync"
	"time"

	"github.com/pion/webrtc/v4"
	pmedia "github.com/pion/webrtc/v4/pkg/media"
	"github.com/thesyncim/gopus"

	"github.com/sparlab/spar/media"
	twsim "github.com/sparlab/spar/telephony/twilio/sim"
)

// Paths of the server's WebRTC signaling (telephony/webrtc).
const (
	pathOffer  = "/webrtc/offer"
	pathConfig = "/webrtc/config"
	pathHangup = "/webrtc/calls/%s/hangup"
)

// Run places one simulated browser call and returns what happened. A server that ends the
// call is the persona hanging up, not an error; if ctx ends first the caller hangs up and
// Run returns the partial Result with ctx's cause.
func Run(ctx context.Context, cfg Config, synth twsim.Synthesizer, log *slog.Logger) (*Result, error) {
	cfg = cfg.withDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	script := cfg.Script
	if !script[len(script)-1].Hangup {
		script = append(script[:len(script):len(script)], twsim.Step{Hangup: true})
	}
	clips, err := twsim.PreparePCM(ctx, script, synth, cfg.Voice, media.Rate16k)
	if err != nil {
		return nil, err
	}
	d := twsim.NewPCMDirector(script, clips, cfg.GreetTimeout, cfg.ReplyTimeout, cfg.Print)
	c, err := newCaller(cfg, d)
	if err != nil {
		return nil, err
	}
	defer c.close()
	res := &Result{}
	if err := c.dial(ctx, cfg, res); err != nil {
		return res, err
	}
	cfg.Print("connected: call %s (%s)", res.CallID, res.Codec)
	err = c.loop(ctx, cfg.Print, res)
	if !res.ServerClosed {
		if c.ws != nil {
			c.ws.hangup()
		} else {
			hangup(cfg.BaseURL, res.CallID, cfg.Header)
		}
	}
	c.close()
	res.Heard, res.LearnerTurns = d.Heard(), d.Turns()
	log.Info("simulated browser call ended", "call_id", res.CallID, "duration", res.Duration,
		"sent", res.PacketsSent, "received", res.PacketsReceived, "server_closed", res.ServerClosed)
	return res, err
}

// caller is the browser stand-in.
type caller struct {
	hc      *http.Client // with the page's cookie jar (its guest pass)
	pc      *webrtc.PeerConnection
	track   *webrtc.TrackLocalStaticSample
	enc     *gopus.Encoder
	up      chan struct{} // connected
	gone    chan struct{} // failed or closed
	upOnce  sync.Once
	goneOne sync.Once
	readers sync.WaitGroup
	dir     *twsim.PCMDirector // hears the persona and plays the script
	start   time.Time
	startMu sync.Mutex
	recv    int
	closed  sync.Once
	ws      *socket // the signaling socket of a trickle call
}

func newCaller(cfg Config, d *twsim.PCMDirector) (*caller, error) {
	m := &webrtc.MediaEngine{}
	opus := webrtc.RTPCodecParameters{RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeOpus,
		ClockRate: 48000, Channels: 2, SDPFmtpLine: "minptime=10;useinbandfec=1"}, PayloadType: 111}
	if err := m.RegisterCodec(opus, webrtc.RTPCodecTypeAudio); err != nil {
		return nil, fmt.Errorf("webrtc sim: %w", err)
	}
	se := webrtc.SettingEngine{}
	if cfg.Loopback {
		se.SetIncludeLoopbackCandidate(true)
		se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4})
	}
	pc, err := webrtc.NewAPI(webrtc.WithMediaEngine(m), webrtc.WithSettingEngine(se)).NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		return nil, fmt.Errorf("webrtc sim: %w", err)
	}
	track, err := webrtc.NewTrackLocalStaticSample(opus.RTPCodecCapability, "mic", "learner")
	if err != nil {
		pc.Close()
		return nil, fmt.Errorf("webrtc sim: %w", err)
	}
	if _, err := pc.AddTrack(track); err != nil {
		pc.Close()
		return nil, fmt.Errorf("webrtc sim: %w", err)
	}
	enc, err := gopus.NewEncoder(gopus.EncoderConfig{SampleRate: media.Rate16k, Channels: 1, Application: gopus.ApplicationVoIP})
	if err != nil {
		pc.Close()
		return nil, fmt.Errorf("webrtc sim: %w", err)
	}
	c := &caller{dir: d, pc: pc, track: track, enc: enc, up: make(chan struct{}), gone: make(chan struct{})}
	pc.OnConnectionStateChange(func(s webrtc.PeerConnectionState) {
		switch s {
		case webrtc.PeerConnectionStateConnected:
			c.upOnce.Do(func() { close(c.up) })
		case webrtc.PeerConnectionStateFailed, webrtc.PeerConnectionStateClosed, webrtc.PeerConnectionStateDisconnected:
			c.goneOne.Do(func() { close(c.gone) })
		}
	})
	pc.OnTrack(c.read)
	return c, nil
}

// read decodes persona audio as it arrives.
func (c *caller) read(t *webrtc.TrackRemote, _ *webrtc.RTPReceiver) {
	c.readers.Add(1)
	defer c.readers.Done()
	dec, err := gopus.NewDecoder(gopus.DefaultDecoderConfig(media.Rate16k, 1))
	if err != nil {
		return
	}
	pcm := make([]int16, 1920)
	for {
		pkt, _, err := t.ReadRTP()
		if err != nil {
			return
		}
		n, err := dec.DecodeInt16(pkt.Payload, pcm)
		if err != nil {
			continue
		}
		c.startMu.Lock()
		c.recv++
		now := c.sinceStart()
		c.startMu.Unlock()
		c.dir.Hear(now, pcm[:n])
	}
}

// dial sends the offer, over the WebSocket with trickle ICE or as one POST, and waits for
// the connection.
func (c *caller) dial(ctx context.Context, cfg Config, res *Result) error {
	if err := c.openPage(ctx, cfg); err != nil {
		return err
	}
	signal := c.signalHTTP
	if cfg.Trickle {
		signal = c.signalWS
	}
	if err := signal(ctx, cfg, res); err != nil {
		return err
	}
	if ts := c.pc.GetTransceivers(); len(ts) > 0 && ts[0].Sender() != nil {
		if p := ts[0].Sender().GetParameters(); len(p.Codecs) > 0 {
			res.Codec = p.Codecs[0].MimeType
		}
	}
	t := time.NewTimer(20 * time.Second)
	defer t.Stop()
	select {
	case <-c.up:
	case <-c.gone:
		return errors.New("webrtc sim: connection failed")
	case <-t.C:
		return errors.New("webrtc sim: no connection after 20 s")
	case <-ctx.Done():
		return context.Cause(ctx)
	}
	c.startMu.Lock()
	c.sinceStart()
	c.startMu.Unlock()
	return nil
}

// sinceStart returns the time since the call started, starting it now if it has not: the
// greeting's first packets can arrive before dial sees the connection up. The caller holds
// startMu.
func (c *caller) sinceStart() time.Duration {
	if c.start.IsZero() {
		c.start = time.Now()
	}
	return time.Since(c.start)
}

// openPage fetches the signaling config as the learner page does before it offers: the
// server hands a page nobody signed in on a guest pass (a cookie), without which it refuses
// the offer. The pass stays in the caller's cookie jar for the offer and the socket.
func (c *caller) openPage(ctx context.Context, cfg Config) error {
	jar, err := cookiejar.New(nil)
	if err != nil {
		return fmt.Errorf("webrtc sim: %w", err)
	}
	c.hc = &http.Client{Jar: jar}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimSuffix(cfg.BaseURL, "/")+pathConfig, nil)
	if err != nil {
		return fmt.Errorf("webrtc sim: %w", err)
	}
	addHeader(req.Header, cfg.Header)
	resp, err := c.hc.Do(req)
	if err != nil {
		return fmt.Errorf("webrtc sim: config: %w", err)
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	return nil
}

// signalHTTP gathers every candidate, POSTs the offer and applies the answer.
func (c *caller) signalHTTP(ctx context.Context, cfg Config, res *Result) error {
	offer, err := c.pc.CreateOffer(nil)
	if err != nil {
		return fmt.Errorf("webrtc sim: offer: %w", err)
	}
	gathered := webrtc.GatheringCompletePromise(c.pc)
	if err := c.pc.SetLocalDescription(offer); err != nil {
		return fmt.Errorf("webrtc sim: offer: %w", err)
	}
	select {
	case <-gathered:
	case <-ctx.Done():
		return context.Cause(ctx)
	}
	body, _ := json.Marshal(map[string]string{"scenario": cfg.Scenario, "learner": cfg.Learner, "sdp": c.pc.LocalDescription().SDP})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimSuffix(cfg.BaseURL, "/")+pathOffer, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("webrtc sim: %w", err)
	}
	addHeader(req.Header, cfg.Header)
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.hc.Do(req)
	if err != nil {
		return fmt.Errorf("webrtc sim: offer: %w", err)
	}
	defer resp.Body.Close()
	var ans struct {
		CallID string `json:"call_id"`
		SDP    string `json:"sdp"`
		Error  string `json:"error"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&ans); err != nil || resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%w: %s %s", ErrRefused, resp.Status, ans.Error)
	}
	res.CallID = ans.CallID
	if err := c.pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: ans.SDP}); err != nil {
		return fmt.Errorf("webrtc sim: answer: %w", err)
	}
	return nil
}

// loop sends one 20 ms frame per tick as the director says, until the script hangs up,
// the server ends the call, or ctx ends.
func (c *caller) loop(ctx context.Context, print func(string, ...any), res *Result) error {
	frame, buf := make([]int16, media.Samples(media.Rate16k, media.FrameDuration)), make([]byte, 1500)
	tick := time.NewTicker(media.FrameDuration)
	defer tick.Stop()
	defer func() {
		c.startMu.Lock()
		res.Duration, res.PacketsReceived = time.Since(c.start), c.recv
		c.startMu.Unlock()
	}()
	for n := 0; ; n++ {
		now := time.Duration(n) * media.FrameDuration
		if c.dir.Frame(now, frame) {
			return nil
		}
		k, err := c.enc.EncodeInt16(frame, buf)
		if err != nil {
			return fmt.Errorf("webrtc sim: encode: %w", err)
		}
		if err := c.track.WriteSample(pmedia.Sample{Data: buf[:k], Duration: media.FrameDuration}); err != nil {
			return fmt.Errorf("webrtc sim: send: %w", err)
		}
		res.PacketsSent++
		select {
		case <-ctx.Done():
			return context.Cause(ctx)
		case <-c.gone:
			res.ServerClosed = true
			print("(the server ended the call)")
			return nil
		case <-tick.C:
		}
	}
}

func (c *caller) close() {
	c.closed.Do(func() {
		if c.ws != nil {
			c.ws.close()
		}
		_ = c.pc.GracefulClose()
		c.readers.Wait()
	})
}

// hangup tells the server the learner hung up; the call ends either way when the
// connection closes.
func hangup(base, id string, h http.Header) {
	if id == "" {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimSuffix(base, "/")+fmt.Sprintf(pathHangup, id), nil)
	if err != nil {
		return
	}
	addHeader(req.Header, h)
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
	}
}

func addHeader(dst, src http.Header) {
	for k, v := range src {
		dst[k] = append(dst[k], v...)
	}
}
