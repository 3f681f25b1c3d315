package webrtc

import (
	"fmt"
	"sync"
)

// pendingOffers counts answered offers that have not connected yet, in total, per client and
// per address. Each holds a line for up to Config.ConnectTimeout, so without limits a flood of
// offers that never connect fills every line; with them, floods hold at most
// MaxPendingOffers lines (fewer than MaxCalls) and one client or address only its own few.
type pendingOffers struct {
	mu     sync.Mutex
	total  int
	client map[string]int
	ip     map[string]int
}

// acquire counts a pending offer of client from ip, or refuses it: ErrBusy past the global
// cap, ErrTooManyPending past a client's or an address's limit. release uncounts it; calling
// it again is harmless.
func (s *Server) acquirePending(client, ip string) (release func(), err error) {
	p := &s.pending
	limit := s.pendingCap()
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.client == nil {
		p.client, p.ip = map[string]int{}, map[string]int{}
	}
	switch {
	case limit > 0 && p.total >= limit:
		return nil, fmt.Errorf("%w (%d calls connecting)", ErrBusy, p.total)
	case s.cfg.MaxPendingPerClient > 0 && p.client[client] >= s.cfg.MaxPendingPerClient:
		return nil, ErrTooManyPending
	case s.cfg.MaxPendingPerIP > 0 && p.ip[ip] >= s.cfg.MaxPendingPerIP:
		return nil, ErrTooManyPending
	}
	p.total++
	p.client[client]++
	p.ip[ip]++
	var once sync.Once
	return func() {
		once.Do(func() {
			p.mu.Lock()
			defer p.mu.Unlock()
			p.total--
			if p.client[client]--; p.client[client] <= 0 {
				delete(p.client, client)
			}
			if p.ip[ip]--; p.ip[ip] <= 0 {
				delete(p.ip, ip)
			}
		})
	}, nil
}

// pendingCap is the global cap on pending offers: MaxPendingOffers, and always below
// MaxCalls so that connected learners keep lines however many offers are pending.
func (s *Server) pendingCap() int {
	c := s.cfg.MaxPendingOffers
	if m := s.cfg.MaxCalls; m > 0 && (c == 0 || c >= m) {
		c = max(1, m/2)
	}
	return c
}

// Pending returns how many answered offers have not connected yet.
func (s *Server) Pending() int {
	s.pending.mu.Lock()
	defer s.pending.mu.Unlock()
	return s.pending.total
}
