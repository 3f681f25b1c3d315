package sim

import (
	"fmt"
	"net/url"
	"testing"

	"github.com/twilio/twilio-go/client"
)

func TestSign(t *testing.T) {
	vector := url.Values{
		"Digits": {"1234"}, "CallSid": {"CA1234567890ABCDE"}, "To": {"+18005551212"},
		"Caller": {"+14158675309"}, "From": {"+14158675309"},
		"ReasonConferenceEnded": {"test"}, "Reason": {"Participant"},
	}
	tests := []struct {
		name, token, url string
		params           url.Values
		want             string // "" = only check twilio-go agrees
	}{
		{name: "Twilio documentation vector", token: "12345", url: "https://mycompany.com/myapp.php?foo=1&bar=2",
			params: vector, want: "vOEb5UThFn24KEfnOFLQY2AE5FY="},
		{name: "webhook", token: testToken, url: "http://127.0.0.1:8080/twilio/voice",
			params: voiceParams(Config{From: "+14155550100", To: "client:alice"}, callIDs{CallSid: newSid("CA"), AccountSid: newSid("AC")})},
		{name: "upgrade, no params", token: testToken, url: "wss://spar.example.com/twilio/media"},
		{name: "unicode and empty", token: "t", url: "https://h/x", params: url.Values{"Body": {"héllo & <ok>"}, "Empty": {""}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Sign(tt.token, tt.url, tt.params)
			if tt.want != "" && got != tt.want {
				t.Errorf("Sign = %q, want %q", got, tt.want)
			}
			flat := map[string]string{}
			for k, v := range tt.params {
				flat[k] = v[0]
			}
			rv := client.NewRequestValidator(tt.token)
			if !rv.Validate(tt.url, flat, got) {
				t.Errorf("twilio-go rejects %q", got)
			}
			if rv.Validate(tt.url+"x", flat, got) {
				t.Error("twilio-go accepts the signature for another URL")
			}
		})
	}
}

func ExampleSign() {
	params := url.Values{
		"Digits": {"1234"}, "CallSid": {"CA1234567890ABCDE"}, "To": {"+18005551212"},
		"Caller": {"+14158675309"}, "From": {"+14158675309"},
		"ReasonConferenceEnded": {"test"}, "Reason": {"Participant"},
	}
	fmt.Println(Sign("12345", "https://mycompany.com/myapp.php?foo=1&bar=2", params))
	// Output: vOEb5UThFn24KEfnOFLQY2AE5FY=
}
