package scoring

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"

	"github.com/sparlab/spar/dialog/store"
)

// Records reads sealed call records; *store.Store is one.
type Records interface {
	Get(ctx context.Context, id string) (*store.Record, error)
}

// channel is one way a scorecard is sent on.
type channel struct {
	name string
	send func(ctx context.Context, card *Scorecard) error
}

// Deliverer sends each new scorecard on through the configured channels. The worker hands
// it cards with Enqueue (its OnScored hook), which never blocks; Run sends them, each
// channel retried with backoff on its own. A failure is logged and never touches the
// stored card: delivery is best effort, and a card whose delivery was lost (queue full,
// process stopped) is still in Redis and on the learner page.
type Deliverer struct {
	cfg      DeliveryConfig
	channels []channel
	queue    chan *Scorecard
	log      *slog.Logger
}

// deliveryWorkers is how many cards are delivered at once.
const deliveryWorkers = 4

// NewDeliverer returns a deliverer for cfg, whose secrets must be filled (Config.WithSecrets).
// records gives the text message channel the learner's number. hc may be nil
// (http.DefaultClient); each request is bounded by cfg.Timeout.
func NewDeliverer(cfg DeliveryConfig, records Records, hc *http.Client, log *slog.Logger) (*Deliverer, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	if hc == nil {
		hc = http.DefaultClient
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	d := &Deliverer{cfg: cfg, queue: make(chan *Scorecard, cfg.Queue), log: log.With("component", "delivery")}
	var errs []error
	if cfg.Webhook.URL != "" {
		if cfg.Webhook.Secret == "" {
			errs = append(errs, fmt.Errorf("%w: delivery.webhook: %s is not set", ErrInvalidConfig, cfg.Webhook.SecretEnv))
		}
		d.channels = append(d.channels, channel{"webhook", newWebhook(cfg.Webhook, hc, cfg.Timeout).send})
	}
	if cfg.XAPI.Endpoint != "" {
		if cfg.XAPI.Username == "" || cfg.XAPI.Password == "" {
			errs = append(errs, fmt.Errorf("%w: delivery.xapi: %s and %s must be set", ErrInvalidConfig, cfg.XAPI.UsernameEnv, cfg.XAPI.PasswordEnv))
		}
		d.channels = append(d.channels, channel{"xapi", newXAPI(cfg.XAPI, hc, cfg.Timeout).send})
	}
	if cfg.SMS.Enabled {
		if records == nil {
			errs = append(errs, fmt.Errorf("%w: delivery.sms needs the call records", ErrInvalidConfig))
		}
		if cfg.SMS.AccountSID == "" || cfg.SMS.AuthToken == "" {
			errs = append(errs, fmt.Errorf("%w: delivery.sms: %s and %s must be set", ErrInvalidConfig, cfg.SMS.AccountSIDEnv, cfg.SMS.AuthTokenEnv))
		}
		d.channels = append(d.channels, channel{"sms", newSMS(cfg.SMS, records, hc, cfg.Timeout).send})
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return d, nil
}

// Enabled reports whether any channel is configured.
func (d *Deliverer) Enabled() bool { return len(d.channels) > 0 }

// Enqueue queues card for Run; when the queue is full the card's delivery is skipped and
// logged. It has the shape of Worker.OnScored.
func (d *Deliverer) Enqueue(_ context.Context, card *Scorecard) {
	if !d.Enabled() {
		return
	}
	select {
	case d.queue <- card:
	default:
		d.log.Error("scoring: delivery queue full; not delivering this scorecard", "call_id", card.CallID)
	}
}

// Run delivers queued cards until ctx ends, then returns ctx's error. Cards still queued
// then are not delivered.
func (d *Deliverer) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	for range deliveryWorkers {
		wg.Go(func() {
			for {
				select {
				case <-ctx.Done():
					return
				case card := <-d.queue:
					d.Deliver(ctx, card)
				}
			}
		})
	}
	wg.Wait()
	return ctx.Err()
}

// Deliver sends card through every channel at once, each with its retries, and returns when
// all are done. Failures are logged.
func (d *Deliverer) Deliver(ctx context.Context, card *Scorecard) {
	var wg sync.WaitGroup
	for _, ch := range d.channels {
		wg.Go(func() { d.try(ctx, ch, card) })
	}
	wg.Wait()
}

// try sends card through ch up to Attempts times, with backoff between; a permanent error
// (a 4xx answer: retrying would not help) ends it at once.
func (d *Deliverer) try(ctx context.Context, ch channel, card *Scorecard) {
	log := d.log.With("channel", ch.name, "call_id", card.CallID)
	delay := d.cfg.RetryMin
	for attempt := 1; ; attempt++ {
		err := ch.send(ctx, card)
		if errors.Is(err, errNotApplicable) {
			log.Debug("scoring: channel does not apply to this call")
			return
		}
		if err == nil {
			log.Info("scoring: scorecard delivered", "attempt", attempt)
			return
		}
		var perm permanentError
		if errors.As(err, &perm) || attempt >= d.cfg.Attempts || ctx.Err() != nil {
			log.Error("scoring: delivery failed", "attempts", attempt, "err", err)
			return
		}
		log.Warn("scoring: delivery attempt failed", "attempt", attempt, "retry_in", delay, "err", err)
		if wait(ctx, delay) != nil {
			log.Error("scoring: delivery abandoned at shutdown", "attempts", attempt, "err", err)
			return
		}
		delay = min(2*delay, d.cfg.RetryMax)
	}
}

// permanentError is a delivery failure that retrying would not fix.
type permanentError struct{ err error }

func (e permanentError) Error() string { return e.err.Error() }
func (e permanentError) Unwrap() error { return e.err }

// statusError turns a non-2xx answer into an error: permanent for 4xx other than 408 and
// 429, retryable otherwise.
func statusError(op string, code int, body []byte) error {
	err := fmt.Errorf("%s: status %d: %s", op, code, snippet(body))
	if code >= 400 && code < 500 && code != http.StatusRequestTimeout && code != http.StatusTooManyRequests {
		return permanentError{err}
	}
	return err
}
