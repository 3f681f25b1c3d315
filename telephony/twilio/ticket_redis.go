package twilio

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// RedisTickets is Tickets in Redis, for nodes sharing one: the webhook may reach one node
// and the stream another. Keys (Prefix default "spar:"):
//
//   - <prefix>twilio:ticket:<token>: string, the Decision as JSON, TTL the ticket's; read and
//     deleted in one GETDEL by Claim (Redis 6.2 or later).
//   - <prefix>twilio:sid:<CallSid>: string, the token, TTL the replay window; set with SET NX
//     by Issue, so a replayed webhook finds it.
type RedisTickets struct {
	rdb    redis.Cmdable
	prefix string
}

var _ Tickets = (*RedisTickets)(nil)

// NewRedisTickets stores tickets in rdb under prefix ("spar:" when empty).
func NewRedisTickets(rdb redis.Cmdable, prefix string) *RedisTickets {
	if prefix == "" {
		prefix = "spar:"
	}
	return &RedisTickets{rdb: rdb, prefix: prefix}
}

func (r *RedisTickets) ticketKey(token string) string { return r.prefix + "twilio:ticket:" + token }
func (r *RedisTickets) sidKey(sid string) string      { return r.prefix + "twilio:sid:" + sid }

// Issue implements Tickets.
func (r *RedisTickets) Issue(ctx context.Context, token string, d Decision, ttl, replay time.Duration) error {
	b, err := json.Marshal(d)
	if err != nil {
		return fmt.Errorf("twilio: issue ticket: %w", err)
	}
	first, err := r.rdb.SetNX(ctx, r.sidKey(d.CallSid), token, replay).Result()
	if err != nil {
		return fmt.Errorf("twilio: issue ticket: %w", err)
	}
	if !first {
		return ErrReplayed
	}
	if err := r.rdb.Set(ctx, r.ticketKey(token), b, ttl).Err(); err != nil {
		return fmt.Errorf("twilio: issue ticket: %w", err)
	}
	return nil
}

// Claim implements Tickets.
func (r *RedisTickets) Claim(ctx context.Context, token string) (Decision, error) {
	b, err := r.rdb.GetDel(ctx, r.ticketKey(token)).Bytes()
	if errors.Is(err, redis.Nil) {
		return Decision{}, ErrNoTicket
	}
	if err != nil {
		return Decision{}, fmt.Errorf("twilio: claim ticket: %w", err)
	}
	var d Decision
	if err := json.Unmarshal(b, &d); err != nil {
		return Decision{}, fmt.Errorf("twilio: claim ticket: %w", err)
	}
	return d, nil
}
