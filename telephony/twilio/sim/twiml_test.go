package sim

import (
	"errors"
	"reflect"
	"testing"
)

func TestReadAnswer(t *testing.T) {
	tests := []struct {
		name  string
		twiml string
		want  answer
	}{
		{name: "stream", twiml: `<?xml version="1.0" encoding="UTF-8"?>
<Response><Connect><Stream statusCallback="https://h/s" url="wss://h/twilio/media">
<Parameter value="angry" name="scenario"/><Parameter name="learner" value="+1415"/></Stream></Connect></Response>`,
			want: answer{Stream: &stream{URL: "wss://h/twilio/media", Params: map[string]string{"scenario": "angry", "learner": "+1415"}}}},
		{name: "say hangup", twiml: `<Response><Say voice="alice"> Sorry, we are closed. </Say><Hangup/><Say>never</Say></Response>`,
			want: answer{Said: []string{"Sorry, we are closed."}, Ended: true}},
		{name: "empty", twiml: `<Response/>`, want: answer{Ended: true}},
		{name: "gather", twiml: `<Response><Gather action="/menu" method="POST" finishOnKey=""><Say>Press 1.</Say><Pause/></Gather><Hangup/></Response>`,
			want: answer{Said: []string{"Press 1."}, Gather: &gather{Action: "/menu", Method: "POST", Prompt: "Press 1."}}},
		{name: "redirect", twiml: `<Response><Pause length="1"/><Redirect method="POST">/twilio/voice2</Redirect></Response>`,
			want: answer{Redirect: "/twilio/voice2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			verbs, err := parseTwiML([]byte(tt.twiml))
			if err != nil {
				t.Fatal(err)
			}
			got := readAnswer(verbs)
			got.Rest = nil
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestParseTwiMLErrors(t *testing.T) {
	for _, body := range []string{"", "hello", "<Reply/>", "<Response><Say>"} {
		if _, err := parseTwiML([]byte(body)); !errors.Is(err, ErrWebhook) {
			t.Errorf("parseTwiML(%q) = %v, want ErrWebhook", body, err)
		}
	}
}

func TestStreamURLs(t *testing.T) {
	tests := []struct {
		base, stream, signed, dial string
		ok                         bool
	}{
		{"http://127.0.0.1:8080", "wss://127.0.0.1:8080/twilio/media", "wss://127.0.0.1:8080/twilio/media", "ws://127.0.0.1:8080/twilio/media", true},
		{"https://spar.example.com", "wss://node7.spar.example.com/twilio/media?x=1", "wss://node7.spar.example.com/twilio/media", "wss://node7.spar.example.com/twilio/media", true},
		{"http://h:1", "ws://h:1/twilio/media", "ws://h:1/twilio/media", "ws://h:1/twilio/media", true},
		{"https://h", "ws://h/twilio/media", "", "", false},
		{"http://h", "https://h/twilio/media", "", "", false},
		{"http://h", "/twilio/media", "", "", false},
	}
	for _, tt := range tests {
		signed, dial, _, err := streamURLs(tt.base, tt.stream)
		if (err == nil) != tt.ok || signed != tt.signed || dial != tt.dial {
			t.Errorf("streamURLs(%q, %q) = %q, %q, %v", tt.base, tt.stream, signed, dial, err)
		}
	}
}

func FuzzParseTwiML(f *testing.F) {
	f.Add([]byte(`<Response><Connect><Stream url="wss://h/m"><Parameter name="a" value="b"/></Stream></Connect></Response>`))
	f.Add([]byte(`<Response><Gather action="x"><Say>p</Say></Gather><Redirect>y</Redirect></Response>`))
	f.Fuzz(func(t *testing.T, b []byte) {
		verbs, err := parseTwiML(b)
		if err != nil {
			return
		}
		a := readAnswer(verbs)
		if a.Stream != nil && a.Stream.Params == nil {
			t.Fatal("stream without params map")
		}
	})
}
