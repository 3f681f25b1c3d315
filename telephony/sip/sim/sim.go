package sim

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
	"github.com/pion/rtp"
	"github.com/zaf/g711"

	"github.com/sparlab/spar/media"
	twsim "github.com/sparlab/spar/telephony/twilio/sim"
)

// Config describes one simulated SIP call.
type Config struct {
	Target    string // Spar's SIP listener, host:port
	Transport string // "udp" (default) or "tcp"
	To        string // number or extension dialed; default "100"
	From      string // caller ID; default "2001"
	Codec     string // "PCMU" (default) or "PCMA"
	// Username and Password answer a digest challenge.
	Username, Password string
	Script             twsim.Script // nil: say hello and hang up after the reply
	Voice              string       // flite voice for say steps; default twsim.DefaultVoice
	// GreetTimeout and ReplyTimeout bound the waits for the persona, as in the Twilio sim.
	GreetTimeout, ReplyTimeout time.Duration
	// Print, if set, gets live progress lines.
	Print func(format string, args ...any)
}

// ErrRefused is returned when Spar answers the INVITE with a final non-2xx status.
var ErrRefused = errors.New("sip sim: call refused")

// Result is what happened on one simulated call. Times are since the answer.
type Result struct {
	CallID          string // Spar's call ID (the X-Spar-Call-ID header of the 200 OK)
	Status          int    // the INVITE's final status
	Codec           string
	Duration        time.Duration
	PacketsSent     int
	PacketsReceived int
	Heard           []twsim.Segment // persona speech as received
	LearnerTurns    []twsim.Turn
	ServerClosed    bool // Spar sent BYE (the persona hung up)
}

func (c Config) withDefaults() Config {
	if c.Transport == "" {
		c.Transport = "udp"
	}
	if c.To == "" {
		c.To = "100"
	}
	if c.From == "" {
		c.From = "2001"
	}
	if c.Codec == "" {
		c.Codec = "PCMU"
	}
	if c.Voice == "" {
		c.Voice = twsim.DefaultVoice
	}
	if c.GreetTimeout == 0 {
		c.GreetTimeout = twsim.DefaultGreetTimeout
	}
	if c.ReplyTimeout == 0 {
		c.ReplyTimeout = twsim.DefaultReplyTimeout
	}
	if c.Print == nil {
		c.Print = func(string, ...any) {}
	}
	if len(c.Script) == 0 {
		c.Script = twsim.Script{{Say: "Hello, this is Sam. How can I help you today?"}}
	}
	return c
}

// Run places one simulated call and returns what happened. Spar ending the call is the
// persona hanging up, not an error; if ctx ends first the caller hangs up and Run returns
// the partial Result with ctx's cause.
func Run(ctx context.Context, cfg Config, synth twsim.Synthesizer, log *slog.Logger) (*Result, error) {
	cfg = cfg.withDefaults()
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if err := cfg.Script.Validate(); err != nil {
		return nil, err
	}
	pt := uint8(0)
	switch strings.ToUpper(cfg.Codec) {
	case "PCMU":
	case "PCMA":
		pt = 8
	default:
		return nil, fmt.Errorf("sip sim: codec %q is not PCMU or PCMA", cfg.Codec)
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
	ph, err := Dial(ctx, cfg, log)
	if err != nil {
		return nil, err
	}
	defer ph.Close()
	res := &Result{Codec: strings.ToUpper(cfg.Codec)}
	if err := ph.Call(ctx, OfferSDP(ph.MediaAddr(), pt)); err != nil {
		res.Status = ph.Status
		return res, err
	}
	res.Status, res.CallID = ph.Status, ph.CallID
	cfg.Print("connected: call %s (sip/%s, %s)", res.CallID, cfg.Transport, res.Codec)
	start := time.Now()
	listening := make(chan struct{})
	go func() {
		defer close(listening)
		ph.Listen(func(h *rtp.Header, payload []byte) { d.Hear(time.Since(start), ph.decode(h.PayloadType, payload)) })
	}()
	err = ph.loop(ctx, d, pt, res, cfg.Print)
	res.Duration = time.Since(start)
	res.PacketsReceived = int(ph.received.Load())
	if !res.ServerClosed {
		ph.Hangup()
	}
	ph.Close() // ends Listen
	<-listening
	res.Heard, res.LearnerTurns = d.Heard(), d.Turns()
	log.Info("simulated SIP call ended", "call_id", res.CallID, "duration", res.Duration,
		"sent", res.PacketsSent, "received", res.PacketsReceived, "server_closed", res.ServerClosed)
	return res, err
}

// loop sends one 20 ms frame per tick as the director says, until the script hangs up,
// Spar sends BYE, or ctx ends.
func (p *Phone) loop(ctx context.Context, d *twsim.PCMDirector, pt uint8, res *Result, print func(string, ...any)) error {
	frame, enc := make([]int16, media.Samples(media.Rate16k, media.FrameDuration)), make([]byte, 0, 160)
	var mid []int16
	down, err := media.NewResampler(media.WriterFunc(func(s []int16) error { mid = append(mid, s...); return nil }), media.Rate16k, media.Rate8k)
	if err != nil {
		return err
	}
	tick := time.NewTicker(media.FrameDuration)
	defer tick.Stop()
	for n := 0; ; n++ {
		if d.Frame(time.Duration(n)*media.FrameDuration, frame) {
			return nil
		}
		mid = mid[:0]
		_ = down.WriteSample(frame)
		enc = enc[:0]
		for _, s := range mid {
			if pt == 8 {
				enc = append(enc, g711.EncodeAlawFrame(s))
			} else {
				enc = append(enc, media.MulawEncode(s))
			}
		}
		if err := p.SendRTP(pt, enc, n == 0); err != nil {
			return fmt.Errorf("sip sim: send: %w", err)
		}
		res.PacketsSent++
		select {
		case <-ctx.Done():
			return context.Cause(ctx)
		case <-p.Ended():
			res.ServerClosed = true
			print("(Spar ended the call)")
			return nil
		case <-tick.C:
		}
	}
}

// Phone is one SIP caller's user agent and media socket: the pieces Run is made of, for
// tests that need to act between them (cancel while ringing, send odd SDP, press keys).
type Phone struct {
	cfg     Config
	log     *slog.Logger
	ua      *sipgo.UserAgent
	srv     *sipgo.Server
	dialogs *sipgo.DialogClientCache
	cancel  context.CancelFunc
	rtp     *net.UDPConn
	dialog  *sipgo.DialogClientSession
	remote  netip.AddrPort // Spar's RTP address from its answer

	Status int    // the INVITE's final status, once known
	CallID string // Spar's call ID, once answered

	mu       sync.Mutex
	hdr      rtp.Header
	buf      []byte
	received atomic.Int64
	closed   sync.Once
	up       *media.Resampler
	pcm      []int16
}

// Dial starts a user agent that can receive Spar's BYE and opens a media socket.
func Dial(ctx context.Context, cfg Config, log *slog.Logger) (*Phone, error) {
	cfg = cfg.withDefaults()
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if _, _, err := net.SplitHostPort(cfg.Target); err != nil {
		return nil, fmt.Errorf("sip sim: target %q: %w", cfg.Target, err)
	}
	local := localIPToward(cfg.Target)
	ua, err := sipgo.NewUA(sipgo.WithUserAgent("spar-call"))
	if err != nil {
		return nil, err
	}
	srv, err := sipgo.NewServer(ua, sipgo.WithServerLogger(log))
	if err != nil {
		ua.Close()
		return nil, err
	}
	client, err := sipgo.NewClient(ua, sipgo.WithClientLogger(log), sipgo.WithClientHostname(local.String()))
	if err != nil {
		ua.Close()
		return nil, err
	}
	// The phone's own listener: Spar sends BYE here.
	lctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	ready := make(chan string, 1)
	rctx := context.WithValue(lctx, sipgo.ListenReadyCtxKey, sipgo.ListenReadyFuncCtxValue(func(network, addr string) { ready <- addr }))
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe(rctx, cfg.Transport, net.JoinHostPort(local.String(), "0")) }()
	var addr string
	select {
	case addr = <-ready:
	case err := <-errc:
		cancel()
		ua.Close()
		return nil, fmt.Errorf("sip sim: listen: %w", err)
	}
	_, portStr, _ := net.SplitHostPort(addr)
	port, _ := strconv.Atoi(portStr)
	contact := sip.ContactHeader{Address: sip.Uri{Scheme: "sip", User: cfg.From, Host: local.String(), Port: port}}
	if cfg.Transport == "tcp" {
		contact.Address.UriParams = sip.NewParams()
		contact.Address.UriParams.Add("transport", "tcp")
	}
	conn, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.AddrPortFrom(local, 0)))
	if err != nil {
		cancel()
		ua.Close()
		return nil, fmt.Errorf("sip sim: rtp socket: %w", err)
	}
	var b [10]byte
	_, _ = rand.Read(b[:])
	p := &Phone{cfg: cfg, log: log, ua: ua, srv: srv, cancel: cancel, rtp: conn,
		dialogs: sipgo.NewDialogClientCache(client, contact), buf: make([]byte, 1500),
		hdr: rtp.Header{Version: 2, SSRC: binary.BigEndian.Uint32(b[:4]), SequenceNumber: binary.BigEndian.Uint16(b[4:6]),
			Timestamp: binary.BigEndian.Uint32(b[6:])}}
	p.up, _ = media.NewResampler(media.WriterFunc(func(s []int16) error { p.pcm = append(p.pcm, s...); return nil }), media.Rate8k, media.Rate16k)
	srv.OnBye(func(req *sip.Request, tx sip.ServerTransaction) {
		if err := p.dialogs.ReadBye(req, tx); err != nil {
			_ = tx.Respond(sip.NewResponseFromRequest(req, sip.StatusCallTransactionDoesNotExists, "Call/Transaction Does Not Exist", nil))
		}
	})
	return p, nil
}

// MediaAddr is where the phone receives RTP.
func (p *Phone) MediaAddr() netip.AddrPort {
	return p.rtp.LocalAddr().(*net.UDPAddr).AddrPort()
}

// Invite sends the INVITE with sdp (may be nil) without waiting for an answer.
func (p *Phone) Invite(ctx context.Context, sdp []byte) error {
	host, portStr, _ := net.SplitHostPort(p.cfg.Target)
	port, _ := strconv.Atoi(portStr)
	to := sip.Uri{Scheme: "sip", User: p.cfg.To, Host: host, Port: port}
	if p.cfg.Transport == "tcp" {
		to.UriParams = sip.NewParams()
		to.UriParams.Add("transport", "tcp")
	}
	req := sip.NewRequest(sip.INVITE, to)
	req.AppendHeader(&sip.FromHeader{Address: sip.Uri{Scheme: "sip", User: p.cfg.From, Host: localIPToward(p.cfg.Target).String()},
		Params: sip.HeaderParams{{K: "tag", V: sip.GenerateTagN(16)}}})
	if sdp != nil {
		req.SetBody(sdp)
		req.AppendHeader(sip.NewHeader("Content-Type", "application/sdp"))
	}
	if p.cfg.Transport == "tcp" {
		req.SetTransport("TCP")
	}
	d, err := p.dialogs.WriteInvite(ctx, req)
	if err != nil {
		return fmt.Errorf("sip sim: invite: %w", err)
	}
	p.dialog = d
	return nil
}

// Answer waits for the final response (answering a digest challenge), calling onResponse
// with each one, and ACKs a 2xx.
func (p *Phone) Answer(ctx context.Context, onResponse func(*sip.Response) error) error {
	err := p.dialog.WaitAnswer(ctx, sipgo.AnswerOptions{Username: p.cfg.Username, Password: p.cfg.Password,
		OnResponse: func(r *sip.Response) error {
			if !r.IsProvisional() {
				p.Status = r.StatusCode
			}
			if onResponse != nil {
				return onResponse(r)
			}
			return nil
		}})
	if err != nil {
		var de *sipgo.ErrDialogResponse
		if errors.As(err, &de) {
			p.Status = de.Res.StatusCode
			return fmt.Errorf("%w: %d %s", ErrRefused, de.Res.StatusCode, de.Res.Reason)
		}
		return err
	}
	res := p.dialog.InviteResponse
	if h := res.GetHeader("X-Spar-Call-ID"); h != nil {
		p.CallID = h.Value()
	}
	if ap, err := answerAddr(res.Body()); err == nil {
		p.mu.Lock()
		p.remote = ap
		p.mu.Unlock()
	}
	return p.dialog.Ack(ctx)
}

// Call is Invite then Answer.
func (p *Phone) Call(ctx context.Context, sdp []byte) error {
	if err := p.Invite(ctx, sdp); err != nil {
		return err
	}
	return p.Answer(ctx, nil)
}

// Ended is closed when the dialog ends (Spar's BYE).
func (p *Phone) Ended() <-chan struct{} { return p.dialog.Context().Done() }

// SendRTP sends one packet of payload to Spar's media address.
func (p *Phone) SendRTP(pt uint8, payload []byte, marker bool) error {
	return p.SendRTPAt(pt, payload, marker, 0)
}

// SendRTPAt sends one packet with its timestamp moved by skew ticks first (to fake gaps).
func (p *Phone) SendRTPAt(pt uint8, payload []byte, marker bool, skew uint32) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.hdr.Timestamp += skew
	p.hdr.PayloadType, p.hdr.Marker = pt, marker
	n, err := p.hdr.MarshalTo(p.buf)
	if err != nil {
		return err
	}
	n += copy(p.buf[n:], payload)
	p.hdr.SequenceNumber++
	if pt == 0 || pt == 8 {
		p.hdr.Timestamp += uint32(len(payload))
	}
	_, err = p.rtp.WriteToUDPAddrPort(p.buf[:n], p.remote)
	return err
}

// SendDTMF sends key as RFC 4733 telephone-events with payload type pt: three updates and
// three end packets, one timestamp.
func (p *Phone) SendDTMF(pt uint8, key byte) error {
	ev := byte(strings.IndexByte("0123456789*#ABCD", key))
	for i := 0; i < 6; i++ {
		end := byte(0)
		if i >= 3 {
			end = 0x80
		}
		dur := uint16(160 * (i + 1))
		payload := []byte{ev, end | 10, byte(dur >> 8), byte(dur)}
		p.mu.Lock()
		p.hdr.PayloadType, p.hdr.Marker = pt, i == 0
		n, _ := p.hdr.MarshalTo(p.buf)
		n += copy(p.buf[n:], payload)
		p.hdr.SequenceNumber++
		remote := p.remote
		_, err := p.rtp.WriteToUDPAddrPort(p.buf[:n], remote)
		p.mu.Unlock()
		if err != nil {
			return err
		}
	}
	p.mu.Lock()
	p.hdr.Timestamp += 960
	p.mu.Unlock()
	return nil
}

// Listen reads Spar's RTP until the phone closes, handing each packet to fn.
func (p *Phone) Listen(fn func(h *rtp.Header, payload []byte)) {
	buf := make([]byte, 1500)
	var pkt rtp.Packet
	for {
		n, err := p.rtp.Read(buf)
		if err != nil {
			return
		}
		if pkt.Unmarshal(buf[:n]) != nil {
			continue
		}
		p.received.Add(1)
		fn(&pkt.Header, pkt.Payload)
	}
}

// decode turns a G.711 payload into 16 kHz PCM (valid until the next call).
func (p *Phone) decode(pt uint8, payload []byte) []int16 {
	pcm8 := make([]int16, len(payload))
	for i, b := range payload {
		if pt == 8 {
			pcm8[i] = g711.DecodeAlawFrame(b)
		} else {
			pcm8[i] = media.MulawDecode(b)
		}
	}
	p.pcm = p.pcm[:0]
	_ = p.up.WriteSample(pcm8)
	return p.pcm
}

// Hangup sends BYE (or CANCEL while ringing is Answer's ctx's job).
func (p *Phone) Hangup() {
	if p.dialog == nil || p.dialog.LoadState() >= sip.DialogStateEnded {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := p.dialog.Bye(ctx); err != nil {
		p.log.Debug("sip sim: bye", "err", err)
	}
}

// Close releases the phone's sockets and user agent.
func (p *Phone) Close() {
	p.closed.Do(func() {
		p.rtp.Close()
		if p.dialog != nil {
			p.dialog.Close()
		}
		p.cancel()
		p.ua.Close()
	})
}

// OfferSDP is a plain G.711 offer from addr with telephone-event 101.
func OfferSDP(addr netip.AddrPort, pt uint8) []byte {
	name := "PCMU"
	if pt == 8 {
		name = "PCMA"
	}
	return []byte(fmt.Sprintf("v=0\r\no=- 1 1 IN IP4 %s\r\ns=call\r\nc=IN IP4 %s\r\nt=0 0\r\nm=audio %d RTP/AVP %d 101\r\n"+
		"a=rtpmap:%d %s/8000\r\na=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-15\r\na=sendrecv\r\n",
		addr.Addr(), addr.Addr(), addr.Port(), pt, pt, name))
}

// answerAddr reads the connection address and audio port of an SDP answer.
func answerAddr(sdp []byte) (netip.AddrPort, error) {
	var ip netip.Addr
	port := 0
	for _, l := range strings.Split(string(sdp), "\n") {
		l = strings.TrimSpace(l)
		if v, ok := strings.CutPrefix(l, "c=IN IP4 "); ok {
			ip, _ = netip.ParseAddr(v)
		}
		if v, ok := strings.CutPrefix(l, "m=audio "); ok {
			port, _ = strconv.Atoi(strings.Fields(v)[0])
		}
	}
	if !ip.IsValid() || port == 0 {
		return netip.AddrPort{}, fmt.Errorf("sip sim: no address in the answer")
	}
	return netip.AddrPortFrom(ip, uint16(port)), nil
}

// localIPToward is this host's address on the route to target (no packet is sent).
func localIPToward(target string) netip.Addr {
	c, err := net.Dial("udp", target)
	if err != nil {
		return netip.AddrFrom4([4]byte{127, 0, 0, 1})
	}
	defer c.Close()
	return c.LocalAddr().(*net.UDPAddr).AddrPort().Addr().Unmap()
}

// Reinvite sends an INVITE within the call with sdp (hold, resume, a move) and ACKs a 2xx;
// it returns the final status.
func (p *Phone) Reinvite(ctx context.Context, sdp []byte) (int, error) {
	contact := p.dialog.InviteResponse.Contact()
	if contact == nil {
		return 0, errors.New("sip sim: the answer had no Contact")
	}
	req := sip.NewRequest(sip.INVITE, contact.Address)
	req.SetBody(sdp)
	req.AppendHeader(sip.NewHeader("Content-Type", "application/sdp"))
	res, err := p.dialog.Do(ctx, req)
	if err != nil {
		return 0, fmt.Errorf("sip sim: re-INVITE: %w", err)
	}
	if res.IsSuccess() {
		if err := p.dialog.WriteAck(ctx, sip.NewRequest(sip.ACK, contact.Address)); err != nil {
			return res.StatusCode, fmt.Errorf("sip sim: ACK: %w", err)
		}
	}
	return res.StatusCode, nil
}
