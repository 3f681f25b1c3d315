package main

import (
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/sparlab/spar/telephony/twilio/sim"
	"github.com/sparlab/spar/web/webtest"
)

// TestEndToEndForgedAndReplayedStreams: against the real server, a signed media stream with
// no webhook behind it (a forged start choosing its own call, learner and scenario) becomes
// no call, and a stream replaying a used token is refused, as is a replayed webhook.
func TestEndToEndForgedAndReplayedStreams(t *testing.T) {
	e := newEnv(t)
	srv := e.start(t)
	st := openStore(t, e)
	wsURL := "ws" + strings.TrimPrefix(srv.base, "http") + "/twilio/media"

	// stream opens a signed stream, sends connected and start with params, and returns how
	// the server closed it (0: it did not within 5 s, the call is live).
	stream := func(callSid string, params map[string]string) (code int, conn *websocket.Conn) {
		t.Helper()
		h := http.Header{"X-Twilio-Signature": {sim.Sign(e2eToken, wsURL, nil)}}
		conn, _, err := websocket.DefaultDialer.Dial(wsURL, h)
		if err != nil {
			t.Fatal(err)
		}
		p, _ := json.Marshal(params)
		sid := "MZ" + strings.TrimPrefix(callSid, "CA")
		for _, m := range []string{`{"event":"connected","protocol":"Call","version":"1.0.0"}`,
			fmt.Sprintf(`{"event":"start","sequenceNumber":"1","start":{"accountSid":"AC1","streamSid":"%s","callSid":"%s","tracks":["inbound"],"mediaFormat":{"encoding":"audio/x-mulaw","sampleRate":8000,"channels":1},"customParameters":%s},"streamSid":"%s"}`, sid, callSid, p, sid)} {
			if err := conn.WriteMessage(websocket.TextMessage, []byte(m)); err != nil {
				t.Fatal(err)
			}
		}
		_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
		for {
			if _, _, err := conn.ReadMessage(); err != nil {
				var ce *websocket.CloseError
				if errors.As(err, &ce) {
					return ce.Code, conn
				}
				return 0, conn // no close: the server is running a call on it
			}
		}
	}
	webhook := func(callSid string) string { return postVoiceWebhook(t, srv.base, callSid) }

	const forgedSid = "CA11111111111111111111111111111111"
	code, conn := stream(forgedSid, map[string]string{"call": "cforged", "learner": "ada", "scenario": "double-charge"})
	conn.Close()
	if code != websocket.ClosePolicyViolation {
		t.Fatalf("forged stream: close code %d, want %d", code, websocket.ClosePolicyViolation)
	}
	if _, err := st.Get(t.Context(), "cforged"); err == nil {
		t.Fatal("the forged stream left a call record")
	}
	// The server's output reaches the test through a pipe: the close can arrive first.
	webtest.Poll(t, "a log line naming the forged stream", 10*time.Second, func() bool {
		return strings.Contains(srv.output(), "no webhook Spar answered")
	})

	const sid = "CA22222222222222222222222222222222"
	answer := webhook(sid)
	var doc struct {
		Params []struct {
			Name  string `xml:"name,attr"`
			Value string `xml:"value,attr"`
		} `xml:"Connect>Stream>Parameter"`
	}
	if err := xml.Unmarshal([]byte(answer), &doc); err != nil || len(doc.Params) == 0 {
		t.Fatalf("webhook answer %s (%v)", answer, err)
	}
	params := map[string]string{}
	for _, p := range doc.Params {
		params[p.Name] = p.Value
	}
	if params["token"] == "" {
		t.Fatalf("no token in %s", answer)
	}
	if again := webhook(sid); strings.Contains(again, "<Connect") {
		t.Fatalf("replayed webhook connected: %s", again)
	}
	code, live := stream(sid, params)
	if code != 0 {
		t.Fatalf("the answered call's stream was closed with %d", code)
	}
	defer live.Close()
	if code, c := stream(sid, params); code != websocket.ClosePolicyViolation {
		t.Fatalf("stream replaying a used token: close code %d", code)
	} else {
		c.Close()
	}
}

// postVoiceWebhook posts a signed Twilio voice webhook for callSid and returns the TwiML.
func postVoiceWebhook(t *testing.T, base, callSid string) string {
	t.Helper()
	form := url.Values{"CallSid": {callSid}, "From": {"+15550000001"}, "To": {"+15550000002"}}
	req, _ := http.NewRequest(http.MethodPost, base+"/twilio/voice", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Twilio-Signature", sim.Sign(e2eToken, base+"/twilio/voice", form))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}
