package sip

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"

	"github.com/sparlab/spar/telephony"
)

// registry counts admitted calls (its Drain refuses new ones once draining) and finds a
// live call by its SIP dialog ID.
type registry struct {
	telephony.Drain
	mu   sync.Mutex
	live map[string]*session
}

func (g *registry) init() { g.live = map[string]*session{} }

func (g *registry) put(id string, s *session) {
	g.mu.Lock()
	g.live[id] = s
	g.mu.Unlock()
}

func (g *registry) remove(id string) {
	g.mu.Lock()
	delete(g.live, id)
	g.mu.Unlock()
}

func (g *registry) get(id string) (*session, bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	s, ok := g.live[id]
	return s, ok
}

// session is one answered SIP call: its dialog, media socket, the Call the handler gets,
// and two goroutines (the RTP reader and the RTP watchdog), both stopped when run returns.
type session struct {
	dialog  *sipgo.DialogServerSession
	conn    *rtpConn
	sipPeer netip.Addr
	call    *telephony.Call
	sink    *sink
	in      *inbound
	quiet   atomic.Bool // the caller sends nothing (recvonly or inactive): no RTP timeout

	mu      sync.Mutex // guards the SDP version
	sdpID   uint64
	sdpVer  uint64
	readers sync.WaitGroup
}

// apply takes an (re-)offer: where to send, which law, which DTMF type, which direction.
func (ss *session) apply(o offer) {
	ss.conn.target(o.rtp, ss.sipPeer)
	ss.sink.law.Store(uint32(o.codec))
	held := o.direction == "sendonly" || o.direction == "inactive"
	ss.sink.mute.Store(held)
	ss.in.held.Store(held) // what a held line carries is the PBX's music, not the learner
	ss.quiet.Store(o.direction == "recvonly" || o.direction == "inactive")
	ss.in.dtmfPT.Store(int32(o.dtmf))
}

// answer returns the SDP answering o, with the next session version.
func (ss *session) answer(ip netip.Addr, o offer) []byte {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	ss.sdpVer++
	return answerSDP(ip, ss.conn.port(), o, ss.sdpID, ss.sdpVer)
}

// onInvite routes an INVITE: a new call, or a re-INVITE within a live one.
func (s *Server) onInvite(req *sip.Request, tx sip.ServerTransaction) {
	if to := req.To(); to != nil && to.Params != nil && to.Params.Has("tag") {
		s.reinvite(req, tx)
		return
	}
	s.serveInvite(req, tx)
}

// serveInvite is one call, from INVITE to hang-up, in the INVITE's own goroutine: checks
// (auth, SDP, route, admission) each answered with its own status, ringing, answer, the
// handler, and BYE when the handler returns.
func (s *Server) serveInvite(req *sip.Request, tx sip.ServerTransaction) {
	log := s.log.With("sip_call_id", callIDOf(req), "source", req.Source())
	if s.auth != nil {
		if res := s.auth.check(req); res != nil {
			if res.StatusCode == sip.StatusForbidden {
				s.count("unauthorized")
				log.Warn("sip INVITE with wrong digest credentials")
			}
			_ = tx.Respond(res)
			return
		}
	}
	d, err := s.dialogsFor(req).ReadInvite(req, tx)
	if err != nil {
		log.Info("sip INVITE refused: not a dialog-forming request", "err", err)
		_ = tx.Respond(sip.NewResponseFromRequest(req, sip.StatusBadRequest, "Bad Request", nil))
		return
	}
	defer d.Close()
	from, to := "", req.Recipient.User
	if f := req.From(); f != nil {
		from = f.Address.User
	}
	if to == "" && req.To() != nil {
		to = req.To().Address.User
	}
	log = log.With("from", clip(from), "to", clip(to))
	off, err := parseOffer(req.Body())
	if err != nil {
		s.refuse(d, err, log)
		return
	}
	scenario, learner, err := s.route(to, from)
	if err != nil {
		s.refuse(d, err, log)
		return
	}
	if err := s.admit(); err != nil {
		s.refuse(d, err, log)
		return
	}
	s.wg.Add(1)
	defer s.wg.Done()
	defer s.calls.Done()
	_ = d.Respond(sip.StatusTrying, "Trying", nil)
	_ = d.Respond(sip.StatusRinging, "Ringing", nil)
	if s.cfg.RingTime > 0 {
		t := time.NewTimer(s.cfg.RingTime)
		select {
		case <-t.C:
		case <-d.Context().Done():
			t.Stop()
			s.count("cancelled")
			log.Info("sip call cancelled while ringing", "cause", ErrCancelled)
			return
		case <-s.life.Done():
			t.Stop()
			s.refuse(d, ErrDraining, log)
			return
		}
	}
	info := telephony.Info{ID: s.newID(), Transport: "sip", ExternalID: callIDOf(req), From: from, To: to,
		Scenario: scenario, Learner: learner, Started: s.now(),
		Params: map[string]string{"codec": law(off.codec).String(), "sip_transport": req.Transport(), "source": req.Source()}}
	log = log.With("call_id", info.ID, "scenario", scenario)
	s.run(d, req, info, off, log)
}

// run answers and runs the call until it ends, then hangs up and waits for its goroutines.
func (s *Server) run(d *sipgo.DialogServerSession, req *sip.Request, info telephony.Info, off offer, log *slog.Logger) {
	ctx, cancel := context.WithCancelCause(s.life)
	defer cancel(nil)
	conn, err := listenRTP(s.bindIP, s.cfg.RTPPortMin, s.cfg.RTPPortMax)
	if err != nil {
		log.Error("sip call: no media port", "err", err)
		_ = d.Respond(sip.StatusServiceUnavailable, "Service Unavailable", nil)
		return
	}
	defer conn.close() // ends the reader
	ss := &session{dialog: d, conn: conn, sipPeer: sourceAddr(req.Source()), sdpID: uint64(s.now().UnixNano()) & (1<<62 - 1)}
	ss.sink = newSink(conn, off.codec, s.now, cancel)
	ss.call = telephony.NewCall(info, ss.sink, cancel)

	// The 200 names Spar's call ID for the PBX's logs. WriteResponse returns once the
	// caller ACKs (or fails: CANCEL, no ACK).
	ok := sip.NewSDPResponseFromRequest(d.InviteRequest, ss.answer(s.mediaIP(req), off))
	ok.AppendHeader(sip.NewHeader("X-Spar-Call-ID", info.ID))
	if err := d.WriteResponse(ok); err != nil {
		if d.Context().Err() != nil {
			s.count("cancelled")
			log.Info("sip call ended before it was answered", "cause", ErrCancelled)
			return
		}
		log.Warn("sip answer failed", "err", err)
		return
	}
	// The call's clock starts at the ACK; re-INVITEs find the call from now on.
	ss.in = newInbound(ss.call.Deliver, ss.call.Discard, ss.call.Notify, s.now)
	ss.apply(off)
	s.calls.put(d.ID, ss)
	defer s.calls.remove(d.ID)
	hungUp := context.AfterFunc(d.Context(), func() { cancel(ErrLearnerHungUp) })
	defer hungUp()
	ss.readers.Add(2)
	go func() {
		defer ss.readers.Done()
		conn.read(ss.in.packet, func() { ss.in.bad.Add(1); ss.call.Discard(1) }, &ss.in.foreign)
	}()
	go func() { defer ss.readers.Done(); ss.clock(ctx, cancel, s.cfg.RTPTimeout, s.now) }()

	log.Info("sip call started", "learner", info.Learner, "codec", info.Params["codec"], "dtmf", off.dtmf >= 0)
	cancel(s.runHandler(ctx, ss.call, log))

	ss.sink.shut()
	if d.LoadState() < sip.DialogStateEnded {
		hctx, stop := context.WithTimeout(context.Background(), 5*time.Second)
		if err := d.Bye(hctx); err != nil {
			log.Debug("sip: hang up", "err", err)
		}
		stop()
	}
	_ = conn.close()
	ss.readers.Wait()
	ss.summary(log, context.Cause(ctx))
}

// reinvite answers an INVITE within a live call (hold, resume, a media move): its SDP is
// checked like the first, then the session follows it.
func (s *Server) reinvite(req *sip.Request, tx sip.ServerTransaction) {
	id, err := sip.DialogIDFromRequestUAS(req)
	ss, ok := s.calls.get(id)
	if err != nil || !ok {
		_ = tx.Respond(sip.NewResponseFromRequest(req, sip.StatusCallTransactionDoesNotExists, "Call/Transaction Does Not Exist", nil))
		return
	}
	if err := ss.dialog.ReadRequest(req, tx); err != nil {
		_ = tx.Respond(sip.NewResponseFromRequest(req, sip.StatusInternalServerError, "Server Internal Error", nil))
		return
	}
	o := ss.current()
	if len(req.Body()) > 0 {
		if o, err = parseOffer(req.Body()); err != nil {
			s.count("bad_sdp")
			s.log.Warn("sip re-INVITE with unusable SDP; the call goes on as it was", "call_id", ss.call.ID, "err", err)
			res := sip.NewResponseFromRequest(req, sip.StatusNotAcceptableHere, "Not Acceptable Here", nil)
			res.AppendHeader(sip.NewHeader("Warning", `399 spar "`+warningText(err)+`"`))
			_ = tx.Respond(res)
			return
		}
		ss.apply(o)
		s.log.Info("sip call renegotiated", "call_id", ss.call.ID, "direction", o.direction, "codec", law(o.codec).String())
	}
	res := sip.NewSDPResponseFromRequest(req, ss.answer(s.mediaIP(req), o))
	if c := ss.dialog.InviteResponse; c != nil && c.Contact() != nil {
		res.AppendHeader(c.Contact())
	}
	_ = tx.Respond(res)
}

// current is the session's offer as last applied, for a re-INVITE without SDP.
func (ss *session) current() offer {
	o := offer{codec: uint8(ss.sink.law.Load()), dtmf: int(ss.in.dtmfPT.Load()), direction: "sendrecv"}
	ss.conn.mu.Lock()
	o.rtp = ss.conn.remote
	ss.conn.mu.Unlock()
	switch {
	case ss.sink.mute.Load() && ss.quiet.Load():
		o.direction = "inactive"
	case ss.sink.mute.Load():
		o.direction = "sendonly"
	case ss.quiet.Load():
		o.direction = "recvonly"
	}
	return o
}

// mediaIP is the address the SDP announces: external_ip, the listen address, or the local
// address of the route back to the caller.
func (s *Server) mediaIP(req *sip.Request) netip.Addr {
	if !s.publicIP.IsUnspecified() {
		return s.publicIP
	}
	if c, err := net.Dial("udp", req.Source()); err == nil { // no packet is sent
		defer c.Close()
		return c.LocalAddr().(*net.UDPAddr).AddrPort().Addr().Unmap()
	}
	return outboundIP()
}

func (s *Server) runHandler(ctx context.Context, call *telephony.Call, log *slog.Logger) (err error) {
	defer func() {
		if v := recover(); v != nil {
			log.Error("sip call handler panicked", "panic", v, "stack", string(debug.Stack()))
			err = fmt.Errorf("sip: call handler panicked: %v", v)
		}
	}()
	if err := s.handler(ctx, call); err != nil {
		return err
	}
	return ErrHandlerDone
}

// clock runs every 20 ms while the call lasts: it fills the caller's silences (inbound.tick)
// and ends the call when the caller has sent nothing for timeout, unless it said it would
// not send (recvonly or inactive).
func (ss *session) clock(ctx context.Context, cancel context.CancelCauseFunc, timeout time.Duration, now func() time.Time) {
	t := time.NewTicker(frameDuration)
	defer t.Stop()
	heard := func() uint64 {
		return ss.in.packets.Load() + ss.in.keys.Load() + ss.in.foreign.Load() + ss.in.other.Load()
	}
	last, lastAt := heard(), now()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		ss.in.tick()
		if n := heard(); n != last || ss.quiet.Load() {
			last, lastAt = n, now()
		} else if now().Sub(lastAt) >= timeout {
			cancel(ErrRTPTimeout)
			return
		}
	}
}

// summary logs what the call carried.
func (ss *session) summary(log *slog.Logger, cause error) {
	packets, spurts := ss.sink.stats()
	in := ss.in
	lvl := slog.LevelInfo
	if !errors.Is(cause, ErrHandlerDone) && !errors.Is(cause, telephony.ErrFarEndHangup) {
		lvl = slog.LevelWarn
	}
	log.Log(context.Background(), lvl, "sip call ended", "cause", cause, "packets_out", packets, "talkspurts", spurts,
		"sent", ss.sink.Played(), "packets_in", in.packets.Load(), "late", in.late.Load(), "bad", in.bad.Load(),
		"gaps", in.gaps.Load(), "clamped", in.clamped.Load(), "silence_filled", time.Duration(in.synth.Load())*time.Second/telephony.Rate, "dtmf", in.keys.Load(), "foreign", in.foreign.Load(),
		"learner_audio", in.now())
}

func callIDOf(req *sip.Request) string {
	if h := req.CallID(); h != nil {
		return h.Value()
	}
	return ""
}

// sourceAddr is the IP of a request's host:port source.
func sourceAddr(source string) netip.Addr {
	ap, err := netip.ParseAddrPort(source)
	if err != nil {
		return netip.Addr{}
	}
	return ap.Addr().Unmap()
}
