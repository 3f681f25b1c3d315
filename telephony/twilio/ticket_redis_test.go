package twilio

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// TestRedisTickets runs the ticket contract against a real Redis (SPAR_TEST_REDIS_URL): one
// ticket per CallSid within the replay window, each claimed once even by racing streams,
// none after its TTL.
func TestRedisTickets(t *testing.T) {
	u := os.Getenv("SPAR_TEST_REDIS_URL")
	if u == "" {
		t.Skip("SPAR_TEST_REDIS_URL is not set")
	}
	opt, err := redis.ParseURL(u)
	if err != nil {
		t.Fatal(err)
	}
	rdb := redis.NewClient(opt)
	t.Cleanup(func() { rdb.Close() })
	var b [6]byte
	_, _ = rand.Read(b[:])
	tk := NewRedisTickets(rdb, "twtest-"+hex.EncodeToString(b[:])+":")
	ctx := context.Background()

	d := Decision{CallID: "c1", CallSid: testCallSid, Scenario: "angry-double-charge", Learner: "alice", From: "+1", To: "+2"}
	if err := tk.Issue(ctx, "tokenAAAAAAAAAAAAAAA", d, time.Minute, time.Hour); err != nil {
		t.Fatal(err)
	}
	if err := tk.Issue(ctx, "tokenBBBBBBBBBBBBBBB", d, time.Minute, time.Hour); !errors.Is(err, ErrReplayed) {
		t.Fatalf("second ticket for one CallSid: %v, want ErrReplayed", err)
	}
	// Ten streams race for the ticket: exactly one gets it.
	var wg sync.WaitGroup
	var mu sync.Mutex
	won := 0
	for range 10 {
		wg.Go(func() {
			got, err := tk.Claim(ctx, "tokenAAAAAAAAAAAAAAA")
			switch {
			case err == nil:
				if got != d {
					t.Errorf("claimed %+v, want %+v", got, d)
				}
				mu.Lock()
				won++
				mu.Unlock()
			case !errors.Is(err, ErrNoTicket):
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if won != 1 {
		t.Fatalf("%d streams claimed one ticket", won)
	}
	if _, err := tk.Claim(ctx, "tokenNeverIssued0000"); !errors.Is(err, ErrNoTicket) {
		t.Fatalf("unknown token: %v", err)
	}
	d.CallSid = otherCallSid
	if err := tk.Issue(ctx, "tokenCCCCCCCCCCCCCCC", d, time.Millisecond, time.Hour); err != nil {
		t.Fatal(err)
	}
	if ttl, err := rdb.PTTL(ctx, tk.ticketKey("tokenCCCCCCCCCCCCCCC")).Result(); err != nil || ttl > time.Millisecond {
		t.Fatalf("ticket TTL %v (%v), want at most 1ms", ttl, err)
	}
	if sidTTL, err := rdb.TTL(ctx, tk.sidKey(otherCallSid)).Result(); err != nil || sidTTL <= 0 || sidTTL > time.Hour {
		t.Fatalf("replay key TTL %v (%v), want up to 1h", sidTTL, err)
	}
}
