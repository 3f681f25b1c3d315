package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/pion/webrtc/v4"
	pmedia "github.com/pion/webrtc/v4/pkg/media"

	"github.com/sparlab/spar/media"
)

// rtcProbe is the WebRTC listening caller: a pion peer that offers like the learner page,
// sends Opus silence every 20 ms and timestamps every persona RTP packet as it arrives (the
// server sends one packet per 20 ms frame its playout writes, nothing while the persona is
// quiet). It decodes nothing: arrival times are all the pacing analysis needs.
type rtcProbe struct {
	base string
}

// rtcOffer and rtcAnswer are the HTTP signaling of telephony/webrtc (PathOffer).
type rtcOffer struct {
	Scenario string `json:"scenario"`
	Learner  string `json:"learner"`
	SDP      string `json:"sdp"`
}

type rtcAnswer struct {
	CallID string `json:"call_id"`
	Type   string `json:"type"`
	SDP    string `json:"sdp"`
	Error  string `json:"error,omitempty"`
}

// run holds a call open for d, then hangs up.
func (p rtcProbe) run(ctx context.Context, d time.Duration) (*probeResult, error) {
	silence, err := opusSilence()
	if err != nil {
		return nil, err
	}
	api, err := benchAPI()
	if err != nil {
		return nil, err
	}
	pc, err := api.NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		return nil, fmt.Errorf("probe: webrtc: %w", err)
	}
	res := &probeResult{arrivals: make([]time.Time, 0, int(d/media.FrameDuration))}
	var (
		readers sync.WaitGroup
		mu      sync.Mutex
		closed  bool // no arrival is noted once run returns, even from a late track
	)
	defer func() {
		_ = pc.Close()
		readers.Wait()
		mu.Lock()
		closed = true
		mu.Unlock()
	}()
	track, err := webrtc.NewTrackLocalStaticSample(benchOpus.RTPCodecCapability, "mic", "probe")
	if err != nil {
		return nil, fmt.Errorf("probe: webrtc: %w", err)
	}
	if _, err := pc.AddTrack(track); err != nil {
		return nil, fmt.Errorf("probe: webrtc: %w", err)
	}
	up, gone := make(chan struct{}), make(chan struct{})
	var upOnce, goneOnce sync.Once
	pc.OnConnectionStateChange(func(s webrtc.PeerConnectionState) {
		switch s {
		case webrtc.PeerConnectionStateConnected:
			upOnce.Do(func() { close(up) })
		case webrtc.PeerConnectionStateFailed, webrtc.PeerConnectionStateClosed, webrtc.PeerConnectionStateDisconnected:
			goneOnce.Do(func() { close(gone) })
		}
	})
	pc.OnTrack(func(t *webrtc.TrackRemote, _ *webrtc.RTPReceiver) {
		readers.Add(1)
		defer readers.Done()
		buf := make([]byte, 1500)
		for {
			if _, _, err := t.Read(buf); err != nil {
				return
			}
			now := time.Now()
			mu.Lock()
			if !closed {
				res.arrivals = append(res.arrivals, now)
			}
			mu.Unlock()
		}
	})
	if res.callID, err = p.dial(ctx, pc); err != nil {
		return nil, err
	}
	defer p.hangup(res.callID)
	select {
	case <-up:
	case <-gone:
		return nil, errors.New("probe: webrtc: connection failed")
	case <-ctx.Done():
		return nil, context.Cause(ctx)
	}
	tick := time.NewTicker(media.FrameDuration)
	defer tick.Stop()
	end := time.NewTimer(d)
	defer end.Stop()
	sample := pmedia.Sample{Data: silence, Duration: media.FrameDuration}
	// Every way out hangs up, then closes the peer and waits for the reader (the defers).
	for {
		select {
		case <-ctx.Done():
			return res, context.Cause(ctx)
		case <-gone:
			return res, nil // the persona hung up
		case <-end.C:
			return res, nil
		case <-tick.C:
			if err := track.WriteSample(sample); err != nil {
				return res, nil
			}
		}
	}
}

// dial sends the offer once candidates are gathered and applies the answer.
func (p rtcProbe) dial(ctx context.Context, pc *webrtc.PeerConnection) (string, error) {
	offer, err := pc.CreateOffer(nil)
	if err != nil {
		return "", fmt.Errorf("probe: webrtc offer: %w", err)
	}
	gathered := webrtc.GatheringCompletePromise(pc)
	if err := pc.SetLocalDescription(offer); err != nil {
		return "", fmt.Errorf("probe: webrtc offer: %w", err)
	}
	select {
	case <-gathered:
	case <-ctx.Done():
		return "", context.Cause(ctx)
	}
	body, _ := json.Marshal(rtcOffer{Scenario: benchScenario, Learner: "probe", SDP: pc.LocalDescription().SDP})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.base+"/webrtc/offer", bytes.NewReader(body))
	if err != nil {
		return "", fmt.Errorf("probe: webrtc offer: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", fmt.Errorf("probe: webrtc offer: %w", err)
	}
	defer resp.Body.Close()
	var ans rtcAnswer
	if err := json.NewDecoder(resp.Body).Decode(&ans); err != nil || resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("probe: webrtc offer refused: %s %s", resp.Status, ans.Error)
	}
	if err := pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: ans.SDP}); err != nil {
		return "", fmt.Errorf("probe: webrtc answer: %w", err)
	}
	return ans.CallID, nil
}

// hangup tells the server the probe hung up (once: the server answers 404 after).
func (p rtcProbe) hangup(id string) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.base+"/webrtc/calls/"+id+"/hangup", nil)
	if err != nil {
		return
	}
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
	}
}
