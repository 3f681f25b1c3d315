// Package whisper recognizes the learner's speech with an OpenAI-compatible transcription
// endpoint (OpenAI, Groq, faster-whisper-server, whisper.cpp server): audio is kept while the
// learner speaks and each endpointed utterance is posted as a WAV file on Flush. There are no
// interim results, so barge-in relies on the engine's voice activity alone.
//
// Utterances are asked for as verbose_json, whose segments carry Whisper's own scores; a
// final's confidence is computed from them (see confidence). OpenAI's gpt-4o transcribe
// models accept only json, so they are asked for json from the start; any other server
// that refuses verbose_json (a 400 or 422) is asked again with json, and from then on
// always, and its lines carry no confidence.
package whisper

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"mime/multipart"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/sparlab/spar/dialog"
	"github.com/sparlab/spar/dialog/httpapi"
	"github.com/sparlab/spar/media"
)

var _ dialog.Transcriber = (*Transcriber)(nil)

// Hooks report what the recognizer measured; nil fields are skipped.
type Hooks struct {
	Final func(d time.Duration) // from Flush to the transcript
	Error func(kind string)     // http_4xx, http_5xx, network, decode
}

// Transcriber posts utterances to one server. It is safe for concurrent use.
type Transcriber struct {
	cfg   Config
	http  *http.Client
	url   string
	log   *slog.Logger
	hooks Hooks
	plain atomic.Bool // ask for json: the model or server does not take verbose_json
}

// Response formats: verbose_json has per-segment scores, json only the text.
const (
	formatVerbose = "verbose_json"
	formatPlain   = "json"
)

// New returns a Transcriber for cfg; hc may be nil.
func New(cfg Config, hc *http.Client, log *slog.Logger, hooks Hooks) (*Transcriber, error) {
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if hc == nil {
		hc = http.DefaultClient
	}
	t := &Transcriber{cfg: cfg, http: hc, url: httpapi.Endpoint(cfg.BaseURL, "/v1/audio/transcriptions"), log: log, hooks: hooks}
	// OpenAI's gpt-4o-transcribe and gpt-4o-mini-transcribe take only json or text.
	t.plain.Store(strings.HasPrefix(cfg.Model, "gpt-4o"))
	return t, nil
}

// Stream starts a call's stream. Utterances are transcribed one at a time, in order.
func (t *Transcriber) Stream(ctx context.Context, opts dialog.STTOptions) (dialog.RecognizeStream, error) {
	prompt := ""
	if t.cfg.Prompt {
		prompt = strings.Join(opts.Phrases, ", ")
	}
	return newStream(ctx, t, prompt), nil
}

// transcribe posts one utterance of 16 kHz PCM and returns its text and confidence (0 when
// the server gave no scores).
func (t *Transcriber) transcribe(ctx context.Context, pcm []int16, prompt string) (string, float64, error) {
	ctx, cancel := context.WithTimeout(ctx, t.cfg.Timeout)
	defer cancel()
	format := formatVerbose
	if t.plain.Load() {
		format = formatPlain
	}
	b, kind, err := t.post(ctx, pcm, prompt, format)
	var api *APIError
	if format == formatVerbose && errors.As(err, &api) && (api.Status == 400 || api.Status == 422) {
		// Perhaps the server only knows json: if json works, keep to it.
		if b2, _, err2 := t.post(ctx, pcm, prompt, formatPlain); err2 == nil {
			if t.plain.CompareAndSwap(false, true) {
				t.log.Warn("whisper: the server refused response_format verbose_json: lines get no confidence",
					"model", t.cfg.Model, "err", err)
			}
			b, kind, err = b2, "", nil
		}
	}
	if err != nil {
		t.fault(kind)
		return "", 0, err
	}
	var out response
	if err := json.Unmarshal(b, &out); err != nil || out.Text == nil {
		t.fault("decode")
		return "", 0, fmt.Errorf("whisper: decode response %.80q: missing text", b)
	}
	return strings.TrimSpace(*out.Text), confidence(out.Segments), nil
}

// post sends one request and returns the response body, or the error and its fault kind.
func (t *Transcriber) post(ctx context.Context, pcm []int16, prompt, format string) ([]byte, string, error) {
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, err := mw.CreateFormFile("file", "utterance.wav")
	if err != nil {
		return nil, "", fmt.Errorf("whisper: build request: %w", err)
	}
	writeWAV(fw, pcm)
	fields := [][2]string{{"model", t.cfg.Model}, {"response_format", format}, {"language", t.cfg.Language}, {"prompt", prompt}}
	for _, f := range fields {
		if f[1] != "" {
			mw.WriteField(f[0], f[1])
		}
	}
	mw.Close()
	req, err := httpapi.NewPost(ctx, t.url, mw.FormDataContentType(), &body, t.cfg.APIKey)
	if err != nil {
		return nil, "", fmt.Errorf("whisper: build request: %w", err)
	}
	resp, err := t.http.Do(req)
	if err != nil {
		return nil, "network", fmt.Errorf("whisper: transcribe: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		msg, _ := httpapi.ReadError(resp.Body)
		return nil, fmt.Sprintf("http_%dxx", resp.StatusCode/100),
			fmt.Errorf("whisper: transcribe: %w", &APIError{Status: resp.StatusCode, Message: msg})
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, "network", fmt.Errorf("whisper: read response: %w", err)
	}
	return b, "", nil
}

// response is a json or verbose_json transcription; json has no segments.
type response struct {
	Text     *string   `json:"text"`
	Segments []segment `json:"segments"`
}

// segment is the part of a verbose_json segment the confidence needs.
type segment struct {
	Start        float64  `json:"start"` // seconds
	End          float64  `json:"end"`
	AvgLogprob   *float64 `json:"avg_logprob"`    // mean log probability of its tokens; whisper.cpp may send null
	NoSpeechProb float64  `json:"no_speech_prob"` // absent (0) on whisper.cpp
}

// confidence maps Whisper's segment scores to 0..1: each segment's exp(avg_logprob), the
// geometric mean of its token probabilities, times 1 - no_speech_prob (a segment Whisper
// thinks may be silence is doubtful however fluent its text), averaged over the segments
// weighted by their duration (equally when the server gives no times). Segments without an
// avg_logprob are left out; none left is 0, no confidence.
func confidence(segs []segment) float64 {
	var sum, weight, plain float64
	n := 0
	for _, s := range segs {
		if s.AvgLogprob == nil || math.IsNaN(*s.AvgLogprob) {
			continue
		}
		c := math.Exp(min(*s.AvgLogprob, 0)) * (1 - min(max(s.NoSpeechProb, 0), 1))
		if d := s.End - s.Start; d > 0 {
			sum += c * d
			weight += d
		}
		plain += c
		n++
	}
	switch {
	case n == 0:
		return 0
	case weight > 0:
		return dialog.ClampConfidence(sum / weight)
	default:
		return dialog.ClampConfidence(plain / float64(n))
	}
}

func (t *Transcriber) fault(kind string) {
	if t.hooks.Error != nil {
		t.hooks.Error(kind)
	}
}

// writeWAV writes pcm as a 16 kHz mono 16-bit WAV file.
func writeWAV(w io.Writer, pcm []int16) {
	n := uint32(2 * len(pcm))
	hdr := []any{[4]byte{'R', 'I', 'F', 'F'}, 36 + n, [4]byte{'W', 'A', 'V', 'E'},
		[4]byte{'f', 'm', 't', ' '}, uint32(16), uint16(1), uint16(1), uint32(media.Rate16k), uint32(2 * media.Rate16k), uint16(2), uint16(16),
		[4]byte{'d', 'a', 't', 'a'}, n}
	for _, v := range hdr {
		binary.Write(w, binary.LittleEndian, v)
	}
	binary.Write(w, binary.LittleEndian, pcm)
}
