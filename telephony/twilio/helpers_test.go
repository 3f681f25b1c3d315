package twilio

import (
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/sparlab/spar/telephony"
)

const testToken = "12345"

// sign computes X-Twilio-Signature as Twilio documents it, independently of
// twilio-go: base64(HMAC-SHA1(token, url + sorted name+value pairs)).
func sign(token, u string, form url.Values) string {
	keys := make([]string, 0, len(form))
	for k := range form {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString(u)
	for _, k := range keys {
		b.WriteString(k)
		b.WriteString(form.Get(k))
	}
	mac := hmac.New(sha1.New, []byte(token))
	mac.Write([]byte(b.String()))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// scenarioTitles is a fake Scenarios: ID -> title.
type scenarioTitles map[string]string

func (m scenarioTitles) Title(id string) (string, bool) {
	t, ok := m[id]
	return t, ok
}

var testScenarios = scenarioTitles{
	"angry-double-charge": "an angry customer charged twice",
	"cold-call":           "a cold call to a skeptical prospect",
	"lost-appointment":    "a patient whose appointment was lost",
}

// testConfig maps numbers and learners the tests use; signatures are on.
func testConfig(public string) Config {
	c := DefaultConfig()
	c.PublicURL = public
	c.AuthToken = testToken
	c.Numbers = map[string]string{"+15550001111": "angry-double-charge", "+15550009999": "no-such-scenario"}
	c.Learners = map[string]string{"+14155550100": "alice"}
	c.DefaultScenario = "cold-call"
	return c
}

func newTestServer(t testing.TB, cfg Config, h telephony.Handler) *Server {
	t.Helper()
	if h == nil {
		h = func(ctx context.Context, _ *telephony.Call) error { <-ctx.Done(); return nil }
	}
	s, err := NewServer(cfg, testScenarios, h, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	s.newID = func() string { return "cTESTCALLID" }
	var tokens int
	s.newToken = func() string { tokens++; return fmt.Sprintf("testtoken%07d", tokens) }
	return s
}

// postForm builds a webhook POST to base+path, signed with token unless sig is given.
func postForm(base, path string, form url.Values, token string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, base+path, strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if token != "" {
		r.Header.Set("X-Twilio-Signature", sign(token, base+path, form))
	}
	return r
}

// postBody builds an unsigned form POST with a raw body.
func postBody(target, body string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, target, strings.NewReader(body))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return r
}

// steppingClock is a wall clock that moves by step on every reading: with a large step the
// media clock's wall-time bound never binds.
func steppingClock(step time.Duration) func() time.Time {
	t := time.Unix(1_700_000_000, 0)
	return func() time.Time { t = t.Add(step); return t }
}
