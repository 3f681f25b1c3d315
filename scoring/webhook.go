package scoring

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Webhook headers. The signature is HMAC-SHA256 of the raw body with the shared secret; the
// body carries the same timestamp as X-Spar-Timestamp, so a replayed request is recognised
// by its age and the timestamp cannot be changed without breaking the signature.
const (
	HeaderSignature = "X-Spar-Signature" // "sha256=<hex>"
	HeaderTimestamp = "X-Spar-Timestamp" // Unix seconds
	HeaderEvent     = "X-Spar-Event"     // "scorecard.ready"
	HeaderDelivery  = "X-Spar-Delivery"  // the call ID: one card per call, retries repeat it
)

// EventScorecardReady is the webhook's event type.
const EventScorecardReady = "scorecard.ready"

// WebhookPayload is the JSON body of a scorecard webhook.
type WebhookPayload struct {
	Type      string     `json:"type"`
	CallID    string     `json:"call_id"`
	Timestamp int64      `json:"timestamp"` // Unix seconds, equal to X-Spar-Timestamp
	Scorecard *Scorecard `json:"scorecard"`
}

type webhook struct {
	cfg     WebhookConfig
	http    *http.Client
	timeout time.Duration
	now     func() time.Time
}

func newWebhook(cfg WebhookConfig, hc *http.Client, timeout time.Duration) *webhook {
	return &webhook{cfg: cfg, http: hc, timeout: timeout, now: time.Now}
}

// send posts card, signed afresh (a retry has a new timestamp).
func (w *webhook) send(ctx context.Context, card *Scorecard) error {
	ts := w.now().Unix()
	body, err := json.Marshal(WebhookPayload{Type: EventScorecardReady, CallID: card.CallID, Timestamp: ts, Scorecard: card})
	if err != nil {
		return permanentError{fmt.Errorf("webhook: encode: %w", err)}
	}
	ctx, cancel := context.WithTimeout(ctx, w.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.cfg.URL, bytes.NewReader(body))
	if err != nil {
		return permanentError{fmt.Errorf("webhook: %w", err)}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "spar-webhook/1")
	req.Header.Set(HeaderEvent, EventScorecardReady)
	req.Header.Set(HeaderDelivery, card.CallID)
	req.Header.Set(HeaderTimestamp, strconv.FormatInt(ts, 10))
	req.Header.Set(HeaderSignature, Sign(w.cfg.Secret, body))
	resp, err := w.http.Do(req)
	if err != nil {
		return fmt.Errorf("webhook: post: %w", err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if resp.StatusCode/100 != 2 {
		return statusError("webhook", resp.StatusCode, data)
	}
	return nil
}

// Sign returns the X-Spar-Signature value for body: "sha256=" and the hex HMAC-SHA256.
func Sign(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// VerifyWebhook checks a received webhook: the signature over the raw body, the timestamp
// header equal to the body's, and its age within maxAge of now (either way). Receivers
// should also drop a second delivery of the same call ID. Any failure is ErrBadSignature.
func VerifyWebhook(secret string, h http.Header, body []byte, now time.Time, maxAge time.Duration) error {
	got, ok := strings.CutPrefix(h.Get(HeaderSignature), "sha256=")
	mac, err := hex.DecodeString(got)
	if !ok || err != nil {
		return fmt.Errorf("%w: malformed %s", ErrBadSignature, HeaderSignature)
	}
	want, _ := hex.DecodeString(strings.TrimPrefix(Sign(secret, body), "sha256="))
	if !hmac.Equal(mac, want) {
		return fmt.Errorf("%w: signature mismatch", ErrBadSignature)
	}
	ts, err := strconv.ParseInt(h.Get(HeaderTimestamp), 10, 64)
	if err != nil {
		return fmt.Errorf("%w: malformed %s", ErrBadSignature, HeaderTimestamp)
	}
	var p struct {
		Timestamp int64 `json:"timestamp"`
	}
	if err := json.Unmarshal(body, &p); err != nil || p.Timestamp != ts {
		return fmt.Errorf("%w: %s does not match the signed body", ErrBadSignature, HeaderTimestamp)
	}
	if age := now.Sub(time.Unix(ts, 0)); age > maxAge || age < -maxAge {
		return fmt.Errorf("%w: timestamp %s old, more than %s", ErrBadSignature, age, maxAge)
	}
	return nil
}
