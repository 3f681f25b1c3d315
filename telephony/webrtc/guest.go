package webrtc

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"net"
	"net/http"
	"strings"
	"time"
)

// GuestCookie carries a guest pass: PathConfig hands one to a page nobody is signed in on
// (the learner page fetches it before it offers), and an offer or signaling socket needs a
// signed-in learner (Server.Identify) or a valid pass. A pass is a random ID and its
// HMAC under the server's key (Server.SetGuestKey: shared by every node on one Redis, so a
// pass holds on any node and across restarts; a key of its own otherwise); it only names
// the client whose pending offers are counted (Config.MaxPendingPerClient).
const GuestCookie = "spar_rtc_guest"

// guestPassTTL is how long a guest pass lasts: a practice session, not an account.
const guestPassTTL = 12 * time.Hour

// guestPasses mints and checks guest passes.
type guestPasses struct{ key [32]byte }

func newGuestPasses() *guestPasses {
	g := &guestPasses{}
	_, _ = rand.Read(g.key[:]) // crypto/rand.Read never fails
	return g
}

// SetGuestKey makes guest passes verifiable by every server given the same key (nodes
// sharing a Redis), instead of this one only. Call it before serving.
func (s *Server) SetGuestKey(key [32]byte) { s.guests.key = key }

func (g *guestPasses) mac(id string) string {
	m := hmac.New(sha256.New, g.key[:])
	m.Write([]byte(id))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:16])
}

// mint returns a new pass.
func (g *guestPasses) mint() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	id := base64.RawURLEncoding.EncodeToString(b[:])
	return id + "." + g.mac(id)
}

// check returns the ID of a valid pass.
func (g *guestPasses) check(pass string) (string, bool) {
	id, mac, ok := strings.Cut(pass, ".")
	if !ok || len(id) != 22 || !hmac.Equal([]byte(mac), []byte(g.mac(id))) {
		return "", false
	}
	return id, true
}

// guestOf returns the ID of r's valid guest pass.
func (s *Server) guestOf(r *http.Request) (string, bool) {
	c, err := r.Cookie(GuestCookie)
	if err != nil {
		return "", false
	}
	return s.guests.check(c.Value)
}

// giveGuestPass sets a guest pass on w unless r already carries a valid one.
func (s *Server) giveGuestPass(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.guestOf(r); ok {
		return
	}
	http.SetCookie(w, &http.Cookie{Name: GuestCookie, Value: s.guests.mint(), Path: "/webrtc/",
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https",
		MaxAge: int(guestPassTTL / time.Second)})
}

// clientOf names who is offering, for the pending-offer limits: the signed-in learner, else
// the guest pass. Without either the offer is refused with ErrNoSession, unless
// Config.RequireSession is off (then the client is its address).
func (s *Server) clientOf(r *http.Request) (string, error) {
	if id, ok := s.identify(r); ok {
		return "learner:" + id.Learner, nil
	}
	if id, ok := s.guestOf(r); ok {
		return "guest:" + id, nil
	}
	if !s.cfg.RequireSession {
		return "ip:" + remoteIP(r), nil
	}
	return "", ErrNoSession
}

// remoteIP is the connection's peer address: behind a proxy, every client is the proxy.
func remoteIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
