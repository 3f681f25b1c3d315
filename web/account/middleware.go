package account

import (
	"crypto/subtle"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strings"
)

// CSRFHeader carries the session's CSRF token on script requests; forms send the field
// CSRFField.
const (
	CSRFHeader = "X-CSRF-Token"
	CSRFField  = "csrf"
)

// Middleware authenticates requests and guards them against cross-site forgery.
type Middleware struct {
	a     *Accounts
	cross *http.CrossOriginProtection
	// LoginURL is where RequireUser sends a browser that is not signed in (default
	// /console/login); the page it wanted is passed as ?next=.
	LoginURL string
}

// Middleware returns the request middleware of these accounts.
func (a *Accounts) Middleware() *Middleware {
	return &Middleware{a: a, cross: http.NewCrossOriginProtection(), LoginURL: "/console/login"}
}

// Authenticate puts the request's session in its context: from an API token
// (Authorization: Bearer spar_...) or the session cookie. A request with neither goes on
// without a session (RequireUser refuses it where one is needed). State-changing requests
// (not GET, HEAD, OPTIONS) from another origin are refused, and a cookie session's must carry
// its CSRF token; API tokens need none, since a browser never sends them by itself.
func (m *Middleware) Authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		if auth := r.Header.Get("Authorization"); auth != "" {
			token, ok := strings.CutPrefix(auth, "Bearer ")
			s, err := m.a.TokenSession(ctx, token)
			if !ok || err != nil {
				if !errors.Is(err, ErrUnauthenticated) && err != nil {
					m.a.log.Error("token lookup", "err", err)
				}
				m.deny(w, r, http.StatusUnauthorized, "invalid API token")
				return
			}
			next.ServeHTTP(w, r.WithContext(WithSession(ctx, s)))
			return
		}
		unsafe := !isSafe(r.Method)
		if unsafe {
			if err := m.cross.Check(r); err != nil {
				m.deny(w, r, http.StatusForbidden, "cross-origin request refused")
				return
			}
		}
		c, err := r.Cookie(CookieName)
		if err != nil || c.Value == "" {
			next.ServeHTTP(w, r)
			return
		}
		s, err := m.a.Session(ctx, c.Value)
		if errors.Is(err, ErrUnauthenticated) {
			m.a.ClearCookie(w, r)
			next.ServeHTTP(w, r)
			return
		}
		if err != nil {
			m.a.log.Error("session lookup", "err", err)
			m.deny(w, r, http.StatusServiceUnavailable, "storage unavailable, try again shortly")
			return
		}
		if unsafe && !validCSRF(r, s.CSRF) {
			m.deny(w, r, http.StatusForbidden, ErrCSRF.Error())
			return
		}
		next.ServeHTTP(w, r.WithContext(WithSession(ctx, s)))
	})
}

// RequireUser refuses requests without a session: browsers asking for a page are sent to
// the login page, others get 401.
func (m *Middleware) RequireUser(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if UserFrom(r.Context()) == nil {
			if r.Method == http.MethodGet && strings.Contains(r.Header.Get("Accept"), "text/html") {
				http.Redirect(w, r, m.LoginURL+"?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
				return
			}
			m.deny(w, r, http.StatusUnauthorized, ErrUnauthenticated.Error())
			return
		}
		next.ServeHTTP(w, r)
	})
}

func (m *Middleware) deny(w http.ResponseWriter, r *http.Request, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": msg})
}

func isSafe(method string) bool {
	return method == http.MethodGet || method == http.MethodHead || method == http.MethodOptions
}

// maxFormBytes bounds a form body read for its CSRF token.
const maxFormBytes = 64 << 10

// validCSRF compares the request's CSRF token with the session's in constant time.
func validCSRF(r *http.Request, want string) bool {
	got := r.Header.Get(CSRFHeader)
	if got == "" && strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		// Forms of the console are small: parse at most maxFormBytes here, before any route's
		// own limit, rather than net/http's 10 MB.
		r.Body = http.MaxBytesReader(nil, r.Body, maxFormBytes)
		got = r.PostFormValue(CSRFField)
	}
	return want != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

// ClientAddr is the request's client address: X-Forwarded-For's last address not a trusted
// proxy when the connection comes from one (Config.TrustedProxies), else RemoteAddr's.
func (a *Accounts) ClientAddr(r *http.Request) string {
	addr := RemoteAddr(r)
	if !a.trusted(addr) {
		return addr
	}
	hops := strings.Split(r.Header.Get("X-Forwarded-For"), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		h := strings.TrimSpace(hops[i])
		if net.ParseIP(h) == nil {
			break
		}
		if !a.trusted(h) {
			return h
		}
	}
	return addr
}

func (a *Accounts) trusted(ip string) bool {
	p := net.ParseIP(ip)
	for _, s := range a.cfg.TrustedProxies {
		if _, n, err := net.ParseCIDR(s); err == nil && p != nil && n.Contains(p) || s == ip {
			return true
		}
	}
	return false
}

// badProxy returns the first entry of proxies that is neither an IP nor a CIDR, or "".
func badProxy(proxies []string) string {
	for _, s := range proxies {
		if _, _, err := net.ParseCIDR(s); err != nil && net.ParseIP(s) == nil {
			return s
		}
	}
	return ""
}

// RemoteAddr is the client address login failures are counted against: the connection's
// peer (a proxy in front makes every client one address, which then has four times an
// email's limit).
func RemoteAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
