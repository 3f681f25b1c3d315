// Package whisper recognizes the learner's speech with an OpenAI-compatible transcription
// endpoint (OpenAI, Groq, faster-whisper-server, whisper.cpp server): audio is kept while the
// learner speaks and each endpointed utterance is posted as a WAV file on Flush. There are no
// interim results, so barge-in relies on the engine's voice activity alone.
package whisper

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"strings"
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
}

// New returns a Transcriber for cfg; hc may be nil.
func New(cfg Config, hc *http.Client, log *slog.Logger, hooks Hooks) (*Transcriber, error) {
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if hc == nil {
		hc = http.DefaultClient
	}
	return &Transcriber{cfg: cfg, http: hc, url: httpapi.Endpoint(cfg.BaseURL, "/v1/audio/transcriptions"), log: log, hooks: hooks}, nil
}

// Stream starts a call's stream. Utterances are transcribed one at a time, in order.
func (t *Transcriber) Stream(ctx context.Context, opts dialog.STTOptions) (dialog.RecognizeStream, error) {
	prompt := ""
	if t.cfg.Prompt {
		prompt = strings.Join(opts.Phrases, ", ")
	}
	return newStream(ctx, t, prompt), nil
}

// transcribe posts one utterance of 16 kHz PCM and returns its text.
func (t *Transcriber) transcribe(ctx context.Context, pcm []int16, prompt string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, t.cfg.Timeout)
	defer cancel()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, err := mw.CreateFormFile("file", "utterance.wav")
	if err != nil {
		return "", fmt.Errorf("whisper: build request: %w", err)
	}
	writeWAV(fw, pcm)
	fields := [][2]string{{"model", t.cfg.Model}, {"response_format", "json"}, {"language", t.cfg.Language}, {"prompt", prompt}}
	for _, f := range fields {
		if f[1] != "" {
			mw.WriteField(f[0], f[1])
		}
	}
	mw.Close()
	req, err := httpapi.NewPost(ctx, t.url, mw.FormDataContentType(), &body, t.cfg.APIKey)
	if err != nil {
		return "", fmt.Errorf("whisper: build request: %w", err)
	}
	resp, err := t.http.Do(req)
	if err != nil {
		t.fault("network")
		return "", fmt.Errorf("whisper: transcribe: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		t.fault(fmt.Sprintf("http_%dxx", resp.StatusCode/100))
		msg, _ := httpapi.ReadError(resp.Body)
		return "", fmt.Errorf("whisper: transcribe: %w", &APIError{Status: resp.StatusCode, Message: msg})
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		t.fault("network")
		return "", fmt.Errorf("whisper: read response: %w", err)
	}
	var out struct {
		Text *string `json:"text"`
	}
	if err := json.Unmarshal(b, &out); err != nil || out.Text == nil {
		t.fault("decode")
		return "", fmt.Errorf("whisper: decode response %.80q: missing text", b)
	}
	return strings.TrimSpace(*out.Text), nil
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
