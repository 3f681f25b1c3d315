package elevenlabs

import (
	"context"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/sparlab/spar/media"
)

// fakeEleven is an in-process stream-input endpoint. It checks the text message sequence,
// then runs reply.
type fakeEleven struct {
	path, model, format, key string
	texts                    []textMessage
	closed                   chan struct{}
}

func newFake(t *testing.T, reply func(c *websocket.Conn)) (*fakeEleven, string) {
	f := &fakeEleven{closed: make(chan struct{}, 1)}
	up := websocket.Upgrader{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("xi-api-key") != "xi" {
			w.WriteHeader(401)
			fmt.Fprint(w, `{"detail":{"status":"invalid_api_key","message":"Invalid API key"}}`)
			return
		}
		f.path, f.model, f.format = r.URL.Path, r.URL.Query().Get("model_id"), r.URL.Query().Get("output_format")
		c, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer c.Close()
		for {
			var m textMessage
			if err := c.ReadJSON(&m); err != nil {
				return
			}
			f.texts = append(f.texts, m)
			if m.Text == "" {
				break
			}
		}
		reply(c)
		// Wait for the client to hang up (it does after isFinal, or on cancel).
		if _, _, err := c.ReadMessage(); err != nil {
			f.closed <- struct{}{}
		}
	}))
	t.Cleanup(srv.Close)
	return f, "ws" + strings.TrimPrefix(srv.URL, "http")
}

// sendAudio sends b as audio messages of n bytes each (odd sizes split samples), then isFinal.
func sendAudio(c *websocket.Conn, b []byte, n int) {
	for off := 0; off < len(b); off += n {
		a := base64.StdEncoding.EncodeToString(b[off:min(off+n, len(b))])
		c.WriteMessage(websocket.TextMessage, []byte(`{"audio":"`+a+`","isFinal":null,"normalizedAlignment":null,"alignment":{"chars":["H"],"charStartTimesMs":[0],"charDurationsMs":[50]}}`))
	}
	c.WriteMessage(websocket.TextMessage, []byte(`{"isFinal":true}`))
}

func tone(rate int, d time.Duration) []int16 {
	n := media.Samples(rate, d)
	p := make([]int16, n)
	for i := range p {
		p[i] = int16(8000 * math.Sin(2*math.Pi*440*float64(i)/float64(rate)))
	}
	return p
}

func le(p []int16) []byte {
	b := make([]byte, 2*len(p))
	for i, v := range p {
		binary.LittleEndian.PutUint16(b[2*i:], uint16(v))
	}
	return b
}

type frames struct {
	sizes   []int
	samples []int16
}

func (f *frames) WriteSample(p []int16) error {
	f.sizes = append(f.sizes, len(p))
	f.samples = append(f.samples, p...)
	return nil
}

func synth(t *testing.T, url, format string, h Hooks) *Synth {
	t.Helper()
	s, err := New(Config{URL: url, APIKey: "xi", DefaultVoice: "voice-default", Voices: map[string]string{"slt": "21m00Tcm4TlvDq8ikWAM"},
		OutputFormat: format, FirstByteTimeout: 10 * time.Second}, h)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestFormats(t *testing.T) {
	pcm := tone(16000, 500*time.Millisecond)
	cases := []struct {
		format string
		audio  []byte
		want   int // samples out, about
	}{
		{FormatPCM16k, le(pcm), 8000},
		{FormatUlaw8k, media.EncodeMulaw(nil, tone(8000, 500*time.Millisecond)), 8000},
	}
	for _, tc := range cases {
		t.Run(tc.format, func(t *testing.T) {
			f, url := newFake(t, func(c *websocket.Conn) { sendAudio(c, tc.audio, 999) })
			var first time.Duration
			s := synth(t, url, tc.format, Hooks{FirstByte: func(d time.Duration) { first = d }})
			var out frames
			if err := s.Synthesize(context.Background(), " Hello there. ", "slt", &out); err != nil {
				t.Fatal(err)
			}
			if f.path != "/v1/text-to-speech/21m00Tcm4TlvDq8ikWAM/stream-input" || f.model != "eleven_flash_v2_5" || f.format != tc.format {
				t.Errorf("path %s model %s format %s", f.path, f.model, f.format)
			}
			if len(f.texts) != 3 || f.texts[0].Text != " " || f.texts[0].VoiceSettings == nil ||
				f.texts[1].Text != "Hello there. " || !f.texts[1].Flush || f.texts[2].Text != "" {
				t.Errorf("text messages %+v, want BOS, the text with flush, then EOS", f.texts)
			}
			if slices.ContainsFunc(out.sizes, func(n int) bool { return n != frameSamples }) {
				t.Errorf("frame sizes %v", out.sizes)
			}
			if n := len(out.samples); n < tc.want || n > tc.want+frameSamples {
				t.Errorf("%d samples, want about %d", n, tc.want)
			}
			if tc.format == FormatPCM16k && !slices.Equal(out.samples[:len(pcm)], pcm) {
				t.Error("pcm_16000 audio changed on the way")
			}
			if first <= 0 {
				t.Error("first-byte hook not called")
			}
		})
	}
}

func TestErrors(t *testing.T) {
	cases := []struct {
		name  string
		key   string
		reply func(c *websocket.Conn)
		is    error
		kind  string
	}{
		{"bad key", "wrong", nil, ErrHandshake, "handshake"},
		{"server error message", "xi", func(c *websocket.Conn) {
			c.WriteMessage(websocket.TextMessage, []byte(`{"message":"Voice not found","error":"voice_not_found","code":1008}`))
		}, nil, "server"},
		{"no audio in time", "xi", func(c *websocket.Conn) { c.ReadMessage() }, ErrFirstByteTimeout, "timeout"},
		{"final without audio", "xi", func(c *websocket.Conn) {
			c.WriteMessage(websocket.TextMessage, []byte(`{"audio":null,"isFinal":true}`))
		}, ErrNoAudio, "empty"},
		{"disconnect before final", "xi", func(c *websocket.Conn) {
			c.WriteMessage(websocket.TextMessage, []byte(`{"audio":"AAAA","isFinal":null}`))
			c.Close()
		}, ErrTruncated, "disconnect"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, url := newFake(t, tc.reply)
			var kinds []string
			s := synth(t, url, FormatPCM16k, Hooks{Error: func(k string) { kinds = append(kinds, k) }})
			s.cfg.APIKey = tc.key
			if tc.is == ErrFirstByteTimeout {
				// Only the slow case runs on a short timeout: on a busy machine a prompt
				// reply could otherwise count as a timeout.
				s.cfg.FirstByteTimeout = 30 * time.Millisecond
			}
			err := s.Synthesize(context.Background(), "Hi.", "", &frames{})
			if err == nil || tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("err %v, want %v", err, tc.is)
			}
			if !slices.Equal(kinds, []string{tc.kind}) {
				t.Errorf("kinds %q, want %q", kinds, tc.kind)
			}
		})
	}
}

// TestCancelClosesConnection: barge-in mid-sentence closes the socket and is no fault.
func TestCancelClosesConnection(t *testing.T) {
	f, url := newFake(t, func(c *websocket.Conn) {
		b, _ := json.Marshal(audioMessage{Audio: ptr(base64.StdEncoding.EncodeToString(le(tone(16000, 100*time.Millisecond))))})
		c.WriteMessage(websocket.TextMessage, b)
	})
	var kinds []string
	s := synth(t, url, FormatPCM16k, Hooks{Error: func(k string) { kinds = append(kinds, k) }})
	ctx, cancel := context.WithCancel(context.Background())
	err := s.Synthesize(ctx, "A long line.", "", media.WriterFunc(func([]int16) error { cancel(); return nil }))
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err %v, want cancelled", err)
	}
	<-f.closed
	if len(kinds) != 0 {
		t.Errorf("barge-in counted as a fault: %q", kinds)
	}
}

func ptr[T any](v T) *T { return &v }
