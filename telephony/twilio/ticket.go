package twilio

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"sync"
	"time"
)

// Decision is what the voice webhook decided for a call it connected to a stream: Spar's
// call ID, the CallSid it answered, the scenario, the learner and the numbers. The stream
// takes it from its ticket, never from its own customParameters, which anyone holding a
// signed upgrade could write.
type Decision struct {
	CallID   string `json:"call"`
	CallSid  string `json:"call_sid"`
	Scenario string `json:"scenario"`
	Learner  string `json:"learner"`
	From     string `json:"from"`
	To       string `json:"to"`
}

// Tickets keeps each connected call's Decision under a one-time random token (sent to
// Twilio as the stream's "token" <Parameter>) until the call's stream claims it.
// MemoryTickets serves one node; RedisTickets any number sharing a Redis.
type Tickets interface {
	// Issue stores d under token for ttl, unless a ticket was issued for d.CallSid within
	// the last replay (ErrReplayed): a replayed webhook never starts a second call.
	Issue(ctx context.Context, token string, d Decision, ttl, replay time.Duration) error
	// Claim returns the Decision stored under token and deletes it in the same step, so a
	// token starts at most one stream. ErrNoTicket when there is none: unknown, used or expired.
	Claim(ctx context.Context, token string) (Decision, error)
}

// newToken returns 32 random bytes, URL-safe base64: the stream's one-time secret.
func newToken() string {
	var b [32]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// validToken accepts what newToken makes (and nothing long enough to be a burden as a key).
func validToken(s string) bool {
	if len(s) < 16 || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// MemoryTickets is Tickets in this process: right for one node, where the webhook and the
// stream reach the same server. Its zero value is not usable; use NewMemoryTickets.
type MemoryTickets struct {
	mu        sync.Mutex
	now       func() time.Time
	tickets   map[string]memTicket
	seen      map[string]time.Time // CallSid -> end of its replay window
	nextPrune int
}

type memTicket struct {
	d       Decision
	expires time.Time
}

var _ Tickets = (*MemoryTickets)(nil)

// NewMemoryTickets returns an empty MemoryTickets reading the time from now (time.Now when nil).
func NewMemoryTickets(now func() time.Time) *MemoryTickets {
	if now == nil {
		now = time.Now
	}
	return &MemoryTickets{now: now, tickets: map[string]memTicket{}, seen: map[string]time.Time{}, nextPrune: 64}
}

// Issue implements Tickets.
func (m *MemoryTickets) Issue(_ context.Context, token string, d Decision, ttl, replay time.Duration) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	m.prune(now)
	if until, ok := m.seen[d.CallSid]; ok && now.Before(until) {
		return ErrReplayed
	}
	m.seen[d.CallSid] = now.Add(replay)
	m.tickets[token] = memTicket{d: d, expires: now.Add(ttl)}
	return nil
}

// Claim implements Tickets.
func (m *MemoryTickets) Claim(_ context.Context, token string) (Decision, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	t, ok := m.tickets[token]
	delete(m.tickets, token)
	if !ok || !m.now().Before(t.expires) {
		return Decision{}, ErrNoTicket
	}
	return t.d, nil
}

// prune drops expired entries whenever the maps have doubled since the last prune, so
// memory stays proportional to the calls of one replay window at amortised O(1) a call.
func (m *MemoryTickets) prune(now time.Time) {
	if len(m.seen)+len(m.tickets) < m.nextPrune {
		return
	}
	for sid, until := range m.seen {
		if !now.Before(until) {
			delete(m.seen, sid)
		}
	}
	for tok, t := range m.tickets {
		if !now.Before(t.expires) {
			delete(m.tickets, tok)
		}
	}
	m.nextPrune = max(64, 2*(len(m.seen)+len(m.tickets)))
}
