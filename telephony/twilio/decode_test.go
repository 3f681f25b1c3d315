package twilio

import (
	"errors"
	"testing"
)

func TestDecodeMessage(t *testing.T) {
	cases := []struct {
		name string
		in   string
		err  error // nil, ErrMalformed or ErrUnknownEvent
		chk  func(*Message) bool
	}{
		{"connected", `{"event":"connected","protocol":"Call","version":"1.0.0"}`, nil,
			func(m *Message) bool { return m.Protocol == "Call" && m.Version == "1.0.0" }},
		{"start", `{"event":"start","sequenceNumber":"1","start":{"accountSid":"AC1","streamSid":"MZ1","callSid":"CA1","tracks":["inbound"],"mediaFormat":{"encoding":"audio/x-mulaw","sampleRate":8000,"channels":1},"customParameters":{"scenario":"s1"}},"streamSid":"MZ1"}`, nil,
			func(m *Message) bool {
				return m.Start.CallSid == "CA1" && m.Start.MediaFormat.SampleRate == 8000 && m.Start.CustomParameters["scenario"] == "s1" && m.Media == nil
			}},
		{"media", `{"event":"media","sequenceNumber":"4","media":{"track":"inbound","chunk":"2","timestamp":"5","payload":"//8A"},"streamSid":"MZ1"}`, nil,
			func(m *Message) bool {
				return m.Media.Payload == "//8A" && m.Media.Timestamp == "5" && m.SequenceNumber == "4"
			}},
		{"outbound media", `{"event":"media","streamSid":"MZ1","media":{"payload":"//8A"}}`, nil,
			func(m *Message) bool { return m.Media.Payload == "//8A" }},
		{"dtmf", `{"event":"dtmf","streamSid":"MZ1","sequenceNumber":"5","dtmf":{"track":"inbound_track","digit":"#"}}`, nil,
			func(m *Message) bool { return m.DTMF.Digit == "#" && m.Media == nil }},
		{"mark", `{"event":"mark","sequenceNumber":"6","streamSid":"MZ1","mark":{"name":"m3"}}`, nil,
			func(m *Message) bool { return m.Mark.Name == "m3" }},
		{"stop", `{"event":"stop","sequenceNumber":"7","stop":{"accountSid":"AC1","callSid":"CA1"},"streamSid":"MZ1"}`, nil,
			func(m *Message) bool { return m.Stop.CallSid == "CA1" }},
		{"clear", `{"event":"clear","streamSid":"MZ1"}`, nil, nil},
		{"not json", `{"event":"media",`, ErrMalformed, nil},
		{"json null", `null`, ErrMalformed, nil},
		{"array", `[1,2]`, ErrMalformed, nil},
		{"no event", `{"streamSid":"MZ1"}`, ErrMalformed, nil},
		{"unknown event", `{"event":"bogus"}`, ErrUnknownEvent, nil},
		{"media without payload", `{"event":"media","media":{"track":"inbound","timestamp":"5"}}`, ErrMalformed, nil},
		{"media without media", `{"event":"media","sequenceNumber":"3"}`, ErrMalformed, nil},
		{"timestamp not a number", `{"event":"media","media":{"timestamp":"5x","payload":"AA=="}}`, ErrMalformed, nil},
		{"negative chunk", `{"event":"media","media":{"chunk":"-1","payload":"AA=="}}`, ErrMalformed, nil},
		{"timestamp as number", `{"event":"media","media":{"timestamp":5,"payload":"AA=="}}`, ErrMalformed, nil},
		{"sequence overflow", `{"event":"mark","sequenceNumber":"99999999999999999999","mark":{"name":"x"}}`, ErrMalformed, nil},
		{"start without callSid", `{"event":"start","start":{"streamSid":"MZ1"}}`, ErrMalformed, nil},
		{"dtmf two digits", `{"event":"dtmf","dtmf":{"digit":"12"}}`, ErrMalformed, nil},
		{"mark without name", `{"event":"mark","mark":{}}`, ErrMalformed, nil},
		{"clear without stream", `{"event":"clear"}`, ErrMalformed, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var m Message
			err := DecodeMessage([]byte(tc.in), &m)
			if tc.err == nil {
				if err != nil {
					t.Fatalf("unexpected error %v", err)
				}
				if tc.chk != nil && !tc.chk(&m) {
					t.Fatalf("decoded %+v", m)
				}
				return
			}
			if !errors.Is(err, tc.err) {
				t.Fatalf("error %v, want %v", err, tc.err)
			}
		})
	}
}

// TestDecodeMessageReuse checks that a reused Message carries nothing over.
func TestDecodeMessageReuse(t *testing.T) {
	var m Message
	if err := DecodeMessage([]byte(`{"event":"media","media":{"track":"inbound","timestamp":"40","chunk":"3","payload":"AAAA"}}`), &m); err != nil {
		t.Fatal(err)
	}
	media := m.Media
	if err := DecodeMessage([]byte(`{"event":"media","media":{"payload":"//8A"}}`), &m); err != nil {
		t.Fatal(err)
	}
	if m.Media != media {
		t.Error("media payload was not reused")
	}
	if m.Media.Timestamp != "" || m.Media.Track != "" || m.Media.Chunk != "" {
		t.Errorf("stale fields: %+v", *m.Media)
	}
	if err := DecodeMessage([]byte(`{"event":"dtmf","dtmf":{"digit":"1"}}`), &m); err != nil {
		t.Fatal(err)
	}
	if m.Media != nil || m.DTMF == nil {
		t.Errorf("dtmf message: media %v dtmf %v", m.Media, m.DTMF)
	}
	if err := DecodeMessage([]byte(`{"event":"mark","mark":{"name":"m1"}}`), &m); err != nil {
		t.Fatal(err)
	}
	if m.DTMF != nil {
		t.Error("dtmf part survived a mark message")
	}
}
