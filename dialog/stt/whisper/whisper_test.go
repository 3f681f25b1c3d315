package whisper

import (
	"context"
	"encoding/binary"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"

	"github.com/sparlab/spar/dialog"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// fakeWhisper is an in-process /v1/audio/transcriptions endpoint. It answers with reply(n)
// for the n-th request, n counted from 0, and records what it got.
type fakeWhisper struct {
	mu      sync.Mutex
	samples []int // per request, from the WAV header
	fields  []map[string]string
	auth    string
}

func newFake(t *testing.T, reply func(n int, w http.ResponseWriter, r *http.Request)) (*fakeWhisper, string) {
	f := &fakeWhisper{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v1/audio/transcriptions" {
			http.NotFound(w, r)
			return
		}
		if err := r.ParseMultipartForm(8 << 20); err != nil {
			t.Errorf("fake: %v", err)
			return
		}
		file, _, err := r.FormFile("file")
		if err != nil {
			t.Errorf("fake: no file: %v", err)
			return
		}
		wav, _ := io.ReadAll(file)
		if len(wav) < 44 || string(wav[:4]) != "RIFF" || string(wav[8:12]) != "WAVE" ||
			binary.LittleEndian.Uint32(wav[24:]) != 16000 || binary.LittleEndian.Uint16(wav[22:]) != 1 ||
			int(binary.LittleEndian.Uint32(wav[40:])) != len(wav)-44 {
			t.Errorf("fake: not a 16 kHz mono WAV: % x", wav[:min(44, len(wav))])
		}
		fields := map[string]string{}
		for k, v := range r.MultipartForm.Value {
			fields[k] = v[0]
		}
		f.mu.Lock()
		n := len(f.samples)
		f.samples = append(f.samples, (len(wav)-44)/2)
		f.fields = append(f.fields, fields)
		f.auth = r.Header.Get("Authorization")
		f.mu.Unlock()
		reply(n, w, r)
	}))
	t.Cleanup(srv.Close)
	return f, srv.URL
}

func open(t *testing.T, url string, h Hooks) dialog.RecognizeStream {
	t.Helper()
	tr, err := New(Config{BaseURL: url + "/v1", Model: "small.en", Language: "en", Prompt: true, APIKey: "k"}, nil, quiet, h)
	if err != nil {
		t.Fatal(err)
	}
	s, err := tr.Stream(context.Background(), dialog.STTOptions{Phrases: []string{"Brightwave", "refund"}})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestUtterancesInOrder(t *testing.T) {
	texts := []string{`{"text":" I was charged twice. "}`, `{"text":"Brightwave, yes.","language":"en","duration":1.2}`}
	f, url := newFake(t, func(n int, w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, texts[n])
	})
	s := open(t, url, Hooks{})
	defer s.Close()
	for range 5 {
		s.Write(make([]int16, 320))
	}
	s.Flush()
	s.Write(make([]int16, 160))
	s.Flush()
	var got []dialog.Transcript
	for tr := range s.Results() {
		got = append(got, tr)
		if len(got) == 2 {
			break
		}
	}
	want := []dialog.Transcript{{Text: "I was charged twice.", Final: true}, {Text: "Brightwave, yes.", Final: true}}
	if !slices.Equal(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
	if !slices.Equal(f.samples, []int{1600, 160}) {
		t.Errorf("samples per request %v, want [1600 160]", f.samples)
	}
	if fl := f.fields[0]; fl["model"] != "small.en" || fl["language"] != "en" || fl["prompt"] != "Brightwave, refund" || fl["response_format"] != "verbose_json" || f.auth != "Bearer k" {
		t.Errorf("fields %v auth %q", fl, f.auth)
	}
}

// TestFailuresGiveEmptyFinals: every Flush gets exactly one final, empty when the server
// failed, so the engine never waits for a lost utterance.
func TestFailuresGiveEmptyFinals(t *testing.T) {
	cases := []struct {
		name  string
		reply func(w http.ResponseWriter)
		kind  string
	}{
		{"500 json", func(w http.ResponseWriter) {
			w.WriteHeader(500)
			io.WriteString(w, `{"error":{"message":"model crashed","type":"server_error"}}`)
		}, "http_5xx"},
		{"401", func(w http.ResponseWriter) {
			w.WriteHeader(401)
			io.WriteString(w, `{"error":{"message":"Invalid API key","type":"invalid_request_error"}}`)
		}, "http_4xx"},
		{"no text field", func(w http.ResponseWriter) { io.WriteString(w, `{"segments":[]}`) }, "decode"},
		{"disconnect", func(w http.ResponseWriter) {
			c, _, _ := w.(http.Hijacker).Hijack()
			c.Close()
		}, "network"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, url := newFake(t, func(n int, w http.ResponseWriter, r *http.Request) { tc.reply(w) })
			var kinds []string
			s := open(t, url, Hooks{Error: func(k string) { kinds = append(kinds, k) }})
			defer s.Close()
			s.Write(make([]int16, 320))
			s.Flush()
			if tr := <-s.Results(); tr != (dialog.Transcript{Final: true}) {
				t.Errorf("got %+v, want an empty final", tr)
			}
			if !slices.Equal(kinds, []string{tc.kind}) {
				t.Errorf("kinds %q, want %q", kinds, tc.kind)
			}
		})
	}
}

// transcribeOnce opens a stream on a Transcriber for model, sends one utterance and returns its final.
func transcribeOnce(t *testing.T, tr *Transcriber) dialog.Transcript {
	t.Helper()
	s, err := tr.Stream(context.Background(), dialog.STTOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.Write(make([]int16, 320))
	s.Flush()
	return <-s.Results()
}

// TestConfidenceFromVerboseJSON: the final's confidence comes from the segments of a
// verbose_json answer (the shape OpenAI's whisper-1 and faster-whisper servers send).
func TestConfidenceFromVerboseJSON(t *testing.T) {
	const reply = `{"task":"transcribe","language":"english","duration":3.0,"text":" I was charged twice. Can you fix it?",
	"segments":[
	 {"id":0,"seek":0,"start":0.0,"end":2.0,"text":" I was charged twice.","tokens":[50364,286],"temperature":0.0,"avg_logprob":-0.2,"compression_ratio":0.9,"no_speech_prob":0.01},
	 {"id":1,"seek":0,"start":2.0,"end":3.0,"text":" Can you fix it?","tokens":[1664],"temperature":0.0,"avg_logprob":-0.9,"compression_ratio":0.9,"no_speech_prob":0.3}]}`
	f, url := newFake(t, func(n int, w http.ResponseWriter, r *http.Request) { io.WriteString(w, reply) })
	tr, err := New(Config{BaseURL: url, Model: "whisper-1"}, nil, quiet, Hooks{})
	if err != nil {
		t.Fatal(err)
	}
	got := transcribeOnce(t, tr)
	want := (2*math.Exp(-0.2)*0.99 + 1*math.Exp(-0.9)*0.7) / 3 // about 0.69
	if got.Text != "I was charged twice. Can you fix it?" || !got.Final || math.Abs(got.Confidence-want) > 1e-9 {
		t.Errorf("final %+v, want confidence %.4f", got, want)
	}
	if f.fields[0]["response_format"] != "verbose_json" {
		t.Errorf("response_format %q", f.fields[0]["response_format"])
	}
}

func TestConfidence(t *testing.T) {
	lp := func(v float64) *float64 { return &v }
	cases := []struct {
		name string
		segs []segment
		want float64
	}{
		{"json: no segments", nil, 0},
		{"whisper.cpp null avg_logprob", []segment{{Start: 0, End: 1}}, 0},
		{"sure and fluent", []segment{{Start: 0, End: 1, AvgLogprob: lp(0)}}, 1},
		{"positive log probability is clipped", []segment{{End: 1, AvgLogprob: lp(0.3)}}, 1},
		{"no speech lowers it", []segment{{End: 1, AvgLogprob: lp(0), NoSpeechProb: 0.75}}, 0.25},
		{"surely silence is the lowest known", []segment{{End: 1, AvgLogprob: lp(-0.1), NoSpeechProb: 1}}, dialog.MinConfidence},
		{"no times: equal weights", []segment{{AvgLogprob: lp(0)}, {AvgLogprob: lp(math.Log(0.5))}}, 0.75},
		{"weighted by duration, unscored left out", []segment{
			{Start: 0, End: 3, AvgLogprob: lp(math.Log(0.9))}, {Start: 3, End: 4, AvgLogprob: lp(math.Log(0.5))}, {Start: 4, End: 9}}, 0.8},
	}
	for _, tc := range cases {
		if got := confidence(tc.segs); math.Abs(got-tc.want) > 1e-9 {
			t.Errorf("%s: confidence %v, want %v", tc.name, got, tc.want)
		}
	}
}

// TestJSONOnlyServers: a server that refuses verbose_json is asked again with json, and only
// with json from then on, without a fault; gpt-4o transcribe models get json at once.
func TestJSONOnlyServers(t *testing.T) {
	f, url := newFake(t, func(n int, w http.ResponseWriter, r *http.Request) {
		if r.FormValue("response_format") != "json" {
			w.WriteHeader(400)
			io.WriteString(w, `{"error":{"message":"response_format 'verbose_json' is not compatible with model 'x'. Use 'json' or 'text' instead.","type":"invalid_request_error","param":"response_format","code":"unsupported_value"}}`)
			return
		}
		io.WriteString(w, `{"text":"hello"}`)
	})
	var kinds []string
	tr, err := New(Config{BaseURL: url, Model: "x"}, nil, quiet, Hooks{Error: func(k string) { kinds = append(kinds, k) }})
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if got := transcribeOnce(t, tr); got != (dialog.Transcript{Text: "hello", Final: true}) {
			t.Errorf("final %+v, want hello without a confidence", got)
		}
	}
	var formats []string
	for _, fl := range f.fields {
		formats = append(formats, fl["response_format"])
	}
	if !slices.Equal(formats, []string{"verbose_json", "json", "json"}) || len(kinds) != 0 {
		t.Errorf("response formats %q, faults %q; want verbose_json once, then json, no fault", formats, kinds)
	}

	g, url := newFake(t, func(n int, w http.ResponseWriter, r *http.Request) { io.WriteString(w, `{"text":"hi"}`) })
	tr, _ = New(Config{BaseURL: url, Model: "gpt-4o-mini-transcribe"}, nil, quiet, Hooks{})
	transcribeOnce(t, tr)
	if g.fields[0]["response_format"] != "json" {
		t.Errorf("gpt-4o-mini-transcribe asked for %q, want json", g.fields[0]["response_format"])
	}
}

func TestEmptyUtteranceAndClose(t *testing.T) {
	f, url := newFake(t, func(n int, w http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
	s := open(t, url, Hooks{})
	s.Flush() // no audio: no request
	if tr := <-s.Results(); tr != (dialog.Transcript{Final: true}) {
		t.Errorf("got %+v, want an empty final", tr)
	}
	s.Write(make([]int16, 320))
	s.Flush() // the server never answers: Close abandons it
	s.Close()
	if _, ok := <-s.Results(); ok {
		t.Error("results open after Close")
	}
	if err := s.Write(make([]int16, 1)); err != ErrClosed {
		t.Errorf("Write after Close: %v", err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.samples) > 1 {
		t.Errorf("%d requests, want at most the one abandoned", len(f.samples))
	}
}
