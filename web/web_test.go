package web

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/sparlab/spar/configs"
	"github.com/sparlab/spar/dialog"
	"github.com/sparlab/spar/dialog/scenario"
	"github.com/sparlab/spar/dialog/store"
	"github.com/sparlab/spar/scoring"
	"github.com/sparlab/spar/web/webtest"
)

// fakeCalls is a Calls with canned answers.
type fakeCalls struct {
	rec    *store.Record
	err    error
	events []dialog.Event
	query  store.Query
}

func (f *fakeCalls) Get(_ context.Context, id string) (*store.Record, error) {
	if f.err != nil {
		return nil, f.err
	}
	if f.rec == nil || f.rec.ID != id {
		return nil, store.ErrNotFound
	}
	return f.rec, nil
}

func (f *fakeCalls) List(_ context.Context, q store.Query) ([]*store.Record, error) {
	f.query = q
	if f.err != nil {
		return nil, f.err
	}
	if f.rec == nil {
		return nil, nil
	}
	return []*store.Record{f.rec}, nil
}

func (f *fakeCalls) Live(context.Context) ([]string, error) { return []string{"c1", "c2"}, f.err }

func (f *fakeCalls) Follow(_ context.Context, id, from string, fn func(string, dialog.Event) error) error {
	if f.err != nil {
		return f.err
	}
	for i, e := range f.events {
		if err := fn("1-"+string(rune('0'+i)), e); err != nil {
			return err
		}
	}
	return nil
}

// fakeCards has a scorecard for call c1 only.
type fakeCards struct{}

func (fakeCards) Get(_ context.Context, id string) (*scoring.Scorecard, error) {
	if id != "c1" {
		return nil, scoring.ErrNotScored
	}
	return &scoring.Scorecard{CallID: "c1", Overall: 82, Pass: true}, nil
}

func newTestServer(t *testing.T, calls Calls) *httptest.Server {
	t.Helper()
	cat, err := scenario.Load(configs.Scenarios, "scenarios")
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	New(calls, fakeCards{}, cat, slog.New(slog.DiscardHandler)).Register(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestAPI(t *testing.T) {
	rec := &store.Record{ID: "c1", Scenario: "double-charge", Learner: "alice", Status: store.StatusSealed,
		Duration: 42 * time.Second, EndReason: "resolved"}
	calls := &fakeCalls{rec: rec}
	srv := newTestServer(t, calls)
	tests := []struct {
		name, path string
		status     int
		has        string
	}{
		{"status page", "/status", 200, "Charged twice for a renewal"},
		{"call", "/api/calls/c1", 200, `"end_reason": "resolved"`},
		{"missing call", "/api/calls/nope", 404, "no such call"},
		{"list", "/api/calls?learner=alice&limit=5", 200, `"id": "c1"`},
		{"bad limit", "/api/calls?limit=lots", 400, "limit must be"},
		{"scenarios", "/api/scenarios", 200, `"id": "cold-call-vendor"`},
		{"health", "/healthz", 200, "ok"},
		{"scorecard", "/api/calls/c1/scorecard", 200, `"overall": 82`},
		{"scorecard pending", "/api/calls/c2/scorecard", 404, `"status": "pending"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, body := get(t, srv.URL+tc.path)
			if status != tc.status || !strings.Contains(body, tc.has) {
				t.Errorf("GET %s = %d %q; want %d containing %q", tc.path, status, body, tc.status, tc.has)
			}
		})
	}
	if calls.query.Learner != "alice" || calls.query.Limit != 5 {
		t.Errorf("query = %+v", calls.query)
	}
}

func TestScenariosHideThePersonasGoal(t *testing.T) {
	srv := newTestServer(t, &fakeCalls{})
	_, body := get(t, srv.URL+"/api/scenarios")
	var views []map[string]any
	if err := json.Unmarshal([]byte(body), &views); err != nil {
		t.Fatal(err)
	}
	if len(views) < 3 {
		t.Fatalf("scenarios = %d", len(views))
	}
	if strings.Contains(body, "backstory") || strings.Contains(body, `"goal"`) {
		t.Errorf("the persona's hidden goal leaks to learners: %s", body)
	}
}

func TestStorageErrorsAreServiceUnavailable(t *testing.T) {
	srv := newTestServer(t, &fakeCalls{err: errors.New("dial tcp: connection refused")})
	for _, path := range []string{"/api/calls/c1", "/api/calls", "/status"} {
		status, body := get(t, srv.URL+path)
		if status != http.StatusServiceUnavailable || strings.Contains(body, "connection refused") {
			t.Errorf("GET %s = %d %q; want 503 without internals", path, status, body)
		}
	}
}

func TestEventsStream(t *testing.T) {
	calls := &fakeCalls{events: []dialog.Event{
		{Kind: dialog.EventLearnerSaid, At: 1500 * time.Millisecond, Speaker: dialog.SpeakerLearner, Text: "I'm so sorry"},
		{Kind: dialog.EventMood, At: 2 * time.Second, Mood: 4, Detail: "apologised"},
	}}
	srv := newTestServer(t, calls)
	resp, err := http.Get(srv.URL + "/api/calls/c1/events")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Errorf("content type %q", ct)
	}
	b, _ := io.ReadAll(resp.Body)
	frames := strings.Split(strings.TrimSpace(string(b)), "\n\n")
	if len(frames) != 2 {
		t.Fatalf("frames = %q", frames)
	}
	var ev eventView
	lines := strings.Split(frames[0], "\n")
	if lines[1] != "event: learner.said" || !strings.HasPrefix(lines[2], "data: ") {
		t.Fatalf("frame = %q", frames[0])
	}
	if err := json.Unmarshal([]byte(strings.TrimPrefix(lines[2], "data: ")), &ev); err != nil {
		t.Fatal(err)
	}
	if ev.Text != "I'm so sorry" || ev.AtMS != 1500 || ev.Speaker != "learner" {
		t.Errorf("event = %+v", ev)
	}
}

// TestEventsRefusedBeforeStreaming: a feed for a call that does not exist is a 404, and one
// past the store's limit a 429 with Retry-After, before any event-stream header is sent.
func TestEventsRefusedBeforeStreaming(t *testing.T) {
	for _, tc := range []struct {
		err    error
		status int
	}{{store.ErrNotFound, http.StatusNotFound}, {store.ErrBusy, http.StatusTooManyRequests}} {
		srv := newTestServer(t, &fakeCalls{err: tc.err})
		resp, err := http.Get(srv.URL + "/api/calls/c1/events")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.status || resp.Header.Get("Content-Type") == "text/event-stream" ||
			tc.status == http.StatusTooManyRequests && resp.Header.Get("Retry-After") == "" {
			t.Errorf("%v: %d %q", tc.err, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
	}
}

// TestPublicRecord: the call API does not show where the recording lives, which node ran
// the call, the numbers dialled, or a guest caller's whole phone number.
func TestPublicRecord(t *testing.T) {
	rec := &store.Record{ID: "c1", Learner: "guest:+14155550100", Node: "node-7", Recording: "/srv/spar/data/recordings/c1.wav",
		From: "+14155550100", To: "+15005550006"}
	got := publicRecord(rec)
	if got.Recording != "" || got.Node != "" || got.From != "" || got.To != "" || got.Learner != "guest:…0100" {
		t.Errorf("public record %+v", got)
	}
	if rec.Recording == "" || rec.Learner != "guest:+14155550100" {
		t.Error("publicRecord changed the stored record")
	}
}

// blockingCalls is a Calls whose Follow holds each feed open until the test ends.
type blockingCalls struct {
	fakeCalls
	opened chan struct{}
}

func (b *blockingCalls) Follow(ctx context.Context, id, from string, fn func(string, dialog.Event) error) error {
	if err := fn("1-0", dialog.Event{Kind: dialog.EventCallStart}); err != nil {
		return err
	}
	b.opened <- struct{}{}
	<-ctx.Done()
	return nil
}

// TestEventsPerClientCap: one client holds at most feedsPerClient live feeds at once; the
// next is a 429 with Retry-After while another client is still served, and a closed feed
// frees its place.
func TestEventsPerClientCap(t *testing.T) {
	calls := &blockingCalls{opened: make(chan struct{}, feedsPerClient+2)}
	cat, err := scenario.Load(configs.Scenarios, "scenarios")
	if err != nil {
		t.Fatal(err)
	}
	s := New(calls, fakeCards{}, cat, slog.New(slog.DiscardHandler))
	s.ClientAddr = func(r *http.Request) string { return r.Header.Get("X-Test-Client") }
	mux := http.NewServeMux()
	s.Register(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	open := func(client string) *http.Response {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, srv.URL+"/api/calls/c1/events", nil)
		req.Header.Set("X-Test-Client", client)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	var held []*http.Response
	for range feedsPerClient {
		resp := open("a")
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("feed %d of client a: %d", len(held), resp.StatusCode)
		}
		<-calls.opened
		held = append(held, resp)
	}
	over := open("a")
	over.Body.Close()
	if over.StatusCode != http.StatusTooManyRequests || over.Header.Get("Retry-After") == "" {
		t.Fatalf("feed past the per-client cap: %d", over.StatusCode)
	}
	other := open("b")
	if other.StatusCode != http.StatusOK {
		t.Fatalf("another client while a is at its cap: %d", other.StatusCode)
	}
	<-calls.opened
	other.Body.Close()
	held[0].Body.Close()
	webtest.Poll(t, "a closed feed freeing its place", 10*time.Second, func() bool {
		resp := open("a")
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return false
		}
		<-calls.opened
		return true
	})
	for _, r := range held[1:] {
		r.Body.Close()
	}
}
