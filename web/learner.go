package web

import (
	"net/http"
	"path"
)

// learnerCSP allows only this origin's own scripts, styles, requests and media: the learner
// page has no inline script or style and loads nothing from elsewhere.
const learnerCSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; media-src 'self' blob:; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"

// learnerAssets are the files of the learner page served under /assets/; base.css, the
// shared look, is linked by the console and /status too.
var learnerAssets = map[string]string{
	"base.css":    "text/css; charset=utf-8",
	"learner.css": "text/css; charset=utf-8",
	"learner.js":  "text/javascript; charset=utf-8",
	"home.js":     "text/javascript; charset=utf-8",
}

// registerLearner adds the learner page at / and its assets.
func (s *Server) registerLearner(mux *http.ServeMux) {
	mux.HandleFunc("GET /{$}", s.learnerPage)
	mux.HandleFunc("GET /assets/{name}", s.learnerAsset)
}

func (s *Server) learnerPage(w http.ResponseWriter, r *http.Request) {
	s.serveAsset(w, r, "learner.html", "text/html; charset=utf-8")
}

func (s *Server) learnerAsset(w http.ResponseWriter, r *http.Request) {
	name := path.Base(r.PathValue("name"))
	ctype, ok := learnerAssets[name]
	if !ok {
		http.NotFound(w, r)
		return
	}
	s.serveAsset(w, r, name, ctype)
}

func (s *Server) serveAsset(w http.ResponseWriter, r *http.Request, name, ctype string) {
	b, err := assets.ReadFile("assets/" + name)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Content-Type", ctype)
	h.Set("Content-Security-Policy", learnerCSP)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Permissions-Policy", "microphone=(self), camera=()")
	h.Set("Cache-Control", "no-cache")
	_, _ = w.Write(b)
}
