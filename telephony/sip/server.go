package sip

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"

	"github.com/sparlab/spar/telephony"
)

// Scenarios is what the server needs of the scenario catalog.
type Scenarios interface {
	Title(id string) (title string, ok bool)
}

// Server answers SIP calls from a PBX or trunk and runs each as a telephony.Call.
type Server struct {
	cfg       Config
	scenarios Scenarios
	handler   telephony.Handler
	log       *slog.Logger
	allow     []netip.Prefix
	auth      *digestAuth // nil without a username
	bindIP    netip.Addr  // media sockets bind here
	publicIP  netip.Addr  // and are announced as this in SDP (the unspecified address: ask the route)
	port      int
	ua        *sipgo.UserAgent
	srv       *sipgo.Server
	dialogs   map[string]*sipgo.DialogServerCache // by transport: a dialog's BYE goes out on its own
	now       func() time.Time
	newID     func() string

	calls     registry
	wg        sync.WaitGroup // one per admitted INVITE until its function returns
	life      context.Context
	stop      context.CancelCauseFunc
	listening context.CancelFunc
	served    sync.WaitGroup // the listeners
	closeOnce sync.Once
	closeErr  error

	refusedMu sync.Mutex
	refused   map[string]uint64
}

// NewServer checks cfg and prepares the SIP stack; Start begins listening.
func NewServer(cfg Config, scenarios Scenarios, handler telephony.Handler, log *slog.Logger) (*Server, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if !cfg.Enabled() {
		return nil, errors.New("sip: new server: listen is not set")
	}
	if scenarios == nil || handler == nil {
		return nil, errors.New("sip: new server: scenarios and handler are required")
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	allow, _ := parseAllow(cfg.AllowFrom) // Validate parsed it
	host, portStr, _ := net.SplitHostPort(cfg.Listen)
	port, err := strconv.Atoi(portStr)
	if err != nil || port < 1 || port > 65535 {
		return nil, fmt.Errorf("sip: listen: %q needs a port", cfg.Listen)
	}
	bind := netip.IPv4Unspecified()
	if host != "" {
		if bind, err = netip.ParseAddr(host); err != nil {
			return nil, fmt.Errorf("sip: listen: %q: the host must be an IP address", cfg.Listen)
		}
	}
	public := bind
	if cfg.ExternalIP != "" {
		public, _ = netip.ParseAddr(cfg.ExternalIP) // Validate parsed it
	}
	ua, err := sipgo.NewUA(sipgo.WithUserAgent("Spar"))
	if err != nil {
		return nil, fmt.Errorf("sip: user agent: %w", err)
	}
	log = log.With("transport", "sip")
	srv, err := sipgo.NewServer(ua, sipgo.WithServerLogger(log))
	if err != nil {
		return nil, fmt.Errorf("sip: server: %w", err)
	}
	client, err := sipgo.NewClient(ua, sipgo.WithClientLogger(log))
	if err != nil {
		return nil, fmt.Errorf("sip: client: %w", err)
	}
	s := &Server{cfg: cfg, scenarios: scenarios, handler: handler, log: log, allow: allow, bindIP: bind.Unmap(),
		publicIP: public.Unmap(), port: port, ua: ua, srv: srv, dialogs: map[string]*sipgo.DialogServerCache{},
		now: time.Now, newID: newCallID, refused: map[string]uint64{}}
	if cfg.Username != "" {
		s.auth = newDigestAuth(cfg.Username, cfg.Password, cfg.Realm, time.Now)
	}
	contactHost := s.publicIP
	if contactHost.IsUnspecified() {
		contactHost = outboundIP()
	}
	for _, t := range cfg.Transports {
		contact := sip.ContactHeader{Address: sip.Uri{Scheme: "sip", User: "spar", Host: contactHost.String(), Port: port}}
		if t == "tcp" {
			contact.Address.UriParams = sip.NewParams()
			contact.Address.UriParams.Add("transport", "tcp")
		}
		s.dialogs[t] = sipgo.NewDialogServerCache(client, contact)
	}
	srv.OnInvite(s.guard(s.onInvite))
	srv.OnAck(s.guard(s.onAck))
	srv.OnBye(s.guard(s.onBye))
	srv.OnCancel(s.guard(func(req *sip.Request, tx sip.ServerTransaction) {
		// A CANCEL matching a ringing INVITE is handled by the transaction layer (the INVITE
		// gets 487 and its dialog ends); one that reaches here matches nothing.
		_ = tx.Respond(sip.NewResponseFromRequest(req, sip.StatusCallTransactionDoesNotExists, "Call/Transaction Does Not Exist", nil))
	}))
	srv.OnOptions(s.guard(func(req *sip.Request, tx sip.ServerTransaction) {
		res := sip.NewResponseFromRequest(req, sip.StatusOK, "OK", nil)
		res.AppendHeader(sip.NewHeader("Allow", "INVITE, ACK, BYE, CANCEL, OPTIONS"))
		res.AppendHeader(sip.NewHeader("Accept", "application/sdp"))
		_ = tx.Respond(res)
	}))
	s.life, s.stop = context.WithCancelCause(context.Background())
	s.calls.init()
	return s, nil
}

// Start listens on every configured transport and returns once they are bound; calls are
// then served in the background until Close.
func (s *Server) Start(ctx context.Context) error {
	lctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	s.listening = cancel
	ready := make(chan error, len(s.cfg.Transports))
	for _, t := range s.cfg.Transports {
		s.served.Add(1)
		rctx := context.WithValue(lctx, sipgo.ListenReadyCtxKey, sipgo.ListenReadyFuncCtxValue(func(network, addr string) {
			ready <- nil
		}))
		go func() {
			defer s.served.Done()
			if err := s.srv.ListenAndServe(rctx, t, s.cfg.Listen); err != nil && lctx.Err() == nil {
				ready <- fmt.Errorf("sip: listen on %s/%s: %w", s.cfg.Listen, t, err)
			}
		}()
	}
	for range s.cfg.Transports {
		if err := <-ready; err != nil {
			cancel()
			return err
		}
	}
	s.log.Info("sip listening", "addr", s.cfg.Listen, "transports", s.cfg.Transports)
	return nil
}

// Close ends live calls with cause (ErrServerClosed when nil), waits for them to hang up,
// then stops listening.
func (s *Server) Close(cause error) error {
	if cause == nil {
		cause = ErrServerClosed
	}
	s.stop(cause)
	s.wg.Wait()
	s.closeOnce.Do(func() {
		if s.listening != nil {
			s.listening()
		}
		s.closeErr = s.ua.Close()
		s.served.Wait()
	})
	return s.closeErr
}

// Drain stops admitting calls: INVITEs get 503 with Retry-After from now on. Live calls go
// on; Wait reports when they have ended.
func (s *Server) Drain() { s.calls.Start() }

// Wait blocks until Drain was called and every live call has ended, or ctx is done.
func (s *Server) Wait(ctx context.Context) error { return s.calls.Wait(ctx) }

// Active returns the number of admitted calls, ringing ones included.
func (s *Server) Active() int { return s.calls.Active() }

// Refusals returns how many INVITEs were turned away, by reason.
func (s *Server) Refusals() map[string]uint64 {
	s.refusedMu.Lock()
	defer s.refusedMu.Unlock()
	out := make(map[string]uint64, len(s.refused))
	for k, v := range s.refused {
		out[k] = v
	}
	return out
}

func (s *Server) count(reason string) {
	s.refusedMu.Lock()
	s.refused[reason]++
	s.refusedMu.Unlock()
}

func (s *Server) dialogsFor(req *sip.Request) *sipgo.DialogServerCache {
	if d, ok := s.dialogs[strings.ToLower(req.Transport())]; ok {
		return d
	}
	for _, d := range s.dialogs {
		return d
	}
	return nil
}

// admit counts a new call unless the server is draining (ErrDraining) or full (ErrBusy).
func (s *Server) admit() error {
	switch {
	case s.calls.Add(s.cfg.MaxCalls):
		return nil
	case s.calls.Draining():
		return ErrDraining
	}
	return ErrBusy
}

// route decides who is calling which scenario, from the dialed user and the caller ID.
func (s *Server) route(to, from string) (scenario, learner string, err error) {
	scenario = s.cfg.Numbers[to]
	if scenario == "" {
		scenario = s.cfg.DefaultScenario
	}
	if _, ok := s.scenarios.Title(scenario); scenario == "" || !ok {
		return "", "", fmt.Errorf("%w %q", ErrUnknownNumber, clip(to))
	}
	if learner = s.cfg.Learners[from]; learner != "" {
		return scenario, learner, nil
	}
	if !s.cfg.AllowGuests || from == "" {
		return "", "", fmt.Errorf("%w: %q", ErrUnknownCaller, clip(from))
	}
	return scenario, "guest:" + clip(from), nil
}

// allowed reports whether a request's source address may talk to Spar.
func (s *Server) allowed(source string) bool {
	if len(s.allow) == 0 {
		return true
	}
	host, _, err := net.SplitHostPort(source)
	if err != nil {
		host = source
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return false
	}
	a = a.Unmap()
	for _, p := range s.allow {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// guard runs before every handler: a source outside allow_from gets 403 and goes no further.
func (s *Server) guard(next sipgo.RequestHandler) sipgo.RequestHandler {
	return func(req *sip.Request, tx sip.ServerTransaction) {
		if !s.allowed(req.Source()) {
			s.count("forbidden_source")
			s.log.Warn("sip request from an address outside allow_from", "source", req.Source(), "method", req.Method.String())
			if req.Method != sip.ACK {
				_ = tx.Respond(sip.NewResponseFromRequest(req, sip.StatusForbidden, "Forbidden", nil))
			}
			return
		}
		next(req, tx)
	}
}

func (s *Server) onAck(req *sip.Request, tx sip.ServerTransaction) {
	if d := s.dialogsFor(req); d != nil {
		_ = d.ReadAck(req, tx) // an ACK for no dialog is dropped: ACKs get no response
	}
}

func (s *Server) onBye(req *sip.Request, tx sip.ServerTransaction) {
	d := s.dialogsFor(req)
	if d == nil || d.ReadBye(req, tx) != nil {
		_ = tx.Respond(sip.NewResponseFromRequest(req, sip.StatusCallTransactionDoesNotExists, "Call/Transaction Does Not Exist", nil))
	}
}

// refuse answers an initial INVITE with the status its refusal calls for.
func (s *Server) refuse(d *sipgo.DialogServerSession, err error, log *slog.Logger) {
	status, reason, reasonKey := sip.StatusInternalServerError, "Server Internal Error", "error"
	var headers []sip.Header
	switch {
	case errors.Is(err, ErrBadOffer):
		status, reason, reasonKey = sip.StatusNotAcceptableHere, "Not Acceptable Here", "bad_sdp"
		headers = append(headers, sip.NewHeader("Warning", `399 spar "`+warningText(err)+`"`))
	case errors.Is(err, ErrUnknownNumber):
		status, reason, reasonKey = sip.StatusNotFound, "Not Found", "unknown_number"
	case errors.Is(err, ErrUnknownCaller):
		status, reason, reasonKey = sip.StatusForbidden, "Forbidden", "unknown_caller"
	case errors.Is(err, ErrBusy):
		status, reason, reasonKey = sip.StatusBusyHere, "Busy Here", "busy"
	case errors.Is(err, ErrDraining):
		status, reason, reasonKey = sip.StatusServiceUnavailable, "Service Unavailable", "draining"
		headers = append(headers, sip.NewHeader("Retry-After", "30"))
	}
	s.count(reasonKey)
	log.Info("sip call refused", "status", status, "reason", err)
	if rerr := d.Respond(status, reason, nil, headers...); rerr != nil {
		log.Debug("sip: refuse", "err", rerr)
	}
}

// warningText makes an error safe inside a quoted Warning header.
func warningText(err error) string {
	b := []byte(err.Error())
	for i, c := range b {
		if c == '"' || c == '\\' || c < 0x20 || c > 0x7e {
			b[i] = '\''
		}
	}
	return string(b)
}

var callIDEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// newCallID returns "s" and 20 random base32 characters (100 bits).
func newCallID() string {
	var b [13]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	return "s" + callIDEncoding.EncodeToString(b[:])[:20]
}

// outboundIP is the address this host reaches the world from (no packet is sent): the
// Contact and SDP address when Spar listens on every interface and external_ip is unset.
func outboundIP() netip.Addr {
	c, err := net.Dial("udp", "192.0.2.1:9") // TEST-NET-1: routed like any address, never used
	if err != nil {
		return netip.AddrFrom4([4]byte{127, 0, 0, 1})
	}
	defer c.Close()
	return c.LocalAddr().(*net.UDPAddr).AddrPort().Addr().Unmap()
}
