package sim

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/twilio/twilio-go/client"

	"github.com/sparlab/spar/media"
	"github.com/sparlab/spar/telephony/twilio"
)

// fakeServer speaks the Spar side of Twilio: a voice webhook answering with TwiML and a Media
// Streams socket driven by a persona function. It checks every signature with twilio-go's
// validator and records what arrives.
type fakeServer struct {
	t       *testing.T
	token   string
	srv     *httptest.Server
	twiml   map[string]string // path -> TwiML answer
	persona func(c *fakeCall)
	sse     string // body of /events/{callID}, a text/event-stream

	mu       sync.Mutex
	hooks    []hook
	upgrades []bool // X-Twilio-Signature valid per upgrade
	call     *fakeCall
	done     chan struct{} // closed when the stream handler returns
}

// hook is one webhook request as the server saw it.
type hook struct {
	path   string
	form   url.Values
	sig    string
	valid  bool // twilio-go accepts the signature
	ourSig string
}

// streamTwiML is the answer of a server that connects a stream with two parameters.
func streamTwiML(host string) string {
	return `<?xml version="1.0" encoding="UTF-8"?><Response><Connect>` +
		`<Stream url="wss://` + host + `/twilio/media" statusCallback="https://` + host + `/twilio/stream-status">` +
		`<Parameter name="scenario" value="angry-double-charge"/><Parameter name="call" value="call-42"/>` +
		`</Stream></Connect></Response>`
}

func newFakeServer(t *testing.T, token string, persona func(c *fakeCall)) *fakeServer {
	t.Helper()
	fs := &fakeServer{t: t, token: token, persona: persona, twiml: map[string]string{}, done: make(chan struct{})}
	mux := http.NewServeMux()
	mux.HandleFunc("/twilio/media", fs.media)
	mux.HandleFunc("/events/", fs.events)
	mux.HandleFunc("/", fs.webhook)
	fs.srv = httptest.NewServer(mux)
	t.Cleanup(fs.srv.Close)
	fs.twiml["/twilio/voice"] = streamTwiML(fs.srv.Listener.Addr().String())
	return fs
}

func (fs *fakeServer) webhook(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	full := fs.srv.URL + r.URL.RequestURI()
	params := map[string]string{}
	for k, v := range r.PostForm {
		params[k] = v[0]
	}
	rv := client.NewRequestValidator(fs.token)
	h := hook{path: r.URL.Path, form: r.PostForm, sig: r.Header.Get("X-Twilio-Signature"),
		valid: rv.Validate(full, params, r.Header.Get("X-Twilio-Signature")), ourSig: Sign(fs.token, full, r.PostForm)}
	fs.mu.Lock()
	fs.hooks = append(fs.hooks, h)
	fs.mu.Unlock()
	body, ok := fs.twiml[r.URL.Path]
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "text/xml")
	fmt.Fprint(w, body)
}

func (fs *fakeServer) events(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/events/call-42" || fs.sse == "" {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	fmt.Fprint(w, fs.sse)
}

func (fs *fakeServer) media(w http.ResponseWriter, r *http.Request) {
	defer close(fs.done)
	rv := client.NewRequestValidator(fs.token)
	valid := rv.Validate("wss://"+r.Host+"/twilio/media", map[string]string{}, r.Header.Get("X-Twilio-Signature"))
	fs.mu.Lock()
	fs.upgrades = append(fs.upgrades, valid)
	fs.mu.Unlock()
	ws, err := (&websocket.Upgrader{}).Upgrade(w, r, nil)
	if err != nil {
		return
	}
	defer ws.Close()
	c := &fakeCall{t: fs.t, fs: fs, ws: ws, in: make(chan twilio.Message, 8192), sentAt: map[string]int{}}
	fs.mu.Lock()
	fs.call = c
	fs.mu.Unlock()
	go c.read()
	// The persona starts once the stream has started, as a Spar server would.
	if m, ok := c.next(); !ok || m.Event != twilio.EventConnected {
		return
	}
	m, ok := c.next()
	if !ok || m.Event != twilio.EventStart || m.Start == nil {
		return
	}
	c.sid = m.StreamSid
	if fs.persona != nil {
		fs.persona(c)
	}
	for range c.in { // until the caller hangs up
	}
}

// fakeCall is the server's view of one stream.
type fakeCall struct {
	t   *testing.T
	fs  *fakeServer
	ws  *websocket.Conn
	sid string
	in  chan twilio.Message

	mu     sync.Mutex
	log    []twilio.Message // every message from the caller, in order
	sentAt map[string]int   // len(log) when the server sent "mark:NAME", "clear"...
	raw    []string
}

func (c *fakeCall) read() {
	defer close(c.in)
	for {
		_, b, err := c.ws.ReadMessage()
		if err != nil {
			return
		}
		var m twilio.Message
		if err := json.Unmarshal(b, &m); err != nil {
			c.t.Errorf("caller sent bad JSON %q: %v", b, err)
			continue
		}
		c.mu.Lock()
		c.log = append(c.log, m)
		c.raw = append(c.raw, string(b))
		c.mu.Unlock()
		c.in <- m
	}
}

// next returns the caller's next message; false once it has gone.
func (c *fakeCall) next() (twilio.Message, bool) {
	m, ok := <-c.in
	return m, ok
}

// until consumes messages until pred holds; false if the caller went away first.
func (c *fakeCall) until(pred func(twilio.Message) bool) bool {
	for m := range c.in {
		if pred(m) {
			return true
		}
	}
	return false
}

func (c *fakeCall) waitMark(name string) bool {
	return c.until(func(m twilio.Message) bool {
		return m.Event == twilio.EventMark && m.Mark != nil && m.Mark.Name == name
	})
}

// waitUtteranceEnd waits for caller speech followed by quiet frames.
func (c *fakeCall) waitUtteranceEnd(quiet int) bool {
	voiced, silent := false, 0
	return c.until(func(m twilio.Message) bool {
		if m.Event != twilio.EventMedia {
			return false
		}
		if frameVoiced(m) {
			voiced, silent = true, 0
			return false
		}
		silent++
		return voiced && silent >= quiet
	})
}

func frameVoiced(m twilio.Message) bool {
	b, err := base64.StdEncoding.DecodeString(m.Media.Payload)
	return err == nil && media.LevelDBFS(media.DecodeMulaw(nil, b)) > voicedDBFS
}

func (c *fakeCall) note(what string) {
	c.mu.Lock()
	c.sentAt[what] = len(c.log)
	c.mu.Unlock()
}

func (c *fakeCall) write(m twilio.Message) {
	m.StreamSid = c.sid
	b, _ := json.Marshal(m)
	if err := c.ws.WriteMessage(websocket.TextMessage, b); err != nil {
		c.t.Logf("fake server write: %v", err)
	}
}

// sendAudio sends frames of persona tone, 160 bytes per media message.
func (c *fakeCall) sendAudio(frames int) {
	tone := toneMulaw(frames * frameBytes)
	for i := range frames {
		c.write(twilio.Message{Event: twilio.EventMedia,
			Media: &twilio.MediaPayload{Payload: base64.StdEncoding.EncodeToString(tone[i*frameBytes : (i+1)*frameBytes])}})
	}
}

func (c *fakeCall) sendMark(name string) {
	c.note("mark:" + name)
	c.write(twilio.Message{Event: twilio.EventMark, Mark: &twilio.MarkPayload{Name: name}})
}

func (c *fakeCall) sendClear() {
	c.note("clear")
	c.write(twilio.Message{Event: twilio.EventClear})
}

// hangup closes the socket from the server side: the persona hangs up.
func (c *fakeCall) hangup() {
	c.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, "bye"), time.Now().Add(time.Second))
}

// messages returns a copy of what the caller sent.
func (c *fakeCall) messages() []twilio.Message {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]twilio.Message(nil), c.log...)
}

// index returns the position in the log of the first message matching pred, or -1.
func index(log []twilio.Message, pred func(twilio.Message) bool) int {
	for i, m := range log {
		if pred(m) {
			return i
		}
	}
	return -1
}

func isMark(name string) func(twilio.Message) bool {
	return func(m twilio.Message) bool {
		return m.Event == twilio.EventMark && m.Mark != nil && m.Mark.Name == name
	}
}

// countMedia counts media messages in log[from:to].
func countMedia(log []twilio.Message, from, to int) int {
	n := 0
	for _, m := range log[from:to] {
		if m.Event == twilio.EventMedia {
			n++
		}
	}
	return n
}

// finished waits for the stream handler to return and gives the call.
func (fs *fakeServer) finished(t *testing.T) *fakeCall {
	t.Helper()
	select {
	case <-fs.done:
	case <-time.After(10 * time.Second): // a hung test, not a timing assert
		t.Fatal("stream handler did not finish")
	}
	fs.mu.Lock()
	defer fs.mu.Unlock()
	return fs.call
}

// toneMulaw returns n samples of a 440 Hz tone as 8 kHz mu-law.
func toneMulaw(n int) []byte {
	pcm := make([]int16, n)
	for i := range pcm {
		pcm[i] = int16(6000 * math.Sin(2*math.Pi*440*float64(i)/media.Rate8k))
	}
	return media.EncodeMulaw(nil, pcm)
}

// toneSynth is a fake Synthesizer: a 16 kHz tone lasting perChar per character of text.
type toneSynth struct{ perChar time.Duration }

func (s toneSynth) Synthesize(ctx context.Context, text, voice string, w media.Writer) error {
	n := media.Samples(media.Rate16k, time.Duration(len(text))*s.perChar)
	frame := make([]int16, media.Samples(media.Rate16k, media.FrameDuration))
	for off := 0; off < n; off += len(frame) {
		for i := range frame {
			frame[i] = int16(8000 * math.Sin(2*math.Pi*300*float64(off+i)/media.Rate16k))
		}
		if err := w.WriteSample(frame[:min(len(frame), n-off)]); err != nil {
			return err
		}
	}
	return ctx.Err()
}
