package openai

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"
)

// tone24k is d of a 440 Hz tone as 24 kHz 16-bit LE PCM.
func tone24k(d time.Duration) []byte {
	n := int(24000 * d / time.Second)
	b := make([]byte, 2*n)
	for i := range n {
		binary.LittleEndian.PutUint16(b[2*i:], uint16(int16(8000*math.Sin(2*math.Pi*440*float64(i)/24000))))
	}
	return b
}

// frames collects what the synthesizer writes.
type frames struct {
	sizes   []int
	samples []int16
}

func (f *frames) WriteSample(p []int16) error {
	f.sizes = append(f.sizes, len(p))
	f.samples = append(f.samples, p...)
	return nil
}

type fakeSpeech struct {
	req    speechRequest
	auth   string
	closed chan struct{}
}

func newFake(t *testing.T, serve func(w http.ResponseWriter, r *http.Request)) (*fakeSpeech, string) {
	f := &fakeSpeech{closed: make(chan struct{}, 1)}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != "/v1/audio/speech" {
			http.NotFound(w, r)
			return
		}
		json.NewDecoder(r.Body).Decode(&f.req)
		f.auth = r.Header.Get("Authorization")
		serve(w, r)
		if r.Context().Err() != nil {
			f.closed <- struct{}{}
		}
	}))
	t.Cleanup(srv.Close)
	return f, srv.URL
}

func synth(t *testing.T, url string, h Hooks) *Synth {
	t.Helper()
	s, err := New(Config{BaseURL: url, APIKey: "sk", Voices: map[string]string{"slt": "nova"}, FirstByteTimeout: 10 * time.Second}, nil, h)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestStreamsFrames: a second of 24 kHz audio sent in odd-sized chunks (split inside
// samples) comes out as a second of 16 kHz audio in whole 20 ms frames, same pitch.
func TestStreamsFrames(t *testing.T) {
	pcm := tone24k(time.Second)
	f, url := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "audio/pcm")
		for off := 0; off < len(pcm); off += 333 {
			w.Write(pcm[off:min(off+333, len(pcm))])
			w.(http.Flusher).Flush()
		}
	})
	var firstByte time.Duration
	s := synth(t, url, Hooks{FirstByte: func(d time.Duration) { firstByte = d }})
	var out frames
	if err := s.Synthesize(context.Background(), "Hello there.", "slt", &out); err != nil {
		t.Fatal(err)
	}
	if f.req.Voice != "nova" || f.req.ResponseFormat != "pcm" || f.req.Model != "tts-1" || f.req.Input != "Hello there." || f.auth != "Bearer sk" {
		t.Errorf("request %+v auth %q", f.req, f.auth)
	}
	if slices.ContainsFunc(out.sizes, func(n int) bool { return n != frameSamples }) {
		t.Errorf("frame sizes %v, want all %d", out.sizes, frameSamples)
	}
	if n := len(out.samples); n < 16000 || n > 16000+frameSamples {
		t.Errorf("%d samples, want about 16000", n)
	}
	// Count sign changes with hysteresis: samples near zero do not flip the sign.
	crossings, neg := 0, out.samples[0] < 0
	for _, v := range out.samples[:16000] {
		if v < -200 && !neg || v > 200 && neg {
			neg = !neg
			crossings++
		}
	}
	if crossings < 870 || crossings > 890 {
		t.Errorf("%d zero crossings in 1 s, want about 880 for 440 Hz", crossings)
	}
	if firstByte <= 0 {
		t.Error("first-byte hook not called")
	}
}

func TestSpeechErrors(t *testing.T) {
	cases := []struct {
		name  string
		serve func(w http.ResponseWriter, r *http.Request)
		is    error
		kind  string
	}{
		{"400 json", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(400)
			io.WriteString(w, `{"error":{"message":"Input should be a valid string","type":"invalid_request_error"}}`)
		}, nil, "http_4xx"},
		{"503", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(503) }, nil, "http_5xx"},
		{"slow first byte", func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }, ErrFirstByteTimeout, "timeout"},
		{"empty body", func(w http.ResponseWriter, r *http.Request) {}, ErrNoAudio, "empty"},
		{"disconnect mid-audio", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", "100000")
			w.Write(tone24k(100 * time.Millisecond))
			w.(http.Flusher).Flush()
			c, _, _ := w.(http.Hijacker).Hijack()
			c.Close()
		}, io.ErrUnexpectedEOF, "network"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, url := newFake(t, tc.serve)
			var kinds []string
			s := synth(t, url, Hooks{Error: func(k string) { kinds = append(kinds, k) }})
			if tc.is == ErrFirstByteTimeout {
				// Only the slow case runs on a short timeout: on a busy machine a prompt
				// error reply could otherwise count as a timeout.
				s.cfg.FirstByteTimeout = 30 * time.Millisecond
			}
			err := s.Synthesize(context.Background(), "Hi.", "", &frames{})
			var api *APIError
			if err == nil || tc.is != nil && !errors.Is(err, tc.is) || tc.is == nil && !errors.As(err, &api) {
				t.Errorf("err %v, want %v", err, tc.is)
			}
			if tc.name == "400 json" && api != nil && api.Message != "Input should be a valid string" {
				t.Errorf("message %q, want the body's error.message", api.Message)
			}
			if !slices.Equal(kinds, []string{tc.kind}) {
				t.Errorf("kinds %q, want %q", kinds, tc.kind)
			}
		})
	}
}

// TestCancelClosesRequest: barge-in mid-sentence closes the request and is no fault.
func TestCancelClosesRequest(t *testing.T) {
	f, url := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		w.Write(tone24k(100 * time.Millisecond))
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	})
	var kinds []string
	s := synth(t, url, Hooks{Error: func(k string) { kinds = append(kinds, k) }})
	ctx, cancel := context.WithCancel(context.Background())
	err := s.Synthesize(ctx, "A long line.", "", &cancelAfterFirst{cancel: cancel})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err %v, want cancelled", err)
	}
	<-f.closed
	if len(kinds) != 0 {
		t.Errorf("barge-in counted as a fault: %q", kinds)
	}
}

type cancelAfterFirst struct{ cancel func() }

func (c *cancelAfterFirst) WriteSample([]int16) error { c.cancel(); return nil }
