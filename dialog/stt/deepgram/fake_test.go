package deepgram

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/gorilla/websocket"
)

// fakeDeepgram is an in-process Deepgram listen endpoint. Every text frame it receives is
// passed to control (by type); binary frames are counted. out carries frames to send.
type fakeDeepgram struct {
	mu      sync.Mutex
	query   url.Values
	auth    string
	audio   int // bytes received
	control chan string
	out     chan string
	conn    chan *websocket.Conn
}

func newFakeDeepgram(t *testing.T) (*fakeDeepgram, string) {
	f := &fakeDeepgram{control: make(chan string, 64), out: make(chan string, 64), conn: make(chan *websocket.Conn, 1)}
	up := websocket.Upgrader{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Token dg-test" {
			w.Header().Set("dg-error", "Invalid credentials.")
			http.Error(w, `{"err_code":"INVALID_AUTH","err_msg":"Invalid credentials."}`, 401)
			return
		}
		f.mu.Lock()
		f.query, f.auth = r.URL.Query(), r.Header.Get("Authorization")
		f.mu.Unlock()
		c, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer c.Close()
		f.conn <- c
		go func() {
			for m := range f.out {
				if m == "" { // close the stream the way Deepgram does after CloseStream
					c.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""))
					return
				}
				if c.WriteMessage(websocket.TextMessage, []byte(m)) != nil {
					return
				}
			}
		}()
		for {
			typ, b, err := c.ReadMessage()
			if err != nil {
				close(f.control)
				return
			}
			if typ == websocket.BinaryMessage {
				f.mu.Lock()
				f.audio += len(b)
				f.mu.Unlock()
				continue
			}
			var m struct{ Type string }
			if json.Unmarshal(b, &m) != nil {
				t.Errorf("fake: bad control frame %q", b)
			}
			f.control <- m.Type
			if m.Type == "CloseStream" {
				// Deepgram sends its last results and Metadata, then closes.
				f.out <- metadata
				f.out <- ""
			}
		}
	}))
	t.Cleanup(srv.Close)
	return f, "ws" + strings.TrimPrefix(srv.URL, "http") + "/v1/listen"
}

// next returns the next control message type, skipping KeepAlives unless asked for.
func (f *fakeDeepgram) next(keepAlive bool) string {
	for m := range f.control {
		if m != "KeepAlive" || keepAlive {
			return m
		}
	}
	return "(closed)"
}

func (f *fakeDeepgram) bytes() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.audio
}

// results renders a Results message the way Deepgram does, with confidence 0.98.
func results(text string, isFinal, speechFinal, fromFinalize bool) string {
	return scored(text, "0.98", isFinal, speechFinal, fromFinalize)
}

// scored is results with the alternative's confidence as written on the wire ("" leaves the
// field out).
func scored(text, confidence string, isFinal, speechFinal, fromFinalize bool) string {
	t, _ := json.Marshal(text)
	conf := ""
	if confidence != "" {
		conf = `"confidence":` + confidence + ","
	}
	return fmt.Sprintf(`{"type":"Results","channel_index":[0,1],"duration":0.5,"start":1.0,"is_final":%t,"speech_final":%t,"from_finalize":%t,"channel":{"alternatives":[{"transcript":%s,%s"words":[]}]},"metadata":{"request_id":"r1","model_info":{"name":"2-general-nova","version":"2024-01-09","arch":"nova-3"}}}`,
		isFinal, speechFinal, fromFinalize, t, conf)
}

const utteranceEnd = `{"type":"UtteranceEnd","channel":[0,1],"last_word_end":2.1}`
const speechStarted = `{"type":"SpeechStarted","channel":[0],"timestamp":0.9}`
const metadata = `{"type":"Metadata","transaction_key":"deprecated","request_id":"r1","sha256":"x","created":"2025-01-01T00:00:00.000Z","duration":3.2,"channels":1}`
