package main

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/pion/webrtc/v4"
	"github.com/thesyncim/gopus"

	"github.com/sparlab/spar/media"
	twsim "github.com/sparlab/spar/telephony/twilio/sim"
	rtcsim "github.com/sparlab/spar/telephony/webrtc/sim"
)

// benchScenario is the scenario every bench call practises (serve's Twilio default too).
const benchScenario = "double-charge"

// webrtcBench places browser calls: telephony/webrtc/sim callers (pion peers, Opus both
// ways, HTTP offer signaling) and rtcProbe listeners, all in this process. Their Opus
// encoding and decoding and their SRTP cost the load generator's CPU, not the server's:
// the report keeps the two apart.
type webrtcBench struct {
	synth twsim.Synthesizer
}

var _ benchTransport = webrtcBench{}

func (b webrtcBench) learner(ctx context.Context, base string, p roundPlan) (string, error) {
	r, err := rtcsim.Run(ctx, rtcsim.Config{BaseURL: base, Scenario: benchScenario, Learner: "bench", Script: p.script,
		Loopback: true, GreetTimeout: p.greet, ReplyTimeout: p.reply}, b.synth, nil)
	if err != nil {
		return "", err
	}
	return r.CallID, nil
}

func (b webrtcBench) listen(ctx context.Context, base string, i int, d time.Duration) (*probeResult, error) {
	return rtcProbe{base: base}.run(ctx, d)
}

// benchOpus is the Opus codec the bench's peers offer and the WebRTC floor answers with:
// what telephony/webrtc/sim and browsers offer.
var benchOpus = webrtc.RTPCodecParameters{RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeOpus,
	ClockRate: 48000, Channels: 2, SDPFmtpLine: "minptime=10;useinbandfec=1"}, PayloadType: 111}

// benchAPI returns a pion API with Opus only and loopback UDP candidates: every peer the bench
// runs, caller or floor, talks over 127.0.0.1.
func benchAPI() (*webrtc.API, error) {
	m := &webrtc.MediaEngine{}
	if err := m.RegisterCodec(benchOpus, webrtc.RTPCodecTypeAudio); err != nil {
		return nil, fmt.Errorf("bench: webrtc: %w", err)
	}
	se := webrtc.SettingEngine{}
	se.SetIncludeLoopbackCandidate(true)
	se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4})
	return webrtc.NewAPI(webrtc.WithMediaEngine(m), webrtc.WithSettingEngine(se)), nil
}

// opusSilence is one 20 ms Opus packet of silence at 16 kHz, encoded once: probes send it
// every frame, so a probe costs no encoder time per frame.
var opusSilence = sync.OnceValues(func() ([]byte, error) {
	enc, err := gopus.NewEncoder(gopus.EncoderConfig{SampleRate: media.Rate16k, Channels: 1, Application: gopus.ApplicationVoIP})
	if err != nil {
		return nil, fmt.Errorf("bench: opus: %w", err)
	}
	buf := make([]byte, 1500)
	n, err := enc.EncodeInt16(make([]int16, media.Samples(media.Rate16k, media.FrameDuration)), buf)
	if err != nil {
		return nil, fmt.Errorf("bench: opus: %w", err)
	}
	return buf[:n], nil
})
