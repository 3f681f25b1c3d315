package webrtc

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync"
	"time"

	"github.com/pion/webrtc/v4"

	"github.com/sparlab/spar/telephony"
)

// session is one browser call: its PeerConnection, the Call the handler gets, and the
// goroutines that serve it (the run, the learner audio reader, the RTCP drain). All of them
// have stopped when run returns.
type session struct {
	srv    *Server
	log    *slog.Logger
	call   *telephony.Call
	ctx    context.Context
	cancel context.CancelCauseFunc
	pc     *webrtc.PeerConnection
	track  *webrtc.TrackLocalStaticRTP
	sink   *sink

	connected chan struct{}
	// connecting releases the offer's pending slot (Server.acquirePending): when the call
	// connects, or when it ends without connecting (ConnectTimeout, hang-up).
	connecting func()
	connOnce   sync.Once

	mu      sync.Mutex // guards closing and reading; readers.Add happens under it
	closing bool
	reading bool
	readers sync.WaitGroup
	in      *inbound
	closed  sync.Once
}

// newSession creates the PeerConnection and the Call for info; nothing runs yet.
func (s *Server) newSession(info telephony.Info, codec webrtc.RTPCodecParameters) (*session, error) {
	out, err := newSendPath(codec.MimeType, s.cfg.OpusBitrate)
	if err != nil {
		return nil, err
	}
	pc, err := s.api.NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		return nil, fmt.Errorf("webrtc: new peer connection: %w", err)
	}
	track, err := webrtc.NewTrackLocalStaticRTP(codec.RTPCodecCapability, "persona", "spar")
	if err != nil {
		_ = pc.Close()
		return nil, fmt.Errorf("webrtc: new track: %w", err)
	}
	ctx, cancel := context.WithCancelCause(s.life)
	ss := &session{srv: s, ctx: ctx, cancel: cancel, pc: pc, track: track, connected: make(chan struct{}), connecting: func() {},
		log: s.log.With("call_id", info.ID, "scenario", info.Scenario)}
	seq, ts := randomRTPStart()
	ss.sink = newSink(track, out, seq, ts, s.now, cancel)
	ss.call = telephony.NewCall(info, ss.sink, cancel)
	pc.OnTrack(ss.onTrack)
	pc.OnConnectionStateChange(ss.onState)
	return ss, nil
}

// negotiate applies the offer and returns the answer: with every candidate in it when
// trickle is nil, else at once, trickle getting the candidates as they are gathered.
func (ss *session) negotiate(ctx context.Context, offer string, trickle func(*webrtc.ICECandidate)) (string, error) {
	err := ss.pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: offer})
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrBadOffer, err)
	}
	sender, err := ss.pc.AddTrack(ss.track)
	if err != nil {
		return "", fmt.Errorf("%w: cannot send audio to it: %v", ErrBadOffer, err)
	}
	if !ss.startReader(func() { drainRTCP(sender) }) {
		return "", ErrPeerClosed
	}
	answer, err := ss.pc.CreateAnswer(nil)
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrBadOffer, err)
	}
	if trickle != nil {
		ss.pc.OnICECandidate(trickle)
		if err := ss.pc.SetLocalDescription(answer); err != nil {
			return "", fmt.Errorf("webrtc: set local description: %w", err)
		}
		return ss.pc.LocalDescription().SDP, nil
	}
	gathered := webrtc.GatheringCompletePromise(ss.pc)
	if err := ss.pc.SetLocalDescription(answer); err != nil {
		return "", fmt.Errorf("webrtc: set local description: %w", err)
	}
	t := time.NewTimer(ss.srv.cfg.GatherTimeout)
	defer t.Stop()
	select {
	case <-gathered:
	case <-t.C:
		ss.log.Warn("webrtc: candidate gathering timed out; answering with what there is")
	case <-ctx.Done():
		return "", context.Cause(ctx)
	}
	return ss.pc.LocalDescription().SDP, nil
}

// drainRTCP reads the sender's RTCP so the interceptors (NACK, reports) see it.
func drainRTCP(sender *webrtc.RTPSender) {
	buf := make([]byte, 1500)
	for {
		if _, _, err := sender.Read(buf); err != nil {
			return
		}
	}
}

// startReader runs fn in a goroutine the session waits for, unless it is closing.
func (ss *session) startReader(fn func()) bool {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	if ss.closing {
		return false
	}
	ss.readers.Add(1)
	go func() {
		defer ss.readers.Done()
		fn()
	}()
	return true
}

// onTrack starts reading the learner's first audio track.
func (ss *session) onTrack(t *webrtc.TrackRemote, _ *webrtc.RTPReceiver) {
	if t.Kind() != webrtc.RTPCodecTypeAudio {
		return
	}
	cp, err := newReceivePath(t.Codec().MimeType)
	if err != nil {
		ss.log.Warn("webrtc: learner audio in an unusable codec", "codec", t.Codec().MimeType)
		ss.cancel(err)
		return
	}
	ss.mu.Lock()
	first := !ss.reading
	ss.reading = true
	ss.mu.Unlock()
	if !first {
		return
	}
	in := newInbound(ss.call.Deliver, ss.call.Discard, cp, ss.srv.now)
	if ss.startReader(func() { in.run(t) }) {
		ss.mu.Lock()
		ss.in = in
		ss.mu.Unlock()
	}
}

// onState ends the call when the connection goes: ICE failing before it ever connected,
// staying disconnected past DisconnectGrace (ICE then reports failed), or closing.
func (ss *session) onState(st webrtc.PeerConnectionState) {
	ss.log.Debug("webrtc connection state", "state", st.String())
	switch st {
	case webrtc.PeerConnectionStateConnected:
		ss.connOnce.Do(func() { close(ss.connected) })
	case webrtc.PeerConnectionStateDisconnected:
		ss.log.Info("webrtc connection interrupted; waiting for it to come back", "grace", ss.srv.cfg.DisconnectGrace)
	case webrtc.PeerConnectionStateFailed:
		select {
		case <-ss.connected:
			ss.cancel(ErrDisconnected)
		default:
			ss.cancel(ErrICEFailed)
		}
	case webrtc.PeerConnectionStateClosed:
		ss.cancel(ErrPeerClosed)
	}
}

// run waits for the connection, runs the handler, and tears the session down.
func (ss *session) run() {
	defer ss.srv.wg.Done()
	defer ss.srv.calls.remove(ss.call.ID)
	defer ss.connecting()
	stopAfter := context.AfterFunc(ss.ctx, ss.close) // any end of the call closes the connection
	defer stopAfter()
	t := time.NewTimer(ss.srv.cfg.ConnectTimeout)
	select {
	case <-ss.connected:
		t.Stop()
		ss.connecting()
		ss.log.Info("webrtc call started", "learner", ss.call.Learner, "codec", ss.call.Params["codec"])
		ss.cancel(ss.runHandler())
	case <-t.C:
		ss.cancel(ErrConnectTimeout)
	case <-ss.ctx.Done():
		t.Stop()
	}
	ss.close()
	ss.readers.Wait()
	ss.summary(context.Cause(ss.ctx))
}

func (ss *session) runHandler() (err error) {
	defer func() {
		if v := recover(); v != nil {
			ss.log.Error("webrtc call handler panicked", "panic", v, "stack", string(debug.Stack()))
			err = fmt.Errorf("webrtc: call handler panicked: %v", v)
		}
	}()
	if err := ss.srv.handler(ss.ctx, ss.call); err != nil {
		return err
	}
	return ErrHandlerDone
}

// close closes the PeerConnection once; its tracks then end, and with them the readers.
func (ss *session) close() {
	ss.closed.Do(func() {
		ss.mu.Lock()
		ss.closing = true
		ss.mu.Unlock()
		ss.sink.shut()
		if err := ss.pc.GracefulClose(); err != nil {
			ss.log.Debug("webrtc: close peer connection", "err", err)
		}
	})
}

// abort ends a session that never ran (the offer failed after the PeerConnection existed).
func (ss *session) abort(cause error) {
	ss.cancel(cause)
	ss.close()
	ss.readers.Wait()
}

// summary logs what the call carried.
func (ss *session) summary(cause error) {
	packets, spurts, sent := ss.sink.stats()
	attrs := []any{"cause", cause, "packets_out", packets, "talkspurts", spurts, "sent", sent}
	ss.mu.Lock()
	if in := ss.in; in != nil {
		attrs = append(attrs, "packets_in", in.packets, "late", in.late, "bad", in.bad, "gaps", in.gaps,
			"clamped", in.clamped, "clamped_audio", time.Duration(in.wall.Dropped())*time.Second/telephony.Rate,
			"learner_audio", time.Duration(in.pos)*time.Second/telephony.Rate)
	}
	ss.mu.Unlock()
	lvl := slog.LevelInfo
	if !errors.Is(cause, ErrHandlerDone) && !errors.Is(cause, telephony.ErrFarEndHangup) {
		lvl = slog.LevelWarn
	}
	ss.log.Log(context.Background(), lvl, "webrtc call ended", attrs...)
}
