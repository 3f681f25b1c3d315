package sim

import (
	"bytes"
	"encoding/base64"
	"testing"

	"github.com/gorilla/websocket"

	"github.com/sparlab/spar/telephony/twilio"
)

const fuzzSid = "MZ00000000000000000000000000000000"

func TestDecodeServerMsg(t *testing.T) {
	audio := []byte{0xFF, 0x00, 0x7F}
	payload := base64.StdEncoding.EncodeToString(audio)
	tests := []struct {
		name  string
		ft    int
		in    string
		event string
	}{
		{"media", websocket.TextMessage, `{"event":"media","streamSid":"` + fuzzSid + `","media":{"payload":"` + payload + `"}}`, twilio.EventMedia},
		{"mark", websocket.TextMessage, `{"event":"mark","streamSid":"` + fuzzSid + `","mark":{"name":"t1-s2"}}`, twilio.EventMark},
		{"clear", websocket.TextMessage, `{"event":"clear","streamSid":"` + fuzzSid + `"}`, twilio.EventClear},
		{"binary", websocket.BinaryMessage, `{"event":"clear","streamSid":"` + fuzzSid + `"}`, ""},
		{"bad json", websocket.TextMessage, `{"event":`, ""},
		{"other stream", websocket.TextMessage, `{"event":"clear","streamSid":"MZ1"}`, ""},
		{"no streamSid", websocket.TextMessage, `{"event":"clear"}`, ""},
		{"bad base64", websocket.TextMessage, `{"event":"media","streamSid":"` + fuzzSid + `","media":{"payload":"!!"}}`, ""},
		{"media without body", websocket.TextMessage, `{"event":"media","streamSid":"` + fuzzSid + `"}`, ""},
		{"mark without name", websocket.TextMessage, `{"event":"mark","streamSid":"` + fuzzSid + `","mark":{}}`, ""},
		{"start from server", websocket.TextMessage, `{"event":"start","streamSid":"` + fuzzSid + `"}`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := decodeServerMsg(tt.ft, []byte(tt.in), fuzzSid)
			if m.event != tt.event || (m.event == "") != (m.fault != "") {
				t.Fatalf("decode = %+v, want event %q", m, tt.event)
			}
			if m.event == twilio.EventMedia && !bytes.Equal(m.audio, audio) {
				t.Errorf("audio = %x", m.audio)
			}
			if m.event == twilio.EventMark && m.name != "t1-s2" {
				t.Errorf("name = %q", m.name)
			}
		})
	}
}

// FuzzDecodeServerMsg: whatever the server sends, decoding neither panics nor accepts a
// message without what the caller needs from it.
func FuzzDecodeServerMsg(f *testing.F) {
	f.Add([]byte(`{"event":"media","streamSid":"`+fuzzSid+`","media":{"payload":"/w=="}}`), true)
	f.Add([]byte(`{"event":"mark","streamSid":"`+fuzzSid+`","mark":{"name":"x"}}`), true)
	f.Add([]byte{0xff, 0x00}, false)
	f.Fuzz(func(t *testing.T, b []byte, text bool) {
		ft := websocket.BinaryMessage
		if text {
			ft = websocket.TextMessage
		}
		m := decodeServerMsg(ft, b, fuzzSid)
		if (m.event == "") == (m.fault == "") {
			t.Fatalf("decode = %+v: exactly one of event and fault must be set", m)
		}
		if m.event == twilio.EventMedia && m.audio == nil {
			t.Fatalf("media %q accepted without audio", b)
		}
		if m.event == twilio.EventMark && m.name == "" {
			t.Fatalf("mark %q accepted without a name", b)
		}
	})
}

// TestRunGarbage: a server sending junk does not crash the caller; Twilio would ignore it,
// and the result counts it.
func TestRunGarbage(t *testing.T) {
	t.Parallel()
	fs := newFakeServer(t, testToken, func(c *fakeCall) {
		junk := []string{
			`not json`, `{}`, `[1,2]`, `{"event":"media","streamSid":"MZwrong","media":{"payload":"/w=="}}`,
			`{"event":"media","streamSid":"` + c.sid + `","media":{"payload":"%%%"}}`,
			`{"event":"mark","streamSid":"` + c.sid + `"}`, `{"event":"stop","streamSid":"` + c.sid + `"}`,
			`{"event":"media","streamSid":"` + c.sid + `","media":{"payload":12}}`,
		}
		for _, j := range junk {
			c.ws.WriteMessage(websocket.TextMessage, []byte(j))
		}
		c.ws.WriteMessage(websocket.BinaryMessage, []byte{0, 1, 2, 0xff})
		c.sendAudio(3)
		c.sendMark("after-junk")
		if c.waitMark("after-junk") {
			c.hangup()
		}
	})
	res, err := runCall(t, testConfig(fs, Script{{Wait: 30e9}}))
	if err != nil || !res.ServerClosed {
		t.Fatalf("Run = %v, closed %v", err, res.ServerClosed)
	}
	fs.finished(t)
	if res.Malformed != 9 || res.Marks != 1 || res.FramesReceived != 3 {
		t.Errorf("malformed %d marks %d frames %d, want 9 1 3", res.Malformed, res.Marks, res.FramesReceived)
	}
}
