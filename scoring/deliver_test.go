package scoring

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/sparlab/spar/dialog/store"
)

// recordsFunc adapts a function to Records.
type recordsFunc func(ctx context.Context, id string) (*store.Record, error)

func (f recordsFunc) Get(ctx context.Context, id string) (*store.Record, error) { return f(ctx, id) }

func testCard() *Scorecard {
	return &Scorecard{CallID: "call-7", Scenario: "double-charge", Learner: "sam@example.com",
		Rubric: "Double charge", Overall: 82, PassMark: 70, Pass: true,
		ScoredAt: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC), Metrics: Metrics{Duration: 252 * time.Second}}
}

// receiver is a fake endpoint: it answers with the next status of statuses (the last one
// repeats) and keeps every request's time, headers and body.
type receiver struct {
	statuses []int
	mu       sync.Mutex
	got      []received
}

type received struct {
	at     time.Time
	header http.Header
	path   string
	body   []byte
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	rc.mu.Lock()
	rc.got = append(rc.got, received{time.Now(), r.Header.Clone(), r.URL.Path, body})
	st := rc.statuses[min(len(rc.got), len(rc.statuses))-1]
	rc.mu.Unlock()
	w.WriteHeader(st)
}

// TestWebhookDelivery runs on synctest's clock: failures are retried with doubling backoff,
// a 4xx is not retried, and every request verifies with VerifyWebhook.
func TestWebhookDelivery(t *testing.T) {
	for _, tc := range []struct {
		name     string
		statuses []int
		want     int // requests
	}{
		{"recovers", []int{500, 503, 204}, 3},
		{"gives up", []int{500}, 4},
		{"rejected", []int{400}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				rc := &receiver{statuses: tc.statuses}
				d, err := NewDeliverer(DeliveryConfig{Attempts: 4, RetryMin: time.Second, RetryMax: 3 * time.Second,
					Webhook: WebhookConfig{URL: "https://hooks.example.com/spar", Secret: "s3cret"}}, nil,
					&http.Client{Transport: handlerTransport{rc}}, nil)
				if err != nil {
					t.Fatal(err)
				}
				start := time.Now()
				d.Deliver(context.Background(), testCard())
				if len(rc.got) != tc.want {
					t.Fatalf("%d requests, want %d", len(rc.got), tc.want)
				}
				wantAt := []time.Duration{0, time.Second, 3 * time.Second, 6 * time.Second} // 1s, 2s, then capped at 3s
				for i, r := range rc.got {
					if r.at.Sub(start) != wantAt[i] {
						t.Errorf("request %d at %v, want %v", i, r.at.Sub(start), wantAt[i])
					}
					if err := VerifyWebhook("s3cret", r.header, r.body, time.Now(), 5*time.Minute); err != nil {
						t.Errorf("request %d does not verify: %v", i, err)
					}
					var p WebhookPayload
					if err := json.Unmarshal(r.body, &p); err != nil || p.Type != EventScorecardReady || p.Scorecard.CallID != "call-7" ||
						r.header.Get(HeaderDelivery) != "call-7" {
						t.Errorf("payload %+v, %v", p, err)
					}
				}
			})
		})
	}
}

func TestVerifyWebhook(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	body := []byte(`{"type":"scorecard.ready","call_id":"c1","timestamp":1800000000,"scorecard":{}}`)
	headers := func(sig, ts string) http.Header {
		h := http.Header{}
		h.Set(HeaderSignature, sig)
		h.Set(HeaderTimestamp, ts)
		return h
	}
	good := Sign("k", body)
	for _, tc := range []struct {
		name string
		h    http.Header
		body []byte
		now  time.Time
		ok   bool
	}{
		{"good", headers(good, "1800000000"), body, now, true},
		{"tampered body", headers(good, "1800000000"), []byte(strings.Replace(string(body), "c1", "c2", 1)), now, false},
		{"wrong secret", headers(Sign("other", body), "1800000000"), body, now, false},
		{"replayed later", headers(good, "1800000000"), body, now.Add(10 * time.Minute), false},
		{"timestamp header moved", headers(good, "1800000500"), body, now.Add(500 * time.Second), false},
		{"no signature", headers("", "1800000000"), body, now, false},
		{"not hex", headers("sha256=zz", "1800000000"), body, now, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := VerifyWebhook("k", tc.h, tc.body, tc.now, 5*time.Minute)
			if (err == nil) != tc.ok || (err != nil && !errors.Is(err, ErrBadSignature)) {
				t.Errorf("err = %v, want ok=%v", err, tc.ok)
			}
		})
	}
}

// TestXAPIStatement posts the statement to a fake LRS and compares it with a golden file.
func TestXAPIStatement(t *testing.T) {
	rc := &receiver{statuses: []int{200}}
	srv := httptest.NewServer(rc)
	defer srv.Close()
	d, err := NewDeliverer(DeliveryConfig{PublicURL: "https://spar.example.com", Attempts: 1,
		XAPI: XAPIConfig{Endpoint: srv.URL + "/xapi/", Username: "lrs-user", Password: "lrs-pass"}}, nil, srv.Client(), nil)
	if err != nil {
		t.Fatal(err)
	}
	d.Deliver(context.Background(), testCard())
	if len(rc.got) != 1 {
		t.Fatalf("%d requests, want 1", len(rc.got))
	}
	r := rc.got[0]
	user, pass, _ := (&http.Request{Header: r.header}).BasicAuth()
	if r.path != "/xapi/statements" || r.header.Get("X-Experience-API-Version") != "1.0.3" || user != "lrs-user" || pass != "lrs-pass" {
		t.Errorf("request %s version %q auth %s:%s", r.path, r.header.Get("X-Experience-API-Version"), user, pass)
	}
	var v any
	if err := json.Unmarshal(r.body, &v); err != nil {
		t.Fatal(err)
	}
	pretty, _ := json.MarshalIndent(v, "", "  ")
	golden(t, "testdata/xapi-statement.golden.json", append(pretty, '\n'))
}

func TestXAPIActor(t *testing.T) {
	for _, tc := range []struct{ learner, mbox, account string }{
		{"sam@example.com", "mailto:sam@example.com", ""},
		{"mailto:sam@example.com", "mailto:sam@example.com", ""},
		{"guest:Sam", "", "guest:Sam"},
		{"guest:+15551234567", "", "guest:+15551234567"},
		{"learner-42", "", "learner-42"},
		{"", "", "guest:anonymous"},
	} {
		a := actor(tc.learner, "https://spar.example.com")
		got := ""
		if a.Account != nil {
			got = a.Account.Name
			if a.Account.HomePage != "https://spar.example.com" {
				t.Errorf("%q: home page %q", tc.learner, a.Account.HomePage)
			}
		}
		if a.Mbox != tc.mbox || got != tc.account || (a.Mbox == "") == (a.Account == nil) {
			t.Errorf("actor(%q) = %+v; want mbox %q account %q (exactly one)", tc.learner, a, tc.mbox, tc.account)
		}
	}
}

func TestISODuration(t *testing.T) {
	for d, want := range map[time.Duration]string{0: "PT0S", 252 * time.Second: "PT4M12S",
		time.Hour + 2*time.Second: "PT1H2S", 59600 * time.Millisecond: "PT1M"} {
		if got := isoDuration(d); got != want {
			t.Errorf("isoDuration(%v) = %s, want %s", d, got, want)
		}
	}
}

// rewrite sends every request to target, whatever its host: twilio-go always posts to
// https://api.twilio.com.
type rewrite struct {
	target *url.URL
	rt     http.RoundTripper
}

func (rw rewrite) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.URL.Scheme, r.URL.Host, r.Host = rw.target.Scheme, rw.target.Host, ""
	return rw.rt.RoundTrip(r)
}

// TestSMS texts a phone learner through twilio-go against a fake Twilio REST endpoint; a
// browser learner gets nothing, and a 4xx from Twilio is not retried.
func TestSMS(t *testing.T) {
	for _, tc := range []struct {
		name      string
		transport string
		from      string
		status    int
		want      int // requests to Twilio
	}{
		{"phone learner", "twilio", "+15551234567", http.StatusCreated, 1},
		{"browser learner", "webrtc", "", http.StatusCreated, 0},
		{"invalid number", "twilio", "+15550000000", http.StatusBadRequest, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var mu sync.Mutex
			var forms []url.Values
			var auths []string
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				r.ParseForm()
				u, p, _ := r.BasicAuth()
				mu.Lock()
				forms, auths = append(forms, r.PostForm), append(auths, r.Method+" "+r.URL.Path+" "+u+":"+p)
				mu.Unlock()
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(tc.status)
				if tc.status == http.StatusCreated {
					io.WriteString(w, `{"sid":"SM123","status":"queued"}`)
				} else {
					io.WriteString(w, `{"code":21211,"message":"Invalid 'To' Phone Number","status":400}`)
				}
			}))
			defer srv.Close()
			target, _ := url.Parse(srv.URL)
			recs := recordsFunc(func(_ context.Context, id string) (*store.Record, error) {
				return &store.Record{ID: id, Transport: tc.transport, From: tc.from}, nil
			})
			d, err := NewDeliverer(DeliveryConfig{PublicURL: "https://spar.example.com", Attempts: 3,
				SMS: SMSConfig{Enabled: true, From: "+15557654321", AccountSID: "AC123", AuthToken: "tok456"}},
				recs, &http.Client{Transport: rewrite{target, srv.Client().Transport}}, nil)
			if err != nil {
				t.Fatal(err)
			}
			d.Deliver(context.Background(), testCard())
			if len(forms) != tc.want {
				t.Fatalf("%d messages sent, want %d", len(forms), tc.want)
			}
			if tc.want == 0 || tc.status != http.StatusCreated {
				return
			}
			f := forms[0]
			if auths[0] != "POST /2010-04-01/Accounts/AC123/Messages.json AC123:tok456" || f.Get("To") != tc.from || f.Get("From") != "+15557654321" {
				t.Errorf("request %s form %v", auths[0], f)
			}
			if body := f.Get("Body"); !strings.Contains(body, "https://spar.example.com/?call=call-7") || !strings.Contains(body, "82/100") {
				t.Errorf("body %q lacks the link or the score", body)
			}
		})
	}
}

// TestDelivererQueue: Enqueue never blocks (a full queue skips the card) and Run delivers
// what is queued until its context ends.
func TestDelivererQueue(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rc := &receiver{statuses: []int{200}}
		d, err := NewDeliverer(DeliveryConfig{Queue: 2, Webhook: WebhookConfig{URL: "https://hooks.example.com/x", Secret: "k"}},
			nil, &http.Client{Transport: handlerTransport{rc}}, nil)
		if err != nil {
			t.Fatal(err)
		}
		for range 3 {
			d.Enqueue(context.Background(), testCard())
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error)
		go func() { done <- d.Run(ctx) }()
		synctest.Wait()
		if len(rc.got) != 2 {
			t.Errorf("%d cards delivered, want the 2 that fit the queue", len(rc.got))
		}
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Errorf("Run = %v", err)
		}
	})
}

func TestDelivererNeedsSecrets(t *testing.T) {
	for name, cfg := range map[string]DeliveryConfig{
		"webhook": {Webhook: WebhookConfig{URL: "https://h.example.com"}},
		"xapi":    {XAPI: XAPIConfig{Endpoint: "https://lrs.example.com", Username: "u"}},
		"sms":     {SMS: SMSConfig{Enabled: true, From: "+15550001111", AccountSID: "AC1"}},
	} {
		if _, err := NewDeliverer(cfg, nil, nil, nil); !errors.Is(err, ErrInvalidConfig) {
			t.Errorf("%s without its secret: %v, want ErrInvalidConfig", name, err)
		}
	}
	d, err := NewDeliverer(DeliveryConfig{}, nil, nil, nil)
	if err != nil || d.Enabled() {
		t.Errorf("empty config: %v, enabled %v; want no channel", err, d.Enabled())
	}
}
