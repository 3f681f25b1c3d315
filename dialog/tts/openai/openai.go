// Package openai speaks persona lines with an OpenAI-compatible /v1/audio/speech endpoint:
// the reply is raw 24 kHz 16-bit little-endian mono PCM ("response_format":"pcm"), read as
// it streams, converted to 16 kHz and written in 20 ms frames.
package openai

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/sparlab/spar/dialog"
	"github.com/sparlab/spar/dialog/httpapi"
	"github.com/sparlab/spar/media"
)

var _ dialog.Synthesizer = (*Synth)(nil)

// Hooks report what the synthesizer measured; nil fields are skipped.
type Hooks struct {
	FirstByte func(d time.Duration) // request sent to first audio
	Error     func(kind string)     // http_4xx, http_5xx, timeout, network, empty
}

// frameSamples is one 20 ms frame at 16 kHz.
const frameSamples = 320

// Synth is a Synthesizer for one server. It is safe for concurrent use.
type Synth struct {
	cfg   Config
	http  *http.Client
	url   string
	hooks Hooks
}

// New returns a Synth for cfg; hc may be nil.
func New(cfg Config, hc *http.Client, hooks Hooks) (*Synth, error) {
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if hc == nil {
		hc = http.DefaultClient
	}
	return &Synth{cfg: cfg, http: hc, url: httpapi.Endpoint(cfg.BaseURL, "/v1/audio/speech"), hooks: hooks}, nil
}

type speechRequest struct {
	Model          string  `json:"model"`
	Input          string  `json:"input"`
	Voice          string  `json:"voice"`
	ResponseFormat string  `json:"response_format"`
	Speed          float64 `json:"speed,omitempty"`
	Instructions   string  `json:"instructions,omitempty"`
}

// Synthesize speaks text with voice (mapped through Config.Voices) and streams 16 kHz
// frames to w. Cancelling ctx (barge-in) closes the request.
func (s *Synth) Synthesize(ctx context.Context, text, voice string, w media.Writer) error {
	v, ok := s.cfg.Voices[voice]
	if !ok {
		v = s.cfg.DefaultVoice
	}
	body, _ := json.Marshal(speechRequest{Model: s.cfg.Model, Input: text, Voice: v, ResponseFormat: "pcm",
		Speed: s.cfg.Speed, Instructions: s.cfg.Instructions})
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	total := time.AfterFunc(s.cfg.Timeout, func() { cancel(context.DeadlineExceeded) })
	defer total.Stop()
	first := time.AfterFunc(s.cfg.FirstByteTimeout, func() { cancel(ErrFirstByteTimeout) })
	defer first.Stop()
	req, err := httpapi.NewPost(ctx, s.url, "application/json", bytes.NewReader(body), s.cfg.APIKey)
	if err != nil {
		return fmt.Errorf("openai tts: build request: %w", err)
	}
	start := time.Now()
	err = s.stream(req, first, start, w)
	if cause := context.Cause(ctx); err != nil && cause != nil {
		err = fmt.Errorf("openai tts: %w (%w)", cause, ctx.Err())
	}
	if err != nil && ctx.Err() == nil || errors.Is(err, ErrFirstByteTimeout) || errors.Is(err, context.DeadlineExceeded) {
		s.fault(err)
	}
	return err
}

func (s *Synth) stream(req *http.Request, first *time.Timer, start time.Time, w media.Writer) error {
	resp, err := s.http.Do(req)
	if err != nil {
		return fmt.Errorf("openai tts: speech: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		msg, _ := httpapi.ReadError(resp.Body)
		return fmt.Errorf("openai tts: speech: %w", &APIError{Status: resp.StatusCode, Message: msg})
	}
	fr := media.NewFramer(w, frameSamples)
	rs, err := media.NewResampler(fr, media.Rate24k, media.Rate16k)
	if err != nil {
		return err
	}
	var raw [4096]byte
	var pcm [2048]int16
	carry, got := 0, 0
	for {
		n, rerr := resp.Body.Read(raw[carry:])
		n += carry
		if k := n / 2; k > 0 {
			if got == 0 {
				first.Stop()
				if s.hooks.FirstByte != nil {
					s.hooks.FirstByte(time.Since(start))
				}
			}
			for i := range k {
				pcm[i] = int16(uint16(raw[2*i]) | uint16(raw[2*i+1])<<8)
			}
			got += k
			if err := rs.WriteSample(pcm[:k]); err != nil {
				return fmt.Errorf("openai tts: write audio: %w", err)
			}
		}
		carry = n % 2
		if carry == 1 {
			raw[0] = raw[n-1]
		}
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			return fmt.Errorf("openai tts: read audio: %w", rerr)
		}
	}
	if got == 0 {
		return ErrNoAudio
	}
	// Push the resampler's delayed tail out with silence, then the last partial frame.
	tail := pcm[:media.Samples(media.Rate24k, 2*time.Millisecond)]
	clear(tail)
	if err := rs.WriteSample(tail); err != nil {
		return fmt.Errorf("openai tts: write audio: %w", err)
	}
	return fr.Flush()
}

func (s *Synth) fault(err error) {
	if s.hooks.Error == nil {
		return
	}
	var api *APIError
	switch {
	case errors.As(err, &api):
		s.hooks.Error(fmt.Sprintf("http_%dxx", api.Status/100))
	case errors.Is(err, ErrFirstByteTimeout), errors.Is(err, context.DeadlineExceeded):
		s.hooks.Error("timeout")
	case errors.Is(err, ErrNoAudio):
		s.hooks.Error("empty")
	default:
		s.hooks.Error("network")
	}
}
