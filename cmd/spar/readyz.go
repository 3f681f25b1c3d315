package main

import (
	"context"
	"net/http"
	"sync/atomic"
)

// readiness answers GET /readyz for load balancers: 503 once the node drains (SIGTERM), so
// that they stop sending it new calls while its live calls finish, and 503 while the store
// cannot reach Redis; 200 "ok" otherwise. /healthz, by contrast, only says the process
// answers.
type readiness struct {
	check    func(context.Context) error // the store's Ready
	draining atomic.Bool
}

// Drain makes every later probe answer 503. It is not undone: a draining node exits.
func (rd *readiness) Drain() { rd.draining.Store(true) }

func (rd *readiness) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if rd.draining.Load() {
		w.Header().Set("Connection", "close")
		http.Error(w, "draining: refusing new calls", http.StatusServiceUnavailable)
		return
	}
	if err := rd.check(r.Context()); err != nil {
		http.Error(w, err.Error(), http.StatusServiceUnavailable)
		return
	}
	w.Write([]byte("ok\n"))
}
