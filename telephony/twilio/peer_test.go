package twilio

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gorilla/websocket"

	"github.com/sparlab/spar/media"
	"github.com/sparlab/spar/telephony"
)

const (
	testStreamSid = "MZ0123456789abcdef0123456789abcdef"
	testCallSid   = "CA0123456789abcdef0123456789abcdef"
)

// recorder is a telephony.Listener that copies what it gets into channels. It never blocks:
// a full channel is a test failure reported by drops.
type recorder struct {
	audio  chan []int16
	events chan telephony.Event
	drops  chan struct{}
}

func newRecorder() *recorder {
	return &recorder{audio: make(chan []int16, 4096), events: make(chan telephony.Event, 256), drops: make(chan struct{}, 1)}
}

func (r *recorder) Audio(p []int16) {
	select {
	case r.audio <- append([]int16(nil), p...):
	default:
		r.drop()
	}
}

func (r *recorder) Event(e telephony.Event) {
	select {
	case r.events <- e:
	default:
		r.drop()
	}
}

func (r *recorder) drop() {
	select {
	case r.drops <- struct{}{}:
	default:
	}
}

// nextEvent returns the next event of kind, skipping others.
func (r *recorder) nextEvent(t *testing.T, kind telephony.EventKind) telephony.Event {
	t.Helper()
	for e := range r.events {
		if e.Kind == kind {
			return e
		}
	}
	t.Fatal("event channel closed")
	return telephony.Event{}
}

// handled is what the test handler reports about one call.
type handled struct {
	call *telephony.Call
	rec  *recorder
}

// harness runs a Server under httptest with a handler that listens, reports the call, and
// waits for the call's context to end, reporting its cause.
type harness struct {
	srv   *Server
	ts    *httptest.Server
	calls chan handled
	ended chan error
}

func newHarness(t *testing.T, tweak func(*Config)) *harness {
	t.Helper()
	mux := http.NewServeMux()
	ts := httptest.NewServer(mux)
	t.Cleanup(ts.Close)
	cfg := testConfig(ts.URL)
	if tweak != nil {
		tweak(&cfg)
	}
	h := &harness{ts: ts, calls: make(chan handled, 1), ended: make(chan error, 1)}
	h.srv = newTestServer(t, cfg, func(ctx context.Context, call *telephony.Call) error {
		rec := newRecorder()
		call.Listen(rec)
		h.calls <- handled{call, rec}
		<-ctx.Done()
		h.ended <- context.Cause(ctx)
		return nil
	})
	h.srv.Register(mux)
	t.Cleanup(func() {
		// Every stream must be over before the test ends: no goroutine outlives its call.
		h.srv.Drain()
		if err := h.srv.Wait(context.Background()); err != nil {
			t.Error(err)
		}
	})
	return h
}

func (h *harness) mediaURL() string { return "ws" + strings.TrimPrefix(h.ts.URL, "http") + PathMedia }

// peer plays Twilio's side of a Media Stream.
type peer struct {
	t      *testing.T
	h      *harness
	conn   *websocket.Conn
	seq    int
	msgs   chan []byte // text messages from Spar
	closed chan error  // the read error that ended the peer's reader
}

// dial opens the stream as Twilio does; token "" sends no signature.
func (h *harness) dial(t *testing.T, token string) (*peer, *http.Response, error) {
	t.Helper()
	hdr := http.Header{}
	if token != "" {
		hdr.Set("X-Twilio-Signature", sign(token, h.mediaURL(), nil))
	}
	conn, resp, err := websocket.DefaultDialer.Dial(h.mediaURL(), hdr)
	if err != nil {
		return nil, resp, err
	}
	p := &peer{t: t, h: h, conn: conn, msgs: make(chan []byte, 1024), closed: make(chan error, 1)}
	go func() {
		for {
			typ, b, err := conn.ReadMessage()
			if err != nil {
				close(p.msgs)
				p.closed <- err
				return
			}
			if typ == websocket.TextMessage {
				p.msgs <- b
			}
		}
	}()
	t.Cleanup(func() { conn.Close() })
	return p, resp, nil
}

func (p *peer) send(s string) {
	p.t.Helper()
	if err := p.conn.WriteMessage(websocket.TextMessage, []byte(s)); err != nil {
		p.t.Fatalf("peer write: %v", err)
	}
}

func (p *peer) nextSeq() int { p.seq++; return p.seq }

// connectedAndStart has the webhook answer a call from alice to the angry-double-charge
// number, then sends connected and start as Twilio does, with the answer's <Parameter>s.
func (p *peer) connectedAndStart(format string) {
	p.t.Helper()
	p.start(format, testCallSid, p.h.answer(p.t, testCallSid))
}

// start sends connected and a start message for callSid carrying params.
func (p *peer) start(format, callSid string, params map[string]string) {
	p.t.Helper()
	b, err := json.Marshal(params)
	if err != nil {
		p.t.Fatal(err)
	}
	p.send(`{"event":"connected","protocol":"Call","version":"1.0.0"}`)
	p.send(fmt.Sprintf(`{"event":"start","sequenceNumber":"%d","start":{"accountSid":"AC1","streamSid":"%s","callSid":"%s","tracks":["inbound"],"mediaFormat":%s,"customParameters":%s},"streamSid":"%s"}`,
		p.nextSeq(), testStreamSid, callSid, format, b, testStreamSid))
}

// answer posts the signed voice webhook for callSid (alice calling the angry-double-charge
// number) and returns the <Parameter>s of the stream it connects.
func (h *harness) answer(t *testing.T, callSid string) map[string]string {
	t.Helper()
	form := callForm("+14155550100", "+15550001111")
	form.Set("CallSid", callSid)
	w := serve(h.srv, postForm(h.ts.URL, PathVoice, form, testToken))
	params, ok := streamParams(t, w.Body.String())
	if w.Code != http.StatusOK || !ok {
		t.Fatalf("webhook did not connect a stream: %d %s", w.Code, w.Body)
	}
	return params
}

// streamParams reads the <Parameter>s of a <Connect><Stream> answer; ok is false for any
// other answer.
func streamParams(t *testing.T, twiml string) (map[string]string, bool) {
	t.Helper()
	var doc struct {
		Stream *struct {
			Params []struct {
				Name  string `xml:"name,attr"`
				Value string `xml:"value,attr"`
			} `xml:"Parameter"`
		} `xml:"Connect>Stream"`
	}
	if err := xml.Unmarshal([]byte(twiml), &doc); err != nil {
		t.Fatalf("TwiML %q: %v", twiml, err)
	}
	if doc.Stream == nil {
		return nil, false
	}
	out := map[string]string{}
	for _, p := range doc.Stream.Params {
		out[p.Name] = p.Value
	}
	return out, true
}

const mulaw8k = `{"encoding":"audio/x-mulaw","sampleRate":8000,"channels":1}`

func (p *peer) media(tsMillis int, payload []byte) {
	p.send(fmt.Sprintf(`{"event":"media","sequenceNumber":"%d","media":{"track":"inbound","chunk":"%d","timestamp":"%d","payload":"%s"},"streamSid":"%s"}`,
		p.nextSeq(), p.seq, tsMillis, base64.StdEncoding.EncodeToString(payload), testStreamSid))
}

func (p *peer) dtmf(d string) {
	p.send(fmt.Sprintf(`{"event":"dtmf","streamSid":"%s","sequenceNumber":"%d","dtmf":{"track":"inbound_track","digit":"%s"}}`, testStreamSid, p.nextSeq(), d))
}

func (p *peer) mark(name string) {
	p.send(fmt.Sprintf(`{"event":"mark","sequenceNumber":"%d","streamSid":"%s","mark":{"name":"%s"}}`, p.nextSeq(), testStreamSid, name))
}

func (p *peer) stop() {
	p.send(fmt.Sprintf(`{"event":"stop","sequenceNumber":"%d","stop":{"accountSid":"AC1","callSid":"%s"},"streamSid":"%s"}`, p.nextSeq(), testCallSid, testStreamSid))
}

// recv returns Spar's next message, decoded and checked by DecodeMessage.
func (p *peer) recv() Message {
	p.t.Helper()
	b, ok := <-p.msgs
	if !ok {
		p.t.Fatalf("socket closed: %v", <-p.closed)
	}
	var m Message
	if err := DecodeMessage(b, &m); err != nil {
		p.t.Fatalf("Spar sent %q: %v", b, err)
	}
	if m.StreamSid != testStreamSid {
		p.t.Fatalf("streamSid %q in %s", m.StreamSid, b)
	}
	return m
}

// closeCode waits for the socket to close and returns Spar's close code.
func (p *peer) closeCode() int {
	p.t.Helper()
	for range p.msgs {
	}
	err := <-p.closed
	var ce *websocket.CloseError
	if !errors.As(err, &ce) {
		p.t.Fatalf("socket ended without a close frame: %v", err)
	}
	return ce.Code
}

// sine returns n samples of a 440 Hz tone at rate.
func sine(n, rate int, phase int) []int16 {
	out := make([]int16, n)
	for i := range out {
		out[i] = int16(8000 * math.Sin(2*math.Pi*440*float64(i+phase)/float64(rate)))
	}
	return out
}

func sineMulaw(chunk int) []byte {
	return media.EncodeMulaw(nil, sine(160, 8000, chunk*160))
}
