package twilio

import (
	"flag"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata golden files")

const public = "https://spar.example.com"

func callForm(from, to string) url.Values {
	return url.Values{
		"CallSid": {"CA0123456789abcdef0123456789abcdef"}, "AccountSid": {"AC0123456789abcdef0123456789abcdef"},
		"From": {from}, "To": {to}, "Caller": {from}, "Called": {to},
		"CallStatus": {"ringing"}, "Direction": {"inbound"}, "ApiVersion": {"2010-04-01"},
	}
}

func withMenu(c Config) Config {
	c.Numbers = nil
	c.Menu = []MenuItem{
		{Digit: "1", Scenario: "angry-double-charge", Title: "an angry customer"},
		{Digit: "2", Scenario: "lost-appointment"},
	}
	return c
}

func serve(s *Server, r *http.Request) *httptest.ResponseRecorder {
	mux := http.NewServeMux()
	s.Register(mux)
	w := httptest.NewRecorder()
	mux.ServeHTTP(w, r)
	return w
}

// TestTwiMLGolden checks whole TwiML answers against testdata/*.xml, compared as parsed trees.
func TestTwiMLGolden(t *testing.T) {
	cases := []struct {
		golden string
		cfg    func(Config) Config
		form   url.Values
		drain  bool
	}{
		{golden: "connect_stream.xml", form: callForm("+14155550100", "+15550001111")},
		{golden: "menu_gather.xml", cfg: withMenu, form: callForm("+14155550100", "+15550002222")},
		{golden: "draining.xml", form: callForm("+14155550100", "+15550001111"), drain: true},
		{golden: "unknown_caller.xml", cfg: func(c Config) Config { c.AllowGuests = false; return c }, form: callForm("+19998887777", "+15550001111")},
		{golden: "unknown_scenario.xml", form: callForm("+14155550100", "+15550009999")},
	}
	for _, tc := range cases {
		t.Run(tc.golden, func(t *testing.T) {
			cfg := testConfig(public)
			if tc.cfg != nil {
				cfg = tc.cfg(cfg)
			}
			s := newTestServer(t, cfg, nil)
			if tc.drain {
				s.Drain()
			}
			w := serve(s, postForm(public, PathVoice, tc.form, testToken))
			if w.Code != http.StatusOK || w.Header().Get("Content-Type") != "text/xml" {
				t.Fatalf("status %d, content type %q: %s", w.Code, w.Header().Get("Content-Type"), w.Body)
			}
			path := filepath.Join("testdata", tc.golden)
			if *update {
				if err := os.WriteFile(path, w.Body.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			wantTree, err := parseXML(string(want))
			if err != nil {
				t.Fatalf("golden: %v", err)
			}
			gotTree, err := parseXML(w.Body.String())
			if err != nil {
				t.Fatalf("answer: %v\n%s", err, w.Body)
			}
			if gotTree.String() != wantTree.String() {
				t.Fatalf("TwiML differs from %s\ngot:\n%s\nwant:\n%s", path, gotTree, wantTree)
			}
		})
	}
}

func TestVoiceWebhook(t *testing.T) {
	type want struct {
		status   int
		verb     string            // first verb under Response
		params   map[string]string // <Parameter>s when verb is Connect
		sayHas   string
		redirect string
	}
	cases := []struct {
		name   string
		cfg    func(Config) Config
		path   string
		form   url.Values
		unsign bool
		badSig bool
		want   want
	}{
		{name: "bad signature", form: callForm("+14155550100", "+15550001111"), badSig: true, want: want{status: 403}},
		{name: "missing signature", form: callForm("+14155550100", "+15550001111"), unsign: true, want: want{status: 403}},
		{name: "unchecked when validation is off", cfg: func(c Config) Config { c.ValidateSignatures = false; return c },
			form: callForm("+14155550100", "+15550001111"), unsign: true,
			want: want{status: 200, verb: "Connect", params: map[string]string{"scenario": "angry-double-charge", "learner": "alice"}}},
		{name: "mapped number, known learner", form: callForm("+14155550100", "+15550001111"),
			want: want{status: 200, verb: "Connect", params: map[string]string{
				"call": "cTESTCALLID", "scenario": "angry-double-charge", "learner": "alice", "from": "+14155550100", "to": "+15550001111"}}},
		{name: "unmapped number takes the default", form: callForm("+14155550100", "+15550003333"),
			want: want{status: 200, verb: "Connect", params: map[string]string{"scenario": "cold-call"}}},
		{name: "guest", form: callForm("+19998887777", "+15550001111"),
			want: want{status: 200, verb: "Connect", params: map[string]string{"learner": "guest:+19998887777"}}},
		{name: "guests not allowed", cfg: func(c Config) Config { c.AllowGuests = false; return c }, form: callForm("+19998887777", "+15550001111"),
			want: want{status: 200, verb: "Say", sayHas: "isn't registered"}},
		{name: "known learner when guests not allowed", cfg: func(c Config) Config { c.AllowGuests = false; return c }, form: callForm("+14155550100", "+15550001111"),
			want: want{status: 200, verb: "Connect", params: map[string]string{"learner": "alice"}}},
		{name: "number maps to unknown scenario", form: callForm("+14155550100", "+15550009999"),
			want: want{status: 200, verb: "Say", sayHas: "not set up"}},
		{name: "no scenario at all", cfg: func(c Config) Config { c.DefaultScenario = ""; return c }, form: callForm("+14155550100", "+15550003333"),
			want: want{status: 200, verb: "Say", sayHas: "not set up"}},
		{name: "menu", cfg: withMenu, form: callForm("+14155550100", "+15550002222"),
			want: want{status: 200, verb: "Gather", sayHas: "For a patient whose appointment was lost, press 2", redirect: public + PathVoice + "?attempt=1"}},
		{name: "menu digit", cfg: withMenu, form: withField(callForm("+14155550100", "+15550002222"), "Digits", "2"),
			want: want{status: 200, verb: "Connect", params: map[string]string{"scenario": "lost-appointment"}}},
		{name: "menu wrong digit", cfg: withMenu, form: withField(callForm("+14155550100", "+15550002222"), "Digits", "9"),
			want: want{status: 200, verb: "Gather", sayHas: "not on the menu"}},
		{name: "menu second reading", cfg: withMenu, path: PathVoice + "?attempt=1", form: callForm("+14155550100", "+15550002222"),
			want: want{status: 200, verb: "Gather", redirect: public + PathVoice + "?attempt=2"}},
		{name: "menu gives up", cfg: withMenu, path: PathVoice + "?attempt=3", form: callForm("+14155550100", "+15550002222"),
			want: want{status: 200, verb: "Say", sayHas: "No choice"}},
		{name: "mapped number beats the menu", cfg: func(c Config) Config {
			c = withMenu(c)
			c.Numbers = map[string]string{"+15550001111": "cold-call"}
			return c
		},
			form: callForm("+14155550100", "+15550001111"), want: want{status: 200, verb: "Connect", params: map[string]string{"scenario": "cold-call"}}},
		{name: "webhook URL names the scenario", cfg: withMenu, path: PathVoice + "?scenario=cold-call", form: callForm("+14155550100", "+15550002222"),
			want: want{status: 200, verb: "Connect", params: map[string]string{"scenario": "cold-call"}}},
		{name: "webhook URL names an unknown scenario", path: PathVoice + "?scenario=nope", form: callForm("+14155550100", "+15550001111"),
			want: want{status: 200, verb: "Say", sayHas: "not set up"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := testConfig(public)
			if tc.cfg != nil {
				cfg = tc.cfg(cfg)
			}
			s := newTestServer(t, cfg, nil)
			path := tc.path
			if path == "" {
				path = PathVoice
			}
			token := testToken
			if tc.unsign {
				token = ""
			}
			if tc.badSig {
				token = "not-the-token"
			}
			w := serve(s, postForm(public, path, tc.form, token))
			if w.Code != tc.want.status {
				t.Fatalf("status %d, want %d: %s", w.Code, tc.want.status, w.Body)
			}
			if tc.want.status != 200 {
				return
			}
			tree, err := parseXML(w.Body.String())
			if err != nil || tree.Name != "Response" || len(tree.Children) == 0 {
				t.Fatalf("not TwiML (%v): %s", err, w.Body)
			}
			if got := tree.Children[0].Name; got != tc.want.verb {
				t.Fatalf("first verb %s, want %s:\n%s", got, tc.want.verb, tree)
			}
			if tc.want.verb == "Connect" {
				st := tree.find("Stream")
				if st.Attrs["url"] != "wss://spar.example.com/twilio/media" || st.Attrs["statusCallback"] != public+PathStreamStatus {
					t.Fatalf("stream attributes %v", st.Attrs)
				}
			}
			got := tree.params()
			for k, v := range tc.want.params {
				if got[k] != v {
					t.Errorf("parameter %s = %q, want %q (all: %v)", k, got[k], v, got)
				}
			}
			if tc.want.sayHas != "" {
				if say := tree.find("Say"); say == nil || !strings.Contains(say.Text, tc.want.sayHas) {
					t.Errorf("Say does not contain %q:\n%s", tc.want.sayHas, tree)
				}
			}
			if tc.want.redirect != "" {
				if r := tree.find("Redirect"); r == nil || r.Text != tc.want.redirect {
					t.Errorf("Redirect is not %q:\n%s", tc.want.redirect, tree)
				}
			}
		})
	}
}

func withField(f url.Values, k, v string) url.Values {
	f.Set(k, v)
	return f
}

func TestStreamStatusAndBadForms(t *testing.T) {
	s := newTestServer(t, testConfig(public), nil)
	status := url.Values{"StreamSid": {"MZ1"}, "CallSid": {"CA1"}, "StreamEvent": {"stream-stopped"}}
	if w := serve(s, postForm(public, PathStreamStatus, status, testToken)); w.Code != http.StatusNoContent {
		t.Errorf("signed stream status: %d", w.Code)
	}
	if w := serve(s, postForm(public, PathStreamStatus, status, "")); w.Code != http.StatusForbidden {
		t.Errorf("unsigned stream status: %d", w.Code)
	}
	r := httptest.NewRequest(http.MethodPost, public+PathVoice, strings.NewReader("To=%zz"))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if w := serve(s, r); w.Code != http.StatusBadRequest {
		t.Errorf("bad form: %d", w.Code)
	}
	r = httptest.NewRequest(http.MethodPost, public+PathVoice, strings.NewReader("To="+strings.Repeat("1", maxFormBytes)))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if w := serve(s, r); w.Code != http.StatusBadRequest {
		t.Errorf("oversized form: %d", w.Code)
	}
}

func TestDrainRefusesStreams(t *testing.T) {
	s := newTestServer(t, testConfig(public), nil)
	s.Drain()
	r := httptest.NewRequest(http.MethodGet, public+PathMedia, nil)
	r.Header.Set("X-Twilio-Signature", sign(testToken, "wss://spar.example.com"+PathMedia, nil))
	if w := serve(s, r); w.Code != http.StatusServiceUnavailable {
		t.Fatalf("media while draining: %d", w.Code)
	}
	if err := s.Wait(t.Context()); err != nil {
		t.Fatalf("Wait with no calls: %v", err)
	}
}
