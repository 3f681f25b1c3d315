package deepgram

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sparlab/spar/dialog"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

type recorder struct {
	mu     sync.Mutex
	kinds  []string
	finals int
}

func (r *recorder) hooks() Hooks {
	return Hooks{
		Final: func(time.Duration) { r.mu.Lock(); r.finals++; r.mu.Unlock() },
		Error: func(k string) { r.mu.Lock(); r.kinds = append(r.kinds, k); r.mu.Unlock() },
	}
}

func open(t *testing.T, url string, narrow bool, mod func(*Config), h Hooks) dialog.RecognizeStream {
	t.Helper()
	cfg := Config{URL: url, APIKey: "dg-test", Keyterms: true}
	if mod != nil {
		mod(&cfg)
	}
	tr, err := New(cfg, quiet, h)
	if err != nil {
		t.Fatal(err)
	}
	s, err := tr.Stream(context.Background(), dialog.STTOptions{Narrowband: narrow, Phrases: []string{"refund", "charged twice"}})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func frame() []int16 { return make([]int16, 320) }

func TestQueryAndAudio(t *testing.T) {
	cases := []struct {
		narrow        bool
		encoding      string
		rate          string
		bytesPerFrame int
	}{
		{true, "mulaw", "8000", 160},
		{false, "linear16", "16000", 640},
	}
	for _, tc := range cases {
		t.Run(tc.encoding, func(t *testing.T) {
			f, url := newFakeDeepgram(t)
			s := open(t, url, tc.narrow, nil, Hooks{})
			defer s.Close()
			for range 10 {
				if err := s.Write(frame()); err != nil {
					t.Fatal(err)
				}
			}
			if err := s.Flush(); err != nil {
				t.Fatal(err)
			}
			if m := f.next(false); m != "Finalize" {
				t.Fatalf("control %q, want Finalize", m)
			}
			// Finalize is sent after the audio queued before it. The resampler keeps a few
			// samples of history, so mu-law may lag by a handful of bytes.
			if got, want := f.bytes(), 10*tc.bytesPerFrame; got < want-16 || got > want {
				t.Errorf("%d audio bytes before Finalize, want %d", got, want)
			}
			q := f.query
			want := map[string]string{"model": "nova-3", "encoding": tc.encoding, "sample_rate": tc.rate, "channels": "1",
				"interim_results": "true", "endpointing": "300", "utterance_end_ms": "1000", "vad_events": "true", "smart_format": "true"}
			for k, v := range want {
				if q.Get(k) != v {
					t.Errorf("query %s=%q, want %q", k, q.Get(k), v)
				}
			}
			if !slices.Equal(q["keyterm"], []string{"refund", "charged twice"}) {
				t.Errorf("keyterm %q", q["keyterm"])
			}
		})
	}
}

func collect(t *testing.T, s dialog.RecognizeStream, n int) []dialog.Transcript {
	t.Helper()
	var out []dialog.Transcript
	for tr := range s.Results() {
		out = append(out, tr)
		if len(out) == n {
			return out
		}
	}
	t.Fatalf("results closed after %v", out)
	return nil
}

func TestInterimAndFinal(t *testing.T) {
	f, url := newFakeDeepgram(t)
	var rec recorder
	s := open(t, url, true, nil, rec.hooks())
	defer s.Close()
	f.out <- speechStarted
	f.out <- results("", false, false, false) // empty: ignored
	f.out <- results("hello", false, false, false)
	f.out <- results("hello there", true, false, false)
	f.out <- results("", true, false, false) // empty final segment: ignored
	f.out <- results("how", false, false, false)
	got := collect(t, s, 2)
	want := []dialog.Transcript{{Text: "hello"}, {Text: "hello there how"}}
	if !slices.Equal(got, want) {
		t.Fatalf("got %+v, want %+v", got, want)
	}
	s.Write(frame())
	s.Flush()
	if m := f.next(false); m != "Finalize" {
		t.Fatalf("control %q, want Finalize", m)
	}
	f.out <- scored("how are you", "0.5", true, false, true)
	// The confidence is the segments' word-weighted mean: "hello there" at 0.98, "how are you" at 0.5.
	if got := collect(t, s, 1); !sameTranscripts(got, finalConf("hello there how are you", (2*0.98+3*0.5)/5)) {
		t.Errorf("final %+v", got[0])
	}
	// The next utterance starts empty; UtteranceEnd answers a Flush too.
	s.Flush()
	f.next(false)
	f.out <- results("", true, false, true)
	f.out <- utteranceEnd
	if got := collect(t, s, 1)[0]; got != (dialog.Transcript{Final: true}) {
		t.Errorf("empty utterance final %+v, want an empty final", got)
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if rec.finals != 2 {
		t.Errorf("final hook called %d times, want 2", rec.finals)
	}
}

func TestKeepAliveWhileIdle(t *testing.T) {
	f, url := newFakeDeepgram(t)
	s := open(t, url, true, func(c *Config) { c.KeepAlive = 10 * time.Millisecond }, Hooks{})
	defer s.Close()
	if m := f.next(true); m != "KeepAlive" {
		t.Fatalf("control %q, want KeepAlive", m)
	}
}

func TestServerCloses(t *testing.T) {
	f, url := newFakeDeepgram(t)
	var rec recorder
	s := open(t, url, true, nil, rec.hooks())
	defer s.Close()
	f.out <- results("half a sen", false, false, false)
	collect(t, s, 1)
	f.out <- "" // the server closes the stream
	for range s.Results() {
	}
	if err := s.Write(frame()); !errors.Is(err, ErrClosed) {
		t.Errorf("Write after the server closed: %v, want ErrClosed", err)
	}
	if err := s.Flush(); !errors.Is(err, ErrClosed) {
		t.Errorf("Flush after the server closed: %v, want ErrClosed", err)
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if !slices.Equal(rec.kinds, []string{"disconnect"}) {
		t.Errorf("error kinds %q", rec.kinds)
	}
}

func TestHandshakeRefused(t *testing.T) {
	_, url := newFakeDeepgram(t)
	var rec recorder
	tr, err := New(Config{URL: url, APIKey: "wrong"}, quiet, rec.hooks())
	if err != nil {
		t.Fatal(err)
	}
	_, err = tr.Stream(context.Background(), dialog.STTOptions{})
	if !errors.Is(err, ErrHandshake) || !contains(err.Error(), "401", "Invalid credentials") {
		t.Errorf("err %v, want ErrHandshake naming 401 and the reason", err)
	}
	if !slices.Equal(rec.kinds, []string{"handshake"}) {
		t.Errorf("error kinds %q", rec.kinds)
	}
}

func contains(s string, subs ...string) bool {
	for _, x := range subs {
		if !strings.Contains(s, x) {
			return false
		}
	}
	return true
}

// TestCloseSendsCloseStream: Close sends CloseStream after the queued audio and waits for
// the server to end the stream; Results then closes.
func TestCloseSendsCloseStream(t *testing.T) {
	f, url := newFakeDeepgram(t)
	s := open(t, url, false, nil, Hooks{})
	s.Write(frame())
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, ok := <-s.Results(); ok {
		t.Error("results still open after Close")
	}
	if m := f.next(false); m != "CloseStream" {
		t.Errorf("control %q, want CloseStream", m)
	}
	if f.bytes() != 640 {
		t.Errorf("%d audio bytes, want the queued frame sent before CloseStream", f.bytes())
	}
}
