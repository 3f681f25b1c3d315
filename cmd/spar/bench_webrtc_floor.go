package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/pion/webrtc/v4"
)

// rtcFloor is the WebRTC floor, the analogue of telephony/twilio/floor: it answers offers
// at Spar's signaling paths and echoes every inbound RTP packet straight back on its own
// track. ICE, DTLS and SRTP both ways, as Spar pays them; no Opus, no resampling, no voice
// detection, recording, dialog or storage.
type rtcFloor struct {
	api   *webrtc.API
	mu    sync.Mutex
	peers map[string]*webrtc.PeerConnection
	calls atomic.Int64
}

func newRTCFloor() (*rtcFloor, error) {
	api, err := benchAPI()
	if err != nil {
		return nil, err
	}
	return &rtcFloor{api: api, peers: map[string]*webrtc.PeerConnection{}}, nil
}

// Register adds the offer and hang-up endpoints, at telephony/webrtc's paths, to mux.
func (f *rtcFloor) Register(mux *http.ServeMux) {
	mux.HandleFunc("POST /webrtc/offer", f.serveOffer)
	mux.HandleFunc("POST /webrtc/calls/{id}/hangup", func(w http.ResponseWriter, r *http.Request) {
		f.drop(r.PathValue("id"))
		w.WriteHeader(http.StatusNoContent)
	})
}

func (f *rtcFloor) serveOffer(w http.ResponseWriter, r *http.Request) {
	var req rtcOffer
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10)).Decode(&req); err != nil {
		http.Error(w, `{"error":"bad offer"}`, http.StatusBadRequest)
		return
	}
	id := "floor" + strconv.FormatInt(f.calls.Add(1), 10)
	sdp, err := f.answer(r.Context(), id, req.SDP)
	if err != nil {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusInternalServerError)
		_ = json.NewEncoder(w).Encode(rtcAnswer{Error: err.Error()})
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(rtcAnswer{CallID: id, Type: "answer", SDP: sdp})
}

// answer builds the echoing peer for one offer and returns the answer SDP, candidates
// included.
func (f *rtcFloor) answer(ctx context.Context, id, offer string) (string, error) {
	pc, err := f.api.NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		return "", fmt.Errorf("floor: webrtc: %w", err)
	}
	out, err := webrtc.NewTrackLocalStaticRTP(benchOpus.RTPCodecCapability, "persona", "floor")
	if err == nil {
		_, err = pc.AddTrack(out)
	}
	if err != nil {
		pc.Close()
		return "", fmt.Errorf("floor: webrtc: %w", err)
	}
	f.mu.Lock()
	f.peers[id] = pc // before any state change can drop it
	f.mu.Unlock()
	pc.OnTrack(func(t *webrtc.TrackRemote, _ *webrtc.RTPReceiver) {
		for {
			pkt, _, err := t.ReadRTP()
			if err != nil {
				return
			}
			if out.WriteRTP(pkt) != nil {
				return
			}
		}
	})
	pc.OnConnectionStateChange(func(s webrtc.PeerConnectionState) {
		if s == webrtc.PeerConnectionStateFailed || s == webrtc.PeerConnectionStateDisconnected {
			go f.drop(id) // not from pion's own callback goroutine: Close waits for it
		}
	})
	if err := pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: offer}); err != nil {
		f.drop(id)
		return "", fmt.Errorf("floor: webrtc offer: %w", err)
	}
	ans, err := pc.CreateAnswer(nil)
	if err != nil {
		f.drop(id)
		return "", fmt.Errorf("floor: webrtc answer: %w", err)
	}
	gathered := webrtc.GatheringCompletePromise(pc)
	if err := pc.SetLocalDescription(ans); err != nil {
		f.drop(id)
		return "", fmt.Errorf("floor: webrtc answer: %w", err)
	}
	select {
	case <-gathered:
	case <-ctx.Done():
		f.drop(id)
		return "", context.Cause(ctx)
	}
	return pc.LocalDescription().SDP, nil
}

// drop closes one call's peer; unknown IDs (already dropped) are ignored.
func (f *rtcFloor) drop(id string) {
	f.mu.Lock()
	pc := f.peers[id]
	delete(f.peers, id)
	f.mu.Unlock()
	if pc != nil {
		_ = pc.Close()
	}
}

// Close closes every peer.
func (f *rtcFloor) Close() {
	f.mu.Lock()
	ids := make([]string, 0, len(f.peers))
	for id := range f.peers {
		ids = append(ids, id)
	}
	f.mu.Unlock()
	for _, id := range ids {
		f.drop(id)
	}
}
