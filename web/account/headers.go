package account

import "net/http"

// CSP is the Content-Security-Policy of Spar's pages: scripts, styles, images, media and
// requests from this origin only, no inline script or style attribute, no plugins, no
// framing, forms posting only here.
const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"media-src 'self'; connect-src 'self'; font-src 'self'; form-action 'self'; base-uri 'none'; " +
	"frame-ancestors 'none'"

// SecurityHeaders sets the strict CSP and the usual security headers on every response, and
// Strict-Transport-Security on those served over TLS.
func SecurityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", CSP)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Cross-Origin-Resource-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
		if r.TLS != nil {
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		next.ServeHTTP(w, r)
	})
}
