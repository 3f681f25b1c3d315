package scoring

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	twclient "github.com/twilio/twilio-go/client"
	twapi "github.com/twilio/twilio-go/rest/api/v2010"

	"github.com/sparlab/spar/dialog/store"
)

// errNotApplicable means a channel has nothing to send for this card (a browser learner
// gets no text message).
var errNotApplicable = errors.New("scoring: channel does not apply to this call")

// smsSender texts phone learners the link to their scorecard with twilio-go's Messages API.
type smsSender struct {
	cfg     SMSConfig
	records Records
	api     *twapi.ApiService
}

// newSMS builds the Twilio client on hc's transport. twilio-go has no base URL setting
// (the Api service posts to https://api.twilio.com) and ignores contexts, so requests are
// bounded by the client's Timeout, and tests point hc's transport at a fake. The Api service
// is built straight on the client, as twilio.NewRestClientWithParams(ClientParams{Client: c})
// does for its Api field; the root twilio package would pull in a JWT module only OAuth uses.
func newSMS(cfg SMSConfig, records Records, hc *http.Client, timeout time.Duration) *smsSender {
	tc := &http.Client{Transport: hc.Transport, Timeout: timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	c := &twclient.Client{Credentials: twclient.NewCredentials(cfg.AccountSID, cfg.AuthToken), HTTPClient: tc}
	c.SetAccountSid(cfg.AccountSID)
	return &smsSender{cfg: cfg, records: records, api: twapi.NewApiServiceWithClient(c)}
}

// send texts the learner of a phone call; other calls are errNotApplicable.
func (s *smsSender) send(ctx context.Context, card *Scorecard) error {
	rec, err := s.records.Get(ctx, card.CallID)
	if err != nil {
		return fmt.Errorf("sms: %w", err)
	}
	if !phoneLearner(rec) {
		return errNotApplicable
	}
	p := &twapi.CreateMessageParams{}
	p.SetTo(rec.From).SetBody(smsBody(card, strings.ReplaceAll(s.cfg.Link, "{id}", card.CallID)))
	if strings.HasPrefix(s.cfg.From, "MG") {
		p.SetMessagingServiceSid(s.cfg.From)
	} else {
		p.SetFrom(s.cfg.From)
	}
	if _, err := s.api.CreateMessage(p); err != nil {
		var rest *twclient.TwilioRestError
		if errors.As(err, &rest) && rest.Status >= 400 && rest.Status < 500 && rest.Status != http.StatusTooManyRequests {
			return permanentError{fmt.Errorf("sms: create message: %w", err)}
		}
		return fmt.Errorf("sms: create message: %w", err)
	}
	return nil
}

// phoneLearner reports whether the call came over the phone from a textable number.
func phoneLearner(rec *store.Record) bool {
	return rec.Transport == "twilio" && strings.HasPrefix(rec.From, "+") && len(rec.From) > 4
}

func smsBody(card *Scorecard, link string) string {
	verdict := "not a pass yet"
	if card.Pass {
		verdict = "a pass"
	}
	title := cmpOr(card.Rubric, card.Scenario)
	return fmt.Sprintf("Spar: your practice call (%s) scored %d/100, %s. Your scorecard: %s", title, card.Overall, verdict, link)
}
