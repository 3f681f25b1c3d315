package twilio

import (
	"net/http"
	"strings"
)

// Twilio signs each request over the URL it was told to call (X-Twilio-Signature,
// https://www.twilio.com/docs/usage/security#validating-requests). Behind a proxy the request
// no longer shows that URL, so it is rebuilt from the configured public URL, or failing
// that from the forwarding headers.

// baseURL returns scheme://host[/prefix] under which Twilio reaches this server.
func (s *Server) baseURL(r *http.Request) string {
	if s.cfg.PublicURL != "" {
		return strings.TrimRight(s.cfg.PublicURL, "/")
	}
	proto := firstValue(r.Header.Get("X-Forwarded-Proto"))
	if proto == "" {
		proto = "http"
		if r.TLS != nil {
			proto = "https"
		}
	}
	host := firstValue(r.Header.Get("X-Forwarded-Host"))
	if host == "" {
		host = r.Host
	}
	return proto + "://" + host
}

// wsBaseURL is baseURL with its scheme turned into the WebSocket one.
func (s *Server) wsBaseURL(r *http.Request) string {
	b := s.baseURL(r)
	switch {
	case strings.HasPrefix(b, "https://"):
		return "wss://" + b[len("https://"):]
	case strings.HasPrefix(b, "http://"):
		return "ws://" + b[len("http://"):]
	}
	return b
}

// firstValue returns the first element of a comma-separated header value.
func firstValue(v string) string {
	if i := strings.IndexByte(v, ','); i >= 0 {
		v = v[:i]
	}
	return strings.TrimSpace(v)
}

// signedURL is the URL Twilio signed for an HTTP webhook: public base, path and raw query.
func (s *Server) signedURL(r *http.Request) string {
	u := s.baseURL(r) + r.URL.EscapedPath()
	if r.URL.RawQuery != "" {
		u += "?" + r.URL.RawQuery
	}
	return u
}

// validForm checks the signature of a form POST whose body r.ParseForm has already read.
func (s *Server) validForm(r *http.Request) bool {
	if !s.cfg.ValidateSignatures {
		return true
	}
	params := make(map[string]string, len(r.PostForm))
	for k, v := range r.PostForm {
		if len(v) > 0 {
			params[k] = v[0]
		}
	}
	return s.validate(s.signedURL(r), params, r.Header.Get("X-Twilio-Signature"))
}

// validUpgrade checks the signature of the stream's upgrade GET: the wss:// URL, no query
// (Twilio strips it) and no params.
func (s *Server) validUpgrade(r *http.Request) bool {
	if !s.cfg.ValidateSignatures {
		return true
	}
	return s.validate(s.wsBaseURL(r)+r.URL.EscapedPath(), nil, r.Header.Get("X-Twilio-Signature"))
}

func (s *Server) validate(url string, params map[string]string, sig string) bool {
	if sig == "" {
		return false
	}
	return s.rv.Validate(url, params, sig)
}
