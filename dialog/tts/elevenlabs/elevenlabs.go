// Package elevenlabs speaks persona lines with ElevenLabs' streaming WebSocket
// (/v1/text-to-speech/{voice_id}/stream-input): one connection per sentence, audio chunks as
// base64 JSON until isFinal. pcm_16000 is written as it comes; ulaw_8000 (the phone's own
// codec, so phone calls lose nothing) is decoded and upsampled to the engine's 16 kHz.
package elevenlabs

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gorilla/websocket"

	"github.com/sparlab/spar/dialog"
	"github.com/sparlab/spar/media"
)

var _ dialog.Synthesizer = (*Synth)(nil)

// Hooks report what the synthesizer measured; nil fields are skipped.
type Hooks struct {
	FirstByte func(d time.Duration) // connect to first audio
	Error     func(kind string)     // handshake, server, timeout, disconnect, empty
}

// Synth is a Synthesizer for ElevenLabs. It is safe for concurrent use.
type Synth struct {
	cfg    Config
	dialer *websocket.Dialer
	hooks  Hooks
}

// New returns a Synth for cfg.
func New(cfg Config, hooks Hooks) (*Synth, error) {
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	d := *websocket.DefaultDialer
	d.HandshakeTimeout = 10 * time.Second
	return &Synth{cfg: cfg, dialer: &d, hooks: hooks}, nil
}

type voiceSettings struct {
	Stability       float64 `json:"stability"`
	SimilarityBoost float64 `json:"similarity_boost"`
}

type textMessage struct {
	Text          string         `json:"text"`
	VoiceSettings *voiceSettings `json:"voice_settings,omitempty"`
	Flush         bool           `json:"flush,omitempty"`
}

type audioMessage struct {
	Audio   *string `json:"audio"`
	IsFinal *bool   `json:"isFinal"`
	Message string  `json:"message"`
	Error   string  `json:"error"`
}

// Synthesize speaks text and streams 16 kHz frames to w. Cancelling ctx (barge-in) closes
// the connection.
func (s *Synth) Synthesize(ctx context.Context, text, voice string, w media.Writer) error {
	err := s.synthesize(ctx, text, voice, w)
	if err != nil && ctx.Err() == nil && s.hooks.Error != nil {
		s.hooks.Error(kind(err))
	}
	return err
}

func (s *Synth) synthesize(ctx context.Context, text, voice string, w media.Writer) error {
	id, ok := s.cfg.Voices[voice]
	if !ok {
		id = s.cfg.DefaultVoice
	}
	q := url.Values{"model_id": {s.cfg.Model}, "output_format": {s.cfg.OutputFormat}}
	u := strings.TrimSuffix(s.cfg.URL, "/") + "/v1/text-to-speech/" + url.PathEscape(id) + "/stream-input?" + q.Encode()
	h := http.Header{}
	if s.cfg.APIKey != "" {
		h.Set("xi-api-key", s.cfg.APIKey)
	}
	start := time.Now()
	conn, resp, err := s.dialer.DialContext(ctx, u, h)
	if err != nil {
		if resp != nil {
			b, _ := io.ReadAll(io.LimitReader(resp.Body, 2<<10))
			resp.Body.Close()
			return fmt.Errorf("elevenlabs: connect: %w: http %d: %s", ErrHandshake, resp.StatusCode, strings.TrimSpace(string(b)))
		}
		return fmt.Errorf("elevenlabs: connect: %w", err)
	}
	defer conn.Close()
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	first := time.AfterFunc(s.cfg.FirstByteTimeout, func() { cancel(ErrFirstByteTimeout) })
	defer first.Stop()

	for _, m := range []textMessage{
		{Text: " ", VoiceSettings: &voiceSettings{s.cfg.Stability, s.cfg.SimilarityBoost}},
		{Text: strings.TrimSpace(text) + " ", Flush: true},
		{Text: ""},
	} {
		if err := conn.WriteJSON(m); err != nil {
			return s.ended(ctx, fmt.Errorf("elevenlabs: send text: %w", err))
		}
	}
	out, err := s.output(w)
	if err != nil {
		return err
	}
	var audio []byte
	got := 0
	for {
		_, b, err := conn.ReadMessage()
		if err != nil {
			return s.ended(ctx, fmt.Errorf("elevenlabs: read: %w: %w", ErrTruncated, err))
		}
		var m audioMessage
		if err := json.Unmarshal(b, &m); err != nil {
			return fmt.Errorf("elevenlabs: decode message %.80q: %w", b, err)
		}
		if m.Error != "" {
			return fmt.Errorf("elevenlabs: server: %s: %s", m.Error, m.Message)
		}
		if m.Audio != nil && *m.Audio != "" {
			audio, err = base64.StdEncoding.AppendDecode(audio[:0], []byte(*m.Audio))
			if err != nil {
				return fmt.Errorf("elevenlabs: decode audio: %w", err)
			}
			if got == 0 {
				first.Stop()
				if s.hooks.FirstByte != nil {
					s.hooks.FirstByte(time.Since(start))
				}
			}
			got += len(audio)
			if err := out.write(audio); err != nil {
				return fmt.Errorf("elevenlabs: write audio: %w", err)
			}
		}
		if m.IsFinal != nil && *m.IsFinal {
			break
		}
	}
	if got == 0 {
		return ErrNoAudio
	}
	return out.flush()
}

// ended explains a connection error by the context's cause: barge-in or the timeout.
func (s *Synth) ended(ctx context.Context, err error) error {
	if cause := context.Cause(ctx); cause != nil {
		return fmt.Errorf("elevenlabs: %w (%w)", cause, ctx.Err())
	}
	return err
}

func kind(err error) string {
	switch {
	case errors.Is(err, ErrHandshake):
		return "handshake"
	case errors.Is(err, ErrFirstByteTimeout):
		return "timeout"
	case errors.Is(err, ErrNoAudio):
		return "empty"
	case errors.Is(err, ErrTruncated):
		return "disconnect"
	default:
		return "server"
	}
}
