package twilio

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// The vector from Twilio's own documentation example.
var vectorForm = url.Values{
	"Digits":                {"1234"},
	"CallSid":               {"CA1234567890ABCDE"},
	"To":                    {"+18005551212"},
	"Caller":                {"+14158675309"},
	"From":                  {"+14158675309"},
	"ReasonConferenceEnded": {"test"},
	"Reason":                {"Participant"},
}

const vectorSig = "vOEb5UThFn24KEfnOFLQY2AE5FY="

func TestSignHelperMatchesVector(t *testing.T) {
	if got := sign("12345", "https://mycompany.com/myapp.php?foo=1&bar=2", vectorForm); got != vectorSig {
		t.Fatalf("sign = %q, want %q", got, vectorSig)
	}
}

func TestValidFormVector(t *testing.T) {
	cases := []struct {
		name    string
		public  string
		target  string // what reaches the server
		headers map[string]string
		sig     string
		want    bool
	}{
		{name: "public url", public: "https://mycompany.com", target: "http://10.0.0.7:8080/myapp.php?foo=1&bar=2", sig: vectorSig, want: true},
		{name: "public url with slash", public: "https://mycompany.com/", target: "http://internal/myapp.php?foo=1&bar=2", sig: vectorSig, want: true},
		{name: "forwarded headers", target: "http://10.0.0.7:8080/myapp.php?foo=1&bar=2",
			headers: map[string]string{"X-Forwarded-Proto": "https", "X-Forwarded-Host": "mycompany.com"}, sig: vectorSig, want: true},
		{name: "host fallback is not the signed host", target: "http://10.0.0.7:8080/myapp.php?foo=1&bar=2", sig: vectorSig, want: false},
		{name: "public url ignores spoofed host", public: "https://mycompany.com", target: "http://evil.example/myapp.php?foo=1&bar=2",
			headers: map[string]string{"X-Forwarded-Host": "evil.example"}, sig: vectorSig, want: true},
		{name: "query changed", public: "https://mycompany.com", target: "http://x/myapp.php?foo=1&bar=3", sig: vectorSig, want: false},
		{name: "bad signature", public: "https://mycompany.com", target: "http://x/myapp.php?foo=1&bar=2", sig: "vOEb5UThFn24KEfnOFLQY2AE5FZ=", want: false},
		{name: "missing signature", public: "https://mycompany.com", target: "http://x/myapp.php?foo=1&bar=2", sig: "", want: false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := testConfig(tc.public)
			s := newTestServer(t, cfg, nil)
			r := httptest.NewRequest(http.MethodPost, tc.target, strings.NewReader(vectorForm.Encode()))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			for k, v := range tc.headers {
				r.Header.Set(k, v)
			}
			if tc.sig != "" {
				r.Header.Set("X-Twilio-Signature", tc.sig)
			}
			if err := r.ParseForm(); err != nil {
				t.Fatal(err)
			}
			if got := s.validForm(r); got != tc.want {
				t.Fatalf("validForm = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestValidUpgrade(t *testing.T) {
	s := newTestServer(t, testConfig("https://spar.example.com"), nil)
	good := sign(testToken, "wss://spar.example.com/twilio/media", nil)
	cases := []struct {
		name, target, sig string
		want              bool
	}{
		{"signed wss url", "http://10.1.1.1/twilio/media", good, true},
		{"query is not signed", "http://10.1.1.1/twilio/media?x=1", good, true},
		{"https url signature", "http://10.1.1.1/twilio/media", sign(testToken, "https://spar.example.com/twilio/media", nil), false},
		{"unsigned", "http://10.1.1.1/twilio/media", "", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, tc.target, nil)
			if tc.sig != "" {
				r.Header.Set("X-Twilio-Signature", tc.sig)
			}
			if got := s.validUpgrade(r); got != tc.want {
				t.Fatalf("validUpgrade = %v, want %v", got, tc.want)
			}
		})
	}
}
