package webrtc

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/gorilla/websocket"
	"github.com/pion/webrtc/v4"

	"github.com/sparlab/spar/telephony"
)

// Scenarios is what the transport needs to know about scenarios: whether an ID exists.
type Scenarios interface {
	Title(id string) (title string, ok bool)
}

// Paths the Server registers.
const (
	PathOffer  = "/webrtc/offer"             // POST {scenario, learner, sdp} -> {call_id, sdp}
	PathHangup = "/webrtc/calls/{id}/hangup" // POST: the learner hung up
	PathConfig = "/webrtc/config"            // GET {ice_servers, learner, csrf}
	PathSignal = "/webrtc/ws"                // GET, upgraded: the trickle-ICE signaling socket
)

// Server answers browsers' offers; each answered offer becomes a telephony.Call run by the
// handler once it connects.
type Server struct {
	cfg       Config
	scenarios Scenarios
	handler   telephony.Handler
	log       *slog.Logger
	api       *webrtc.API
	udp       io.Closer
	udpOnce   sync.Once
	calls     registry
	life      context.Context
	stop      context.CancelCauseFunc
	wg        sync.WaitGroup // one per session's run
	newID     func() string
	now       func() time.Time
	ticker    func(time.Duration) (<-chan time.Time, func()) // the keepalive's clock
	upgrader  websocket.Upgrader
	sockets   sockets
	guests    *guestPasses
	pending   pendingOffers

	// Identify, when set, tells who is signed in on a request: that learner's ID is recorded
	// on the call instead of a guest made from the typed name. Set it before Register.
	Identify IdentifyFunc
	// Trial, when set, accepts offers carrying a trial ticket (see TrialFunc); without it
	// such offers are refused. Set it before Register.
	Trial TrialFunc
	// HangupElsewhere, when set, is asked to hang up a call this server does not hold (a
	// hang-up beacon the load balancer sent to another node): true when a live call by that
	// ID was found and asked to end, false when none is live. Set it before Register; the
	// node holding the call ends it with HangUp.
	HangupElsewhere func(ctx context.Context, id string) (bool, error)
}

// NewServer checks cfg, builds the shared webrtc.API (and binds Config.UDPPort) and returns
// a Server. Nothing is served until Register; Close releases it.
func NewServer(cfg Config, scenarios Scenarios, handler telephony.Handler, log *slog.Logger) (*Server, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if scenarios == nil || handler == nil {
		return nil, errors.New("webrtc: new server: scenarios and handler are required")
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	api, udp, err := newAPI(cfg)
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, scenarios: scenarios, handler: handler, log: log.With("transport", "webrtc"),
		api: api, udp: udp, newID: newCallID, now: time.Now, ticker: newTicker, guests: newGuestPasses()}
	s.upgrader = websocket.Upgrader{HandshakeTimeout: 10 * time.Second, ReadBufferSize: 4096,
		WriteBufferSize: 4096, CheckOrigin: s.checkOrigin}
	s.life, s.stop = context.WithCancelCause(context.Background())
	s.calls.init()
	if cfg.IncludeLoopback {
		s.log.Warn("webrtc offers loopback candidates: for tests on one machine only")
	}
	return s, nil
}

// Register adds the Server's endpoints to mux.
func (s *Server) Register(mux *http.ServeMux) {
	mux.HandleFunc("POST "+PathOffer, s.serveOffer)
	mux.HandleFunc("POST "+PathHangup, s.serveHangup)
	mux.HandleFunc("GET "+PathConfig, s.serveConfig)
	mux.HandleFunc("GET "+PathSignal, s.serveSignal)
}

// Close ends every live call with cause (ErrServerClosed when nil), closes the signaling
// sockets, waits until their goroutines have stopped, and releases the UDP port. Calling it
// again is harmless.
func (s *Server) Close(cause error) error {
	if cause == nil {
		cause = ErrServerClosed
	}
	s.calls.Start()
	s.stop(cause)
	s.wg.Wait()
	s.sockets.close()
	var err error
	s.udpOnce.Do(func() {
		if s.udp != nil {
			err = s.udp.Close()
		}
	})
	return err
}

// offerRequest is the body of PathOffer.
type offerRequest struct {
	Scenario string `json:"scenario"`
	Learner  string `json:"learner"` // the name the learner gave; a guest until accounts exist
	SDP      string `json:"sdp"`
	CallID   string `json:"call_id"`         // set only by a client renegotiating: refused
	Trial    string `json:"trial,omitempty"` // a trial ticket (Server.Trial): a draft, tried by a trainer
}

// offerResponse is the answer to PathOffer.
type offerResponse struct {
	CallID string `json:"call_id"`
	Type   string `json:"type"`
	SDP    string `json:"sdp"`
}

func (s *Server) serveOffer(w http.ResponseWriter, r *http.Request) {
	if _, err := s.clientOf(r); err != nil {
		s.fail(w, r, err) // before reading the body
		return
	}
	var req offerRequest
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, s.cfg.MaxOfferBytes))
	if err := dec.Decode(&req); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			s.fail(w, r, mbe)
			return
		}
		s.fail(w, r, fmt.Errorf("%w: body is not a JSON offer: %v", ErrBadRequest, err))
		return
	}
	ss, answer, err := s.answer(r, req, nil)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, offerResponse{CallID: ss.call.ID, Type: "answer", SDP: answer})
}

// answer checks the request, answers the offer and starts the session: the one path both
// signalings take. With trickle nil the answer carries every candidate; otherwise it is
// returned at once and trickle gets each candidate as it is gathered (nil at the end).
func (s *Server) answer(r *http.Request, req offerRequest, trickle func(*webrtc.ICECandidate)) (*session, string, error) {
	client, err := s.clientOf(r) // who may call comes before anything about the offer
	if err != nil {
		return nil, "", err
	}
	switch {
	case req.CallID != "":
		if _, live := s.calls.get(req.CallID); live {
			return nil, "", ErrCallExists
		}
		return nil, "", fmt.Errorf("%w: call_id is assigned by the server", ErrBadRequest)
	case req.Scenario == "":
		return nil, "", fmt.Errorf("%w: scenario is required", ErrBadRequest)
	case req.SDP == "":
		return nil, "", fmt.Errorf("%w: sdp is required", ErrBadRequest)
	}
	trialParams, trial, err := s.trialParams(r, req)
	if err != nil {
		return nil, "", err
	}
	if _, ok := s.scenarios.Title(req.Scenario); !ok && !trial {
		return nil, "", fmt.Errorf("%w: %q", ErrUnknownScenario, truncate(req.Scenario, 64))
	}
	codec, err := pickCodec(req.SDP)
	if err != nil {
		return nil, "", err
	}
	if s.calls.Draining() {
		return nil, "", ErrDraining
	}
	if s.calls.Full(s.cfg.MaxCalls) {
		return nil, "", ErrBusy
	}
	release, err := s.acquirePending(client, remoteIP(r))
	if err != nil {
		return nil, "", err
	}
	info := telephony.Info{
		ID:        s.newID(),
		Transport: "webrtc",
		Scenario:  req.Scenario,
		Learner:   s.learnerOf(r, req.Learner),
		Params:    map[string]string{"codec": codec.MimeType, "user_agent": truncate(r.UserAgent(), 200)},
		Started:   s.now(),
	}
	maps.Copy(info.Params, trialParams)
	ss, err := s.newSession(info, codec)
	if err != nil {
		release()
		return nil, "", err
	}
	ss.connecting = release // the offer is pending until the call connects or ends
	answer, err := ss.negotiate(r.Context(), req.SDP, trickle)
	if err != nil {
		ss.abort(err)
		release()
		return nil, "", err
	}
	if err := s.calls.add(ss); err != nil {
		ss.abort(err)
		release()
		return nil, "", err
	}
	s.wg.Add(1)
	go ss.run()
	return ss, answer, nil
}

func (s *Server) serveHangup(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if s.HangUp(id) {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	if s.HangupElsewhere == nil {
		s.fail(w, r, ErrNoSuchCall)
		return
	}
	switch ok, err := s.HangupElsewhere(r.Context(), id); {
	case err != nil:
		s.fail(w, r, fmt.Errorf("%w: %w", ErrHangupNotForwarded, err))
	case !ok:
		s.fail(w, r, ErrNoSuchCall)
	default:
		w.WriteHeader(http.StatusAccepted) // another node holds it and was asked to end it
	}
}

// HangUp ends call id as the learner hanging up, if this server holds it.
func (s *Server) HangUp(id string) bool {
	ss, ok := s.calls.get(id)
	if ok {
		ss.cancel(ErrLearnerHungUp)
	}
	return ok
}

// configResponse is what the page needs to build its RTCPeerConnection, and who it calls as.
type configResponse struct {
	ICEServers []ICEServer `json:"ice_servers"`
	Learner    string      `json:"learner,omitempty"` // the signed-in learner's name
	CSRF       string      `json:"csrf,omitempty"`    // for the X-CSRF-Token header of its POSTs
}

func (s *Server) serveConfig(w http.ResponseWriter, r *http.Request) {
	servers := s.cfg.ICEServers
	if servers == nil {
		servers = []ICEServer{}
	}
	w.Header().Set("Cache-Control", "no-store")
	resp := configResponse{ICEServers: servers}
	if id, ok := s.identify(r); ok {
		resp.Learner, resp.CSRF = id.Name, id.CSRF
	} else {
		s.giveGuestPass(w, r)
	}
	writeJSON(w, http.StatusOK, resp)
}

// fail maps an error to its HTTP status and a JSON {error}: the one place that does.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	var mbe *http.MaxBytesError
	status := http.StatusInternalServerError
	switch {
	case errors.As(err, &mbe):
		status, err = http.StatusRequestEntityTooLarge, fmt.Errorf("%w: offer larger than %d bytes", ErrBadRequest, mbe.Limit)
	case errors.Is(err, ErrBadRequest):
		status = http.StatusBadRequest
	case errors.Is(err, ErrUnknownScenario), errors.Is(err, ErrNoSuchCall):
		status = http.StatusNotFound
	case errors.Is(err, ErrCallExists):
		status = http.StatusConflict
	case errors.Is(err, ErrNoSession):
		status = http.StatusUnauthorized
	case errors.Is(err, ErrTrialRefused):
		status = http.StatusForbidden
	case errors.Is(err, ErrTooManyPending):
		status = http.StatusTooManyRequests
		w.Header().Set("Retry-After", "10")
	case errors.Is(err, ErrDraining), errors.Is(err, ErrServerClosed), errors.Is(err, ErrHangupNotForwarded):
		status = http.StatusServiceUnavailable
		w.Header().Set("Retry-After", "30")
	case errors.Is(err, ErrBusy):
		status = http.StatusServiceUnavailable
		w.Header().Set("Retry-After", "60")
	}
	lvl := slog.LevelInfo
	if status >= 500 {
		lvl = slog.LevelError
	}
	s.log.Log(r.Context(), lvl, "webrtc request refused", "path", r.URL.Path, "status", status, "err", err)
	writeJSON(w, status, map[string]string{"error": errorText(err)})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// learnerID turns the name a learner typed into a guest learner ID: letters, digits, spaces
// and a little punctuation, at most 40 characters.
func learnerID(name string) string {
	var b strings.Builder
	n := 0
	for _, r := range strings.Join(strings.Fields(name), " ") {
		if n == 40 {
			break
		}
		if unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune(" .-_'", r) {
			b.WriteRune(r)
			n++
		}
	}
	if b.Len() == 0 {
		return "guest:anonymous"
	}
	return "guest:" + b.String()
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

var callIDEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// newCallID returns "w" and 20 random base32 characters (100 bits): knowing a call's ID is
// what lets a page hang it up.
func newCallID() string {
	var b [13]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	return "w" + callIDEncoding.EncodeToString(b[:])[:20]
}

// randomRTPStart returns a random first sequence number and timestamp (RFC 3550 5.1).
func randomRTPStart() (uint16, uint32) {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return binary.BigEndian.Uint16(b[:2]), binary.BigEndian.Uint32(b[2:])
}
