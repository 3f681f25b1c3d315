package sim

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gorilla/websocket"
)

const handshakeTimeout = 10 * time.Second

// streamURLs returns the URL Twilio signs (the stream URL from the TwiML, query stripped as
// Twilio strips it) and the one to dial. Twilio connects only to wss://; for a plain-http
// server (a local trial, no TLS) it dials the ws:// equivalent, and also accepts a ws:// URL
// (flagged by plainWS), which the real Twilio would refuse.
func streamURLs(baseURL, streamURL string) (signed, dial string, plainWS bool, err error) {
	u, err := url.Parse(streamURL)
	if err != nil || u.Host == "" {
		return "", "", false, fmt.Errorf("%w: stream url %q", ErrWebhook, streamURL)
	}
	local := strings.HasPrefix(baseURL, "http://")
	switch {
	case u.Scheme == "wss":
	case u.Scheme == "ws" && local:
		plainWS = true
	default:
		return "", "", false, fmt.Errorf("%w: stream url %q: Twilio only connects to wss://", ErrWebhook, streamURL)
	}
	u.RawQuery, u.ForceQuery, u.Fragment = "", false, ""
	signed = u.String()
	if local {
		u.Scheme = "ws"
	}
	return signed, u.String(), plainWS, nil
}

// dialStream opens the Media Streams WebSocket as Twilio does, signing the upgrade.
func dialStream(ctx context.Context, cfg Config, streamURL string, log *slog.Logger) (*websocket.Conn, error) {
	signed, target, plainWS, err := streamURLs(cfg.BaseURL, streamURL)
	if err != nil {
		return nil, err
	}
	if plainWS {
		log.Warn("stream URL is ws://: the real Twilio only connects to wss://", "url", streamURL)
	}
	h := http.Header{"User-Agent": {"Twilio.TmeWs/1.0"}}
	if cfg.AuthToken != "" {
		h.Set("X-Twilio-Signature", Sign(cfg.AuthToken, signed, nil))
	}
	d := websocket.Dialer{HandshakeTimeout: handshakeTimeout}
	conn, resp, err := d.DialContext(ctx, target, h)
	if err != nil {
		if resp != nil {
			b, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
			resp.Body.Close()
			return nil, fmt.Errorf("sim: dial stream %s: %s %s: %w", target, resp.Status, strings.TrimSpace(string(b)), err)
		}
		return nil, fmt.Errorf("sim: dial stream %s: %w", target, err)
	}
	return conn, nil
}
