package account_test

import (
	"errors"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/sparlab/spar/dialog/store"
	"github.com/sparlab/spar/dialog/store/storetest"
	"github.com/sparlab/spar/web/account"
)

func TestCreateRejects(t *testing.T) {
	a := newAccounts(t, account.Config{})
	mustCreate(t, a, account.NewUser{ID: "alice", Name: "Alice", Email: "alice@example.com", Role: account.RoleLearner, Phones: []string{"+14155550100"}})
	tests := []struct {
		name string
		n    account.NewUser
		want error
	}{
		{"short password", account.NewUser{Name: "X", Email: "x@example.com", Role: account.RoleLearner, Password: "short"}, account.ErrInvalid},
		{"bad role", account.NewUser{Name: "X", Email: "x@example.com", Role: "boss", Password: pw}, account.ErrInvalid},
		{"bad email", account.NewUser{Name: "X", Email: "not an email", Role: account.RoleLearner, Password: pw}, account.ErrInvalid},
		{"bad phone", account.NewUser{Name: "X", Email: "x@example.com", Role: account.RoleLearner, Password: pw, Phones: []string{"4155550100"}}, account.ErrInvalid},
		{"same email, other case", account.NewUser{Name: "X", Email: "ALICE@example.com", Role: account.RoleLearner, Password: pw}, account.ErrExists},
		{"same ID", account.NewUser{ID: "alice", Name: "X", Email: "x@example.com", Role: account.RoleLearner, Password: pw}, account.ErrExists},
		{"same phone", account.NewUser{Name: "X", Email: "y@example.com", Role: account.RoleLearner, Password: pw, Phones: []string{"+14155550100"}}, account.ErrExists},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := a.Create(t.Context(), tc.n); !errors.Is(err, tc.want) {
				t.Fatalf("Create = %v, want %v", err, tc.want)
			}
		})
	}
	// A refused duplicate must not leave half its claims behind: the email is still free.
	if _, err := a.Create(t.Context(), account.NewUser{Name: "Y", Email: "y@example.com", Role: account.RoleLearner, Password: pw}); err != nil {
		t.Fatalf("email of a refused account stayed claimed: %v", err)
	}
}

func TestLoginSessionLogout(t *testing.T) {
	a := newAccounts(t, account.Config{})
	p := seedPeople(t, a)
	ctx := t.Context()
	s, err := a.Login(ctx, " Alice@Example.com ", pw, "10.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	if s.User.ID != p.alice.ID || s.Token == "" || s.CSRF == "" || s.Token == s.CSRF {
		t.Fatalf("session %+v", s)
	}
	got, err := a.Session(ctx, s.Token)
	if err != nil || got.User.ID != "alice" || got.CSRF != s.CSRF {
		t.Fatalf("Session = %+v, %v", got, err)
	}
	if _, err := a.Session(ctx, s.Token+"x"); !errors.Is(err, account.ErrUnauthenticated) {
		t.Fatalf("tampered token: %v", err)
	}
	if err := a.Logout(ctx, s.Token); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Session(ctx, s.Token); !errors.Is(err, account.ErrUnauthenticated) {
		t.Fatalf("session after logout: %v", err)
	}
	for _, tc := range []struct{ name, email, pass string }{
		{"wrong password", "alice@example.com", "wrong password!"},
		{"unknown email", "nobody@example.com", pw},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := a.Login(ctx, tc.email, tc.pass, "10.0.0.2"); !errors.Is(err, account.ErrBadCredentials) {
				t.Fatalf("Login = %v, want ErrBadCredentials", err)
			}
		})
	}
}

func TestLoginRateLimit(t *testing.T) {
	a := newAccounts(t, account.Config{MaxFailures: 3, FailureWindow: time.Hour})
	seedPeople(t, a)
	ctx := t.Context()
	for i := range 3 {
		if _, err := a.Login(ctx, "alice@example.com", "wrong password!", "10.0.0.1"); !errors.Is(err, account.ErrBadCredentials) {
			t.Fatalf("failure %d: %v", i+1, err)
		}
	}
	// Now even the right password is refused for that email from that client...
	if _, err := a.Login(ctx, "alice@example.com", pw, "10.0.0.1"); !errors.Is(err, account.ErrRateLimited) {
		t.Fatalf("after 3 failures: %v, want ErrRateLimited", err)
	}
	// ...but a stranger's failures do not lock alice out from her own machine.
	if _, err := a.Login(ctx, "alice@example.com", pw, "10.0.0.9"); err != nil {
		t.Fatalf("alice from another address after a stranger's failures: %v", err)
	}
	// ...but another account from the same address still signs in (the address limit is 4x).
	if _, err := a.Login(ctx, "ben@example.com", pw, "10.0.0.1"); err != nil {
		t.Fatalf("other account: %v", err)
	}
	// Guessing many emails from one address hits the address limit.
	for i := range 12 {
		_, _ = a.Login(ctx, "guess"+string(rune('a'+i))+"@example.com", "x", "10.0.0.5")
	}
	if _, err := a.Login(ctx, "ben@example.com", pw, "10.0.0.5"); !errors.Is(err, account.ErrRateLimited) {
		t.Fatalf("address over its limit: %v, want ErrRateLimited", err)
	}
	// A guessing campaign on one email from many addresses stops at ten times the limit...
	if _, err := a.Login(ctx, "ben@example.com", pw, "10.2.0.9"); err != nil { // ben's own machine
		t.Fatal(err)
	}
	for i := range 30 {
		_, _ = a.Login(ctx, "ben@example.com", "wrong password!", "10.1.0."+strconv.Itoa(i))
	}
	if _, err := a.Login(ctx, "ben@example.com", pw, "10.2.0.1"); !errors.Is(err, account.ErrRateLimited) {
		t.Fatalf("email over its overall limit: %v, want ErrRateLimited", err)
	}
	// ...but not for ben at the address he signed in from before: the campaign cannot lock
	// the owner out.
	if _, err := a.Login(ctx, "ben@example.com", pw, "10.2.0.9"); err != nil {
		t.Fatalf("ben from his known address during the campaign: %v", err)
	}
}

// TestClientAddr: X-Forwarded-For is believed only from a trusted proxy, and then its last
// address that is not one.
func TestClientAddr(t *testing.T) {
	a := newAccounts(t, account.Config{TrustedProxies: []string{"10.9.0.0/16", "127.0.0.1"}})
	for _, tc := range []struct{ remote, xff, want string }{
		{"203.0.113.5:4000", "198.51.100.1", "203.0.113.5"},                  // not a proxy: XFF ignored
		{"127.0.0.1:4000", "198.51.100.1", "198.51.100.1"},                   // the proxy says who
		{"10.9.1.1:4000", "1.2.3.4, 198.51.100.7, 10.9.2.2", "198.51.100.7"}, // spoofed first hop skipped
		{"127.0.0.1:4000", "", "127.0.0.1"},
	} {
		r := httptest.NewRequest("POST", "/console/login", nil)
		r.RemoteAddr = tc.remote
		if tc.xff != "" {
			r.Header.Set("X-Forwarded-For", tc.xff)
		}
		if got := a.ClientAddr(r); got != tc.want {
			t.Errorf("%s with X-Forwarded-For %q: %s, want %s", tc.remote, tc.xff, got, tc.want)
		}
	}
	c := account.DefaultConfig()
	c.TrustedProxies = []string{"10.0.0.0/8", "::1"}
	if err := c.Validate(); err != nil {
		t.Errorf("good trusted proxies: %v", err)
	}
	c.TrustedProxies = []string{"a proxy"}
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "a proxy") {
		t.Errorf("a bad trusted proxy validates: %v", err)
	}
}

func TestTokens(t *testing.T) {
	a := newAccounts(t, account.Config{})
	p := seedPeople(t, a)
	ctx := t.Context()
	tok, err := a.CreateToken(ctx, p.tina.ID, "lms export")
	if err != nil {
		t.Fatal(err)
	}
	s, err := a.TokenSession(ctx, tok)
	if err != nil || s.User.ID != "tina" || s.CSRF != "" {
		t.Fatalf("TokenSession = %+v, %v", s, err)
	}
	if err := a.RevokeToken(ctx, tok); err != nil {
		t.Fatal(err)
	}
	if _, err := a.TokenSession(ctx, tok); !errors.Is(err, account.ErrUnauthenticated) {
		t.Fatalf("revoked token: %v", err)
	}
}

func TestAuthorization(t *testing.T) {
	a := newAccounts(t, account.Config{})
	p := seedPeople(t, a)
	tests := []struct {
		who     *account.User
		learner string
		want    bool
	}{
		{p.alice, "alice", true},
		{p.alice, "guest:+14155550100", true}, // her linked phone
		{p.alice, "ben", false},
		{p.ben, "alice", false},
		{p.tina, "alice", true},
		{p.tina, "guest:+14155550100", true},
		{p.tina, "ben", false},
		{p.bob, "alice", false},
		{p.bob, "ben", true},
		{p.tina, "guest:+19995550000", false}, // nobody's call
		{p.admin, "guest:+19995550000", true},
		{nil, "alice", false},
	}
	for _, tc := range tests {
		name := "anonymous"
		if tc.who != nil {
			name = tc.who.ID
		}
		t.Run(name+"/"+tc.learner, func(t *testing.T) {
			got, err := a.MayCall(t.Context(), tc.who, tc.learner)
			if err != nil || got != tc.want {
				t.Fatalf("MayCall = %v, %v; want %v", got, err, tc.want)
			}
		})
	}
	if !account.MayTeam(p.tina, "red") || account.MayTeam(p.tina, "blue") || account.MayTeam(p.alice, "red") || !account.MayTeam(p.admin, "blue") {
		t.Error("MayTeam: trainers see their own teams, learners none, admins all")
	}
	if l, err := a.LearnerByPhone(t.Context(), "+14155550100"); err != nil || l != "alice" {
		t.Errorf("LearnerByPhone = %q, %v", l, err)
	}
}

// TestWeakPasswords: long enough is not enough.
func TestWeakPasswords(t *testing.T) {
	a := newAccounts(t, account.Config{})
	for i, p := range []string{"1234567890", "aaaaaaaaaaaa", "abcdefghijk", "password123", "Spar2026!!", "9876501234"} {
		_, err := a.Create(t.Context(), account.NewUser{Name: "Weak", Email: "weak" + strconv.Itoa(i) + "@example.com", Role: account.RoleAdmin, Password: p})
		if !errors.Is(err, account.ErrInvalid) {
			t.Errorf("password %q accepted: %v", p, err)
		}
	}
	if _, err := a.Create(t.Context(), account.NewUser{Name: "Good", Email: "good@example.com", Role: account.RoleAdmin, Password: "copper kettle marching"}); err != nil {
		t.Errorf("a passphrase refused: %v", err)
	}
}

// TestLoginBackoff: an email that fails MaxFailures times from one client waits a minute,
// then twice as long after each further failure (at most the failure window), and signs in
// once the wait is over: a backoff, not a 15-minute lock.
func TestLoginBackoff(t *testing.T) {
	rdb := storetest.Redis(t)
	keys := store.AccountKeys{Prefix: storetest.Prefix(t)}
	a, err := account.New(rdb, keys, account.Config{MaxFailures: 3, FailureWindow: time.Hour, BcryptCost: bcrypt.MinCost}, nil)
	if err != nil {
		t.Fatal(err)
	}
	mustCreate(t, a, account.NewUser{ID: "alice", Name: "Alice", Email: "alice@example.com", Role: account.RoleLearner})
	ctx := t.Context()
	const remote = "10.0.0.1"
	waitOver := func() { rdb.Del(ctx, keys.LoginBackoff("email:alice@example.com|ip:"+remote)) }
	for range 3 {
		if _, err := a.Login(ctx, "alice@example.com", "wrong password!", remote); !errors.Is(err, account.ErrBadCredentials) {
			t.Fatal(err)
		}
	}
	if d := a.RetryIn(ctx, "alice@example.com", remote); d <= 50*time.Second || d > time.Minute {
		t.Fatalf("after 3 failures: wait %v, want a minute", d)
	}
	if _, err := a.Login(ctx, "alice@example.com", pw, remote); !errors.Is(err, account.ErrRateLimited) {
		t.Fatalf("during the wait: %v, want ErrRateLimited", err)
	}
	waitOver()
	if _, err := a.Login(ctx, "alice@example.com", "wrong password!", remote); !errors.Is(err, account.ErrBadCredentials) {
		t.Fatal(err)
	}
	if d := a.RetryIn(ctx, "alice@example.com", remote); d <= 110*time.Second || d > 2*time.Minute {
		t.Fatalf("after a 4th failure: wait %v, want two minutes", d)
	}
	for range 5 { // nine failures in all: under the address's limit (12)
		waitOver()
		_, _ = a.Login(ctx, "alice@example.com", "wrong password!", remote)
	}
	if d := a.RetryIn(ctx, "alice@example.com", remote); d > time.Hour || d < 59*time.Minute {
		t.Fatalf("after many failures: wait %v, want the window (1h) at most", d)
	}
	waitOver()
	if _, err := a.Login(ctx, "alice@example.com", pw, remote); err != nil {
		t.Fatalf("the right password once the wait is over: %v", err)
	}
}
