package webrtc

import "net/http"

// Identity is the signed-in learner placing a browser call, as an IdentifyFunc reports it.
type Identity struct {
	// Learner is the learner ID the call is recorded under; the name typed on the page is
	// then ignored.
	Learner string
	// Name is shown on the page ("Practising as Name"); the learner ID when empty.
	Name string
	// CSRF, when the session needs one on state-changing requests, is handed to the page
	// (PathConfig "csrf") so that its POSTs can carry it in the X-CSRF-Token header.
	CSRF string
}

// IdentifyFunc reports who is signed in on a signaling request (the offer POST, the
// WebSocket upgrade, the config GET), if anyone.
type IdentifyFunc func(r *http.Request) (Identity, bool)

// identify returns the signed-in identity of r, if the Server has an Identify hook and it
// names a learner.
func (s *Server) identify(r *http.Request) (Identity, bool) {
	if s.Identify == nil {
		return Identity{}, false
	}
	id, ok := s.Identify(r)
	if !ok || id.Learner == "" {
		return Identity{}, false
	}
	if id.Name == "" {
		id.Name = id.Learner
	}
	return id, true
}

// learnerOf is the learner ID a call from r is recorded under: the signed-in learner's, else
// a guest ID made from the name the page sent.
func (s *Server) learnerOf(r *http.Request, typed string) string {
	if id, ok := s.identify(r); ok {
		return id.Learner
	}
	return learnerID(typed)
}
