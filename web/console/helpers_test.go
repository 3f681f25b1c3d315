package console_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/sparlab/spar/dialog"
	"github.com/sparlab/spar/dialog/scenario"
	"github.com/sparlab/spar/dialog/store"
	"github.com/sparlab/spar/dialog/store/storetest"
	"github.com/sparlab/spar/media"
	"github.com/sparlab/spar/scoring"
	"github.com/sparlab/spar/telephony"
	"github.com/sparlab/spar/telephony/webrtc"
	"github.com/sparlab/spar/web"
	"github.com/sparlab/spar/web/account"
	"github.com/sparlab/spar/web/console"
	"github.com/sparlab/spar/web/webtest"
)

const pw = "correct horse battery"

// fixture is a console on a real Redis with two teams and one call per learner:
// red: trainer tina, learner alice (phone +14155550100); blue: trainer bob, learner ben.
type fixture struct {
	srv   *httptest.Server
	accts *account.Accounts
	st    *store.Store
	dir   string            // recordings
	calls map[string]string // learner ID -> call ID
	cards *scoring.Cards
	start time.Time // when the first seeded call started
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	rdb := storetest.Redis(t)
	st, err := store.New(rdb, store.Config{Prefix: storetest.Prefix(t)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	accts, err := account.New(rdb, st.AccountKeys(), account.Config{BcryptCost: bcrypt.MinCost, MaxFailures: 3}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []account.NewUser{
		{ID: "root", Name: "Ada Admin", Email: "admin@example.com", Role: account.RoleAdmin},
		{ID: "tina", Name: "Tina Trainer", Email: "tina@example.com", Role: account.RoleTrainer, Teams: []string{"red"}},
		{ID: "bob", Name: "Bob Trainer", Email: "bob@example.com", Role: account.RoleTrainer, Teams: []string{"blue"}},
		{ID: "alice", Name: "Alice Learner", Email: "alice@example.com", Role: account.RoleLearner, Teams: []string{"red"}, Phones: []string{"+14155550100"}},
		{ID: "ben", Name: "Ben Learner", Email: "ben@example.com", Role: account.RoleLearner, Teams: []string{"blue"}},
	} {
		n.Password = pw
		if _, err := accts.Create(t.Context(), n); err != nil {
			t.Fatal(err)
		}
	}
	f := &fixture{accts: accts, st: st, dir: t.TempDir(), calls: map[string]string{}}
	cards := scoring.NewCards(rdb, st)
	f.cards = cards
	// An hour ago, all four calls in one month: in a month's first hour they go just before it.
	base := time.Now().Add(-time.Hour).Truncate(time.Second)
	if end := base.Add(3 * time.Minute); end.Month() != base.Month() {
		base = time.Date(end.Year(), end.Month(), 1, 0, 0, 0, 0, time.Local).Add(-10 * time.Minute)
	}
	f.start = base
	for i, c := range []struct{ id, learner, scenario string }{
		{"call-alice", "alice", "double-charge"},
		{"call-alice-phone", "guest:+14155550100", "cold-call-vendor"},
		{"call-ben", "ben", "double-charge"},
		{"call-guest", "guest:Someone", "double-charge"},
	} {
		f.seedCall(t, c.id, c.learner, c.scenario, base.Add(time.Duration(i)*time.Minute))
		f.calls[c.learner] = c.id
		if c.id != "call-guest" {
			card := sampleCard(c.id, c.scenario, 60+10*i)
			if _, err := cards.Add(t.Context(), card); err != nil {
				t.Fatal(err)
			}
		}
	}
	cons, err := console.New(console.Config{RecordingDir: f.dir}, console.Deps{
		Accounts: accts, Calls: st, Cards: cards, Redis: rdb, Keys: st.FeedbackKeys(), Scenarios: testScenarios{},
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	// Wire it as serve.go should: the console, and web's API behind the account checks.
	guard := account.NewGuard(accts, st)
	mux := http.NewServeMux()
	cons.Register(mux)
	api := http.NewServeMux()
	web.New(guard.PublicCalls(), cards, testScenarios{}, slog.New(slog.DiscardHandler)).Register(api)
	mux.Handle("/", guard.WrapAPI(api))
	// The practice page asks /webrtc/config who is signed in; no call is placed here.
	rtc, err := webrtc.NewServer(webrtc.DefaultConfig(), testScenarios{}, func(ctx context.Context, _ *telephony.Call) error {
		<-ctx.Done()
		return nil
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rtc.Close(nil) })
	rtc.Identify = signedInLearner
	signaling := http.NewServeMux()
	rtc.Register(signaling)
	mux.Handle("/webrtc/", accts.Middleware().Authenticate(signaling))
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

// The transcript of every seeded call; the learner speaks on the left, the persona on the right.
var sampleLines = []dialog.Utterance{
	{Speaker: dialog.SpeakerLearner, Text: "Thank you for calling Brightwave billing, this is Sam.", Start: 200 * time.Millisecond, End: 3 * time.Second},
	{Speaker: dialog.SpeakerPersona, Text: "I was charged twice for my renewal and nobody calls me back!", Start: 3500 * time.Millisecond, End: 7 * time.Second, Truncated: true},
	{Speaker: dialog.SpeakerLearner, Text: "I am so sorry, being charged twice is our mistake.", Start: 8 * time.Second, End: 11 * time.Second},
}

const sampleDur = 12 * time.Second

// seedCall seeds a finished call of sampleLines.
func (f *fixture) seedCall(t *testing.T, id, learner, scenario string, started time.Time) {
	t.Helper()
	f.seedLines(t, id, learner, scenario, started, sampleLines, sampleDur)
}

// seedLines seeds a finished call of dur with these transcript lines, their tones in its
// recording (writeStereo), and the sample call's timeline events.
func (f *fixture) seedLines(t *testing.T, id, learner, scenario string, started time.Time, lines []dialog.Utterance, dur time.Duration) {
	t.Helper()
	path := filepath.Join(f.dir, id+".wav")
	writeStereo(t, path, lines, dur)
	log, err := f.st.Begin(t.Context(), telephony.Info{ID: id, Transport: "webrtc", Scenario: scenario, Learner: learner, Started: started}, path)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range []dialog.Event{
		{Kind: dialog.EventLearnerSaid, At: 3 * time.Second, Dur: 2800 * time.Millisecond, Text: sampleLines[0].Text},
		{Kind: dialog.EventBargeIn, At: 6800 * time.Millisecond, Speaker: dialog.SpeakerLearner},
		{Kind: dialog.EventMood, At: 7500 * time.Millisecond, Mood: 3, Detail: "apologised; moved to complaint"},
		{Kind: dialog.EventSilence, At: 12 * time.Second, Dur: 900 * time.Millisecond, Detail: "prompt"},
	} {
		log.Append(e)
	}
	_, err = log.Seal(t.Context(), dialog.Result{EndReason: "learner hung up", Duration: dur, Transcript: lines, Turns: 2})
	if err != nil {
		t.Fatal(err)
	}
}

// seedScored seeds a finished call with a judge's scorecard.
func (f *fixture) seedScored(t *testing.T, id, learner, scenario string, started time.Time, overall int) {
	t.Helper()
	f.seedCall(t, id, learner, scenario, started)
	if _, err := f.cards.Add(t.Context(), sampleCard(id, scenario, overall)); err != nil {
		t.Fatal(err)
	}
}

func sampleCard(id, scenario string, overall int) *scoring.Scorecard {
	return &scoring.Scorecard{CallID: id, Scenario: scenario, Rubric: scenario, Judge: "deterministic", Overall: overall,
		PassMark: 70, Pass: overall >= 70,
		Metrics: scoring.Metrics{TalkRatio: float64(overall) / 100, LongestMonologue: time.Duration(overall) * time.Second / 10},
		Criteria: []scoring.CriterionResult{{
			ID: "apologise", Name: "Apologise and own it", Weight: 1, Score: 0.8, Rationale: "Apologised once.",
			Evidence: []scoring.Quote{{Speaker: dialog.SpeakerLearner, At: 8 * time.Second, Text: "I am so sorry", Positive: true}},
			Better:   "I am so sorry, that is our mistake and I will fix it now.",
		}}}
}

// writeStereo writes a 16 kHz stereo WAV: a 220 Hz tone on the learner's lines (left) and a
// 330 Hz tone on the persona's (right).
func writeStereo(t *testing.T, path string, lines []dialog.Utterance, dur time.Duration) {
	t.Helper()
	file, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	w, err := media.NewWAVWriter(file, media.Rate16k, 2)
	if err != nil {
		t.Fatal(err)
	}
	n := media.Samples(media.Rate16k, dur)
	pcm := make([]int16, 2*n)
	for _, l := range lines {
		ch, hz := 0, 220.0
		if l.Speaker == dialog.SpeakerPersona {
			ch, hz = 1, 330
		}
		for i := media.Samples(media.Rate16k, l.Start); i < min(n, media.Samples(media.Rate16k, l.End)); i++ {
			pcm[2*i+ch] = int16(12000 * math.Sin(2*math.Pi*hz*float64(i)/media.Rate16k))
		}
	}
	if err := w.Write(pcm); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

// testScenarios are the scenarios of the seeded calls, for titles and the learner page.
type testScenarios struct{}

func (testScenarios) List() []*scenario.Scenario {
	return []*scenario.Scenario{
		{ID: "double-charge", Title: "Charged twice for a renewal", Category: "support", Difficulty: "standard",
			Situation: "A customer was billed twice and is upset.", LearnerGoal: "Calm them and refund the charge.",
			Persona: scenario.Persona{Name: "Dana Reyes"}},
		{ID: "cold-call-vendor", Title: "Cold call: a prospect with a vendor", Category: "sales", Difficulty: "hard",
			Situation: "The prospect already has a vendor.", LearnerGoal: "Book a meeting.", Persona: scenario.Persona{Name: "Sam Lee"}},
	}
}

// Title names a scenario, for the practice page's signaling.
func (s testScenarios) Title(id string) (string, bool) {
	for _, sc := range s.List() {
		if sc.ID == id {
			return sc.Title, true
		}
	}
	return "", false
}

// signedInLearner identifies a signed-in learner to the signaling, as serve does: an
// account with no learner ID (a trainer) practises as a guest.
func signedInLearner(r *http.Request) (webrtc.Identity, bool) {
	s := account.SessionFrom(r.Context())
	if s == nil || s.User == nil || len(s.User.LearnerIDs()) == 0 {
		return webrtc.Identity{}, false
	}
	return webrtc.Identity{Learner: s.User.LearnerIDs()[0], Name: s.User.Name, CSRF: s.CSRF}, true
}

// client is a browser-like HTTP client with its own cookies, signed in as one account.
type client struct {
	t    *testing.T
	base string
	http *http.Client
	csrf string
}

func (f *fixture) anon(t *testing.T) *client {
	jar, _ := cookiejar.New(nil)
	return &client{t: t, base: f.srv.URL, http: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

// login signs in through the login form and reads the CSRF token from a page.
func (f *fixture) login(t *testing.T, email string) *client {
	t.Helper()
	c := f.anon(t)
	resp := c.form("/console/login", url.Values{"email": {email}, "password": {pw}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("login %s: status %d", email, resp.StatusCode)
	}
	_, body := c.get("/console/calls")
	_, rest, ok := strings.Cut(body, `name="csrf-token" content="`)
	if !ok {
		t.Fatalf("no csrf meta on the calls page")
	}
	c.csrf, _, _ = strings.Cut(rest, `"`)
	return c
}

func (c *client) do(req *http.Request) (*http.Response, string) {
	c.t.Helper()
	req.Header.Set("Origin", c.base)
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func (c *client) get(path string) (*http.Response, string) {
	c.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, c.base+path, nil)
	return c.do(req)
}

func (c *client) form(path string, v url.Values) *http.Response {
	c.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, c.base+path, strings.NewReader(v.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, _ := c.do(req)
	return resp
}

// send makes a JSON request carrying the session's CSRF token (when csrf is true).
func (c *client) send(method, path string, body any, csrf bool) (*http.Response, string) {
	c.t.Helper()
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = strings.NewReader(string(b))
	}
	req, _ := http.NewRequestWithContext(context.Background(), method, c.base+path, r)
	req.Header.Set("Content-Type", "application/json")
	if csrf {
		req.Header.Set(account.CSRFHeader, c.csrf)
	}
	return c.do(req)
}

// eachBrowser runs body twice, in headless Chromium and in headless Firefox, each in its own
// subtest on a tab of w x h CSS pixels (webtest.Phone's size: Chromium emulates that phone).
// Screenshots body passes to shoot go to docs/screenshots from Chromium's run; Firefox's are
// only checked not to be blank.
func eachBrowser(t *testing.T, w, h int, body func(t *testing.T, p webtest.Page, shoot func(name string))) {
	phone := w == webtest.Phone.Width && h == webtest.Phone.Height
	t.Run("chromium", func(t *testing.T) {
		b := webtest.Launch(t, webtest.Options{Width: w, Height: h})
		if phone {
			b.Emulate(webtest.Phone)
		}
		body(t, b, func(name string) { save(t, b.Screenshot(), name) })
	})
	t.Run("firefox", func(t *testing.T) {
		p := webtest.LaunchFirefox(t, webtest.Options{Width: w, Height: h})
		body(t, p, func(name string) {
			if err := webtest.NotBlank(p.Screenshot()); err != nil {
				t.Errorf("%s in Firefox: %v", name, err)
			}
		})
	})
}
