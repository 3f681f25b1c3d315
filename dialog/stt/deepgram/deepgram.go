// Package deepgram recognizes the learner's speech with Deepgram's live WebSocket API: audio
// goes up as binary frames (8 kHz mu-law for phone calls, 16 kHz linear16 for the browser),
// interim results come back as the learner speaks, and the engine's endpoint sends Finalize so
// the utterance's final transcript follows at once. Each Flush yields exactly one final
// Transcript, as dialog.RecognizeStream requires, built from Deepgram's is_final segments.
package deepgram

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/gorilla/websocket"

	"github.com/sparlab/spar/dialog"
)

var _ dialog.Transcriber = (*Transcriber)(nil)

// Hooks report what the recognizer measured; nil fields are skipped.
type Hooks struct {
	Final func(d time.Duration) // from Flush to the final transcript
	Error func(kind string)     // handshake, disconnect, queue_full
}

// Transcriber opens one Deepgram stream per call. It is safe for concurrent use.
type Transcriber struct {
	cfg    Config
	dialer *websocket.Dialer
	log    *slog.Logger
	hooks  Hooks
}

// New returns a Transcriber for cfg.
func New(cfg Config, log *slog.Logger, hooks Hooks) (*Transcriber, error) {
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	d := *websocket.DefaultDialer
	d.HandshakeTimeout = 10 * time.Second
	return &Transcriber{cfg: cfg, dialer: &d, log: log, hooks: hooks}, nil
}

// Stream connects for one call. ctx bounds the connection attempt and the stream's life.
func (t *Transcriber) Stream(ctx context.Context, opts dialog.STTOptions) (dialog.RecognizeStream, error) {
	h := http.Header{}
	if t.cfg.APIKey != "" {
		h.Set("Authorization", "Token "+t.cfg.APIKey)
	}
	conn, resp, err := t.dialer.DialContext(ctx, t.cfg.query(opts.Narrowband, opts.Phrases), h)
	if err != nil {
		t.fault("handshake")
		if resp != nil {
			b, _ := io.ReadAll(io.LimitReader(resp.Body, 2<<10))
			resp.Body.Close()
			why := strings.TrimSpace(resp.Header.Get("dg-error") + " " + string(b))
			return nil, fmt.Errorf("deepgram: connect: %w: http %d: %s", ErrHandshake, resp.StatusCode, why)
		}
		return nil, fmt.Errorf("deepgram: connect: %w", err)
	}
	return newStream(ctx, t, conn, opts.Narrowband)
}

func (t *Transcriber) fault(kind string) {
	if t.hooks.Error != nil {
		t.hooks.Error(kind)
	}
}
