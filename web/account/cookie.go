package account

import (
	"net/http"
	"time"
)

// CookieName is the session cookie.
const CookieName = "spar_session"

// SetCookie sends the session cookie: HttpOnly, SameSite=Lax, Path=/, Secure when the request
// came over TLS or Config.SecureCookies is set.
func (a *Accounts) SetCookie(w http.ResponseWriter, r *http.Request, s *Session) {
	http.SetCookie(w, &http.Cookie{
		Name: CookieName, Value: s.Token, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode,
		Secure: a.secure(r), MaxAge: int(a.cfg.SessionTTL / time.Second),
	})
}

// ClearCookie removes the session cookie.
func (a *Accounts) ClearCookie(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{Name: CookieName, Value: "", Path: "/", HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: a.secure(r), MaxAge: -1})
}

func (a *Accounts) secure(r *http.Request) bool { return a.cfg.SecureCookies || r.TLS != nil }
