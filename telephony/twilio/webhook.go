package twilio

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
	"github.com/twilio/twilio-go/client"

	"github.com/sparlab/spar/telephony"
)

// Scenarios is what the webhook needs to know about scenarios: whether an ID exists, and
// its title for the menu.
type Scenarios interface {
	Title(id string) (title string, ok bool)
}

// Paths the Server registers.
const (
	PathVoice        = "/twilio/voice"
	PathMedia        = "/twilio/media"
	PathStreamStatus = "/twilio/stream-status"
)

const maxFormBytes = 64 << 10 // Twilio's webhook forms are well under 4 KiB

// ticketTimeout bounds storing a call's ticket while Twilio waits for the webhook's answer.
const ticketTimeout = 4 * time.Second

// Server answers Twilio: the voice webhook and the Media Streams socket. Each stream it
// accepts becomes a telephony.Call run by the handler.
type Server struct {
	cfg       Config
	scenarios Scenarios
	handler   telephony.Handler
	log       *slog.Logger
	rv        client.RequestValidator
	upgrader  websocket.Upgrader
	calls     telephony.Drain
	reserved  reservations
	awaiting  atomic.Int64 // upgraded streams that have not sent start
	refusals  refusals
	newID     func() string
	newToken  func() string
	now       func() time.Time
	afterFunc func(time.Duration, func()) (stop func() bool)

	// Tickets holds each connected call's Decision until its stream claims it. NewServer
	// sets an in-process MemoryTickets, right for one node; set a RedisTickets before
	// serving when several nodes share a number.
	Tickets Tickets
}

// NewServer checks cfg and returns a Server. Nothing listens until Register.
func NewServer(cfg Config, scenarios Scenarios, handler telephony.Handler, log *slog.Logger) (*Server, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if scenarios == nil || handler == nil {
		return nil, errors.New("twilio: new server: scenarios and handler are required")
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	log = log.With("transport", "twilio")
	s := &Server{
		cfg:       cfg,
		scenarios: scenarios,
		handler:   handler,
		log:       log,
		rv:        client.NewRequestValidator(cfg.AuthToken),
		newID:     newCallID,
		newToken:  newToken,
		now:       time.Now,
		afterFunc: afterFunc,
	}
	s.Tickets = NewMemoryTickets(func() time.Time { return s.now() })
	s.upgrader = websocket.Upgrader{
		HandshakeTimeout: 10 * time.Second,
		ReadBufferSize:   4096,
		WriteBufferSize:  4096,
	}
	if !cfg.ValidateSignatures {
		log.Warn("twilio signatures are NOT checked: anyone who finds the URL can start calls")
	} else if cfg.PublicURL == "" {
		log.Warn("twilio public_url is not set: signatures are checked against X-Forwarded-Host or Host")
	}
	for _, id := range s.referencedScenarios() {
		if _, ok := scenarios.Title(id); !ok {
			log.Warn("twilio config names an unknown scenario; its callers will hear an apology", "scenario", id)
		}
	}
	return s, nil
}

func (s *Server) referencedScenarios() []string {
	var ids []string
	for _, id := range s.cfg.Numbers {
		ids = append(ids, id)
	}
	for _, it := range s.cfg.Menu {
		ids = append(ids, it.Scenario)
	}
	if s.cfg.DefaultScenario != "" {
		ids = append(ids, s.cfg.DefaultScenario)
	}
	return ids
}

// Register adds the Server's three endpoints to mux.
func (s *Server) Register(mux *http.ServeMux) {
	mux.HandleFunc("POST "+PathVoice, s.serveVoice)
	mux.HandleFunc("GET "+PathMedia, s.serveMedia)
	mux.HandleFunc("POST "+PathStreamStatus, s.serveStreamStatus)
}

// serveVoice answers the voice webhook with TwiML.
func (s *Server) serveVoice(w http.ResponseWriter, r *http.Request) {
	if !s.readForm(w, r) {
		return
	}
	sid := r.PostForm.Get("CallSid")
	log := s.log.With("call_sid", truncate(sid, 40))
	if s.calls.Draining() {
		s.refused(reasonDraining)
		log.Info("twilio call turned away: draining")
		s.replyTwiML(w, log, func() (string, error) { return sayHangupTwiML(sayDraining) })
		return
	}
	if s.calls.Full(s.cfg.MaxCalls) {
		s.refused(reasonBusy)
		log.Info("twilio call turned away: all practice lines busy", "max_calls", s.cfg.MaxCalls)
		s.replyTwiML(w, log, func() (string, error) { return sayHangupTwiML(sayBusy) })
		return
	}
	from, to := r.PostForm.Get("From"), r.PostForm.Get("To")
	scenario, ok, menu := s.pickScenario(r)
	if menu != nil {
		s.replyTwiML(w, log, menu)
		return
	}
	if !ok {
		log.Error("twilio config error: call routed to an unknown scenario", "scenario", scenario, "to", to)
		s.replyTwiML(w, log, func() (string, error) { return sayHangupTwiML(sayUnknownScenario) })
		return
	}
	learner, ok := s.learner(from)
	if !ok {
		log.Info("twilio call refused: caller is not a registered learner", "from", from)
		s.replyTwiML(w, log, func() (string, error) { return sayHangupTwiML(sayUnknownCaller) })
		return
	}
	if !validSid(sid) {
		log.Warn("twilio webhook: missing or invalid CallSid")
		http.Error(w, "missing or invalid CallSid", http.StatusBadRequest)
		return
	}
	s.connect(w, r, log, Decision{CallID: s.newID(), CallSid: sid, Scenario: scenario, Learner: learner, From: from, To: to})
}

// connect reserves a line for the call d describes, issues its ticket and answers with the
// TwiML that connects its stream. A caller past the cap hears the busy message, a replayed
// webhook the same, and a ticket store that fails an apology.
func (s *Server) connect(w http.ResponseWriter, r *http.Request, log *slog.Logger, d Decision) {
	if err := s.admit(); err != nil {
		reason, msg := reasonBusy, sayBusy
		if errors.Is(err, ErrDraining) {
			reason, msg = reasonDraining, sayDraining
		}
		s.refused(reason)
		log.Info("twilio call turned away", "err", err, "max_calls", s.cfg.MaxCalls)
		s.replyTwiML(w, log, func() (string, error) { return sayHangupTwiML(msg) })
		return
	}
	token := s.newToken()
	// Bounded well inside Twilio's 15 s webhook timeout, so a hung Redis still lets the caller
	// hear the apology below rather than Twilio's own error message.
	ictx, cancel := context.WithTimeout(r.Context(), ticketTimeout)
	err := s.Tickets.Issue(ictx, token, d, s.cfg.StreamTimeout, s.cfg.ReplayWindow)
	cancel()
	if err != nil {
		s.calls.Done()
		if errors.Is(err, ErrReplayed) {
			s.refused(reasonReplayed)
			log.Warn("twilio webhook replayed: this CallSid was already answered; no second call", "window", s.cfg.ReplayWindow)
			s.replyTwiML(w, log, func() (string, error) { return sayHangupTwiML(sayBusy) })
			return
		}
		s.refused(reasonTicketStore)
		log.Error("twilio call turned away: cannot store its ticket", "err", err)
		s.replyTwiML(w, log, func() (string, error) { return sayHangupTwiML(sayUnavailable) })
		return
	}
	s.reserve(token)
	log.Info("twilio call answered", "call_id", d.CallID, "scenario", d.Scenario, "learner", d.Learner)
	base := s.baseURL(r)
	s.replyTwiML(w, log, func() (string, error) {
		return connectTwiML(s.wsBaseURL(r)+PathMedia, base+PathStreamStatus, []param{
			{"call", d.CallID}, {"scenario", d.Scenario}, {"learner", d.Learner}, {"from", d.From}, {"to", d.To},
			{paramToken, token},
		})
	})
}

// pickScenario decides the scenario from the webhook URL's scenario parameter (a number's
// webhook can be https://host/twilio/voice?scenario=X), the dialed number, the menu key
// pressed or the default. ok is false for an unknown scenario. A non-nil menu means "ask first".
func (s *Server) pickScenario(r *http.Request) (id string, ok bool, menu func() (string, error)) {
	if id := r.URL.Query().Get("scenario"); id != "" {
		_, ok = s.scenarios.Title(id)
		return id, ok, nil
	}
	id, found := s.cfg.Numbers[r.PostForm.Get("To")]
	if !found && len(s.cfg.Menu) > 0 {
		action := s.baseURL(r) + PathVoice
		prefix := ""
		if digits, pressed := r.PostForm["Digits"]; pressed {
			d := strings.Join(digits, "")
			for _, it := range s.cfg.Menu {
				if it.Digit == d {
					id, found = it.Scenario, true
				}
			}
			if !found {
				prefix = "Sorry, that key is not on the menu. "
			}
		}
		if !found {
			attempt, _ := strconv.Atoi(r.URL.Query().Get("attempt"))
			return "", false, func() (string, error) { return menuTwiML(action, prefix, s.menuChoices(), attempt) }
		}
	}
	if !found {
		id = s.cfg.DefaultScenario
	}
	if id == "" {
		return "", false, nil
	}
	_, ok = s.scenarios.Title(id)
	return id, ok, nil
}

func (s *Server) menuChoices() []menuChoice {
	out := make([]menuChoice, 0, len(s.cfg.Menu))
	for _, it := range s.cfg.Menu {
		title := it.Title
		if title == "" {
			title, _ = s.scenarios.Title(it.Scenario)
		}
		if title == "" {
			title = it.Scenario
		}
		out = append(out, menuChoice{digit: it.Digit, title: title})
	}
	return out
}

// learner maps the caller ID to a learner; ok is false when the caller may not practise.
func (s *Server) learner(from string) (string, bool) {
	if l, ok := s.cfg.Learners[from]; ok {
		return l, true
	}
	if !s.cfg.AllowGuests {
		return "", false
	}
	if from == "" {
		from = "unknown"
	}
	return "guest:" + from, true
}

// serveStreamStatus logs Twilio's stream status callbacks.
func (s *Server) serveStreamStatus(w http.ResponseWriter, r *http.Request) {
	if !s.readForm(w, r) {
		return
	}
	f := r.PostForm
	lvl := slog.LevelDebug
	if f.Get("StreamError") != "" {
		lvl = slog.LevelWarn
	}
	s.log.Log(r.Context(), lvl, "twilio stream status", "call_sid", f.Get("CallSid"),
		"stream_sid", f.Get("StreamSid"), "event", f.Get("StreamEvent"), "error", f.Get("StreamError"))
	w.WriteHeader(http.StatusNoContent)
}

// readForm parses a bounded form and checks its signature; on failure it has replied.
func (s *Server) readForm(w http.ResponseWriter, r *http.Request) bool {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		s.log.Info("twilio webhook: bad form", "path", r.URL.Path, "err", err)
		http.Error(w, "bad form", http.StatusBadRequest)
		return false
	}
	if !s.validForm(r) {
		s.log.Warn("twilio webhook: bad or missing signature", "path", r.URL.Path, "remote", r.RemoteAddr)
		http.Error(w, "invalid Twilio signature", http.StatusForbidden)
		return false
	}
	return true
}

func (s *Server) replyTwiML(w http.ResponseWriter, log *slog.Logger, build func() (string, error)) {
	body, err := build()
	if err != nil {
		log.Error("twilio webhook: build TwiML", "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/xml")
	fmt.Fprint(w, body)
}

var callIDEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// newCallID returns "c" and 20 random base32 characters (100 bits).
func newCallID() string {
	var b [13]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	return "c" + callIDEncoding.EncodeToString(b[:])[:20]
}
