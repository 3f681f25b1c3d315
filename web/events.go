package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/sparlab/spar/dialog"
	"github.com/sparlab/spar/dialog/store"
)

// eventView is one timeline event as the live feed sends it.
type eventView struct {
	ID      string            `json:"id"`
	Kind    string            `json:"kind"`
	AtMS    int64             `json:"at_ms"`
	Speaker string            `json:"speaker,omitempty"`
	Text    string            `json:"text,omitempty"`
	DurMS   int64             `json:"dur_ms,omitempty"`
	Mood    int               `json:"mood"`
	Stage   string            `json:"stage,omitempty"`
	Detail  string            `json:"detail,omitempty"`
	Why     string            `json:"why,omitempty"` // a mood move's Detail in plain words (MoodWhy)
	Data    map[string]string `json:"data,omitempty"`
}

// feedLifetime bounds one live feed: longer than any practice call; a page still open after
// it reconnects with Last-Event-ID.
const feedLifetime = 3 * time.Hour

// feedsPerClient bounds the live feeds one client address holds open at once: a trainer
// watching every live call of a team from one office stays well under it; one client
// cannot take the whole server's budget (the store's max_followers) alone.
const feedsPerClient = 32

// feedCounter counts open feeds per client address.
type feedCounter struct {
	mu   sync.Mutex
	open map[string]int
}

// take reserves a feed for addr, false when addr has feedsPerClient open.
func (f *feedCounter) take(addr string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.open[addr] >= feedsPerClient {
		return false
	}
	f.open[addr]++
	return true
}

// put releases a feed taken for addr.
func (f *feedCounter) put(addr string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.open[addr]--; f.open[addr] <= 0 {
		delete(f.open, addr)
	}
}

// events streams a call's timeline as server-sent events, from the start (or Last-Event-ID)
// until the call ends, the client goes away or feedLifetime passes. A call that does not
// exist answers 404 and too many open feeds (feedsPerClient from one client, the store's
// max_followers in all) 429, before any event.
func (s *Server) events(w http.ResponseWriter, r *http.Request) {
	fl, ok := w.(http.Flusher)
	if !ok {
		http.Error(w, "streaming unsupported", http.StatusInternalServerError)
		return
	}
	addr := s.clientAddr(r)
	if !s.feeds.take(addr) {
		s.fail(w, r, store.ErrBusy)
		return
	}
	defer s.feeds.put(addr)
	id := r.PathValue("id")
	from := r.Header.Get("Last-Event-ID")
	if from == "" {
		from = "0"
	}
	ctx, cancel := context.WithTimeout(r.Context(), feedLifetime)
	defer cancel()
	started := false
	start := func() {
		if started {
			return
		}
		started = true
		w.Header().Set("Content-Type", "text/event-stream")
		w.Header().Set("Cache-Control", "no-cache")
		w.Header().Set("X-Accel-Buffering", "no")
		w.WriteHeader(http.StatusOK)
		fl.Flush()
	}
	err := s.calls.Follow(ctx, id, from, func(eid string, e dialog.Event) error {
		start()
		v := eventView{ID: eid, Kind: string(e.Kind), AtMS: e.At.Milliseconds(), Speaker: e.Speaker,
			Text: e.Text, DurMS: e.Dur.Milliseconds(), Mood: e.Mood, Stage: e.Stage, Detail: e.Detail, Data: e.Data}
		if e.Kind == dialog.EventMood {
			v.Why = MoodWhy(e.Detail)
		}
		b, err := json.Marshal(v)
		if err != nil {
			return err
		}
		if _, err := fmt.Fprintf(w, "id: %s\nevent: %s\ndata: %s\n\n", eid, e.Kind, b); err != nil {
			return err
		}
		fl.Flush()
		return nil
	})
	if !started {
		if err == nil {
			start()
			return
		}
		s.fail(w, r, err)
		return
	}
	if err != nil && ctx.Err() == nil {
		s.log.Warn("timeline feed ended", "call_id", id, "err", err)
		fmt.Fprintf(w, "event: error\ndata: %q\n\n", err.Error())
		fl.Flush()
	}
}
