package scoring

import (
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// XAPIVersion is the xAPI version Spar speaks (https://github.com/adlnet/xAPI-Spec, 1.0.3).
const XAPIVersion = "1.0.3"

// VerbCompleted is the ADL "completed" verb.
const VerbCompleted = "http://adlnet.gov/expapi/verbs/completed"

// Statement is the part of an xAPI statement Spar sends: the learner completed the
// scenario, with the score, pass and duration.
type Statement struct {
	ID        string       `json:"id"`
	Actor     XAPIActor    `json:"actor"`
	Verb      XAPIVerb     `json:"verb"`
	Object    XAPIActivity `json:"object"`
	Result    XAPIResult   `json:"result"`
	Context   *XAPIContext `json:"context,omitempty"`
	Timestamp string       `json:"timestamp"`
}

// XAPIActor is the learner: by email (mbox) when the learner ID is one, else an account on
// this Spar server (guests, phone learners).
type XAPIActor struct {
	ObjectType string       `json:"objectType"`
	Name       string       `json:"name,omitempty"`
	Mbox       string       `json:"mbox,omitempty"`
	Account    *XAPIAccount `json:"account,omitempty"`
}

// XAPIAccount identifies a learner without an email address.
type XAPIAccount struct {
	HomePage string `json:"homePage"`
	Name     string `json:"name"`
}

// XAPIVerb is the statement's verb.
type XAPIVerb struct {
	ID      string            `json:"id"`
	Display map[string]string `json:"display"`
}

// XAPIActivity is the scenario, as an activity IRI.
type XAPIActivity struct {
	ObjectType string `json:"objectType"`
	ID         string `json:"id"`
	Definition struct {
		Name map[string]string `json:"name"`
		Type string            `json:"type"`
	} `json:"definition"`
}

// XAPIResult is how the call went.
type XAPIResult struct {
	Score struct {
		Scaled float64 `json:"scaled"`
		Raw    int     `json:"raw"`
		Min    int     `json:"min"`
		Max    int     `json:"max"`
	} `json:"score"`
	Success    bool   `json:"success"`
	Completion bool   `json:"completion"`
	Duration   string `json:"duration"` // ISO 8601, e.g. PT4M12S
}

// XAPIContext names the platform and the call.
type XAPIContext struct {
	Platform   string            `json:"platform"`
	Extensions map[string]string `json:"extensions,omitempty"`
}

// NewStatement builds the statement for card. activityBase prefixes the scenario ID;
// homePage names the account system of learners without an email address.
func NewStatement(card *Scorecard, activityBase, homePage string) Statement {
	s := Statement{
		ID:        statementID(card.CallID),
		Actor:     actor(card.Learner, homePage),
		Verb:      XAPIVerb{ID: VerbCompleted, Display: map[string]string{"en-US": "completed"}},
		Timestamp: card.ScoredAt.UTC().Format(time.RFC3339Nano),
		Context: &XAPIContext{Platform: "Spar", Extensions: map[string]string{
			strings.TrimSuffix(homePage, "/") + "/xapi/call-id": card.CallID,
		}},
	}
	s.Object.ObjectType = "Activity"
	s.Object.ID = activityBase + url.PathEscape(card.Scenario)
	s.Object.Definition.Name = map[string]string{"en-US": cmpOr(card.Rubric, card.Scenario)}
	s.Object.Definition.Type = "http://adlnet.gov/expapi/activities/simulation"
	s.Result.Score.Scaled = float64(card.Overall) / 100
	s.Result.Score.Raw, s.Result.Score.Max = card.Overall, 100
	s.Result.Success, s.Result.Completion = card.Pass, true
	s.Result.Duration = isoDuration(card.Metrics.Duration)
	return s
}

func actor(learner, homePage string) XAPIActor {
	a := XAPIActor{ObjectType: "Agent"}
	name, guest := strings.CutPrefix(learner, "guest:")
	if addr := strings.TrimPrefix(learner, "mailto:"); !guest && strings.Contains(addr, "@") && !strings.ContainsAny(addr, " :") {
		a.Mbox = "mailto:" + addr
		return a
	}
	if learner == "" {
		learner, name = "guest:anonymous", "anonymous"
	}
	a.Name = name
	a.Account = &XAPIAccount{HomePage: homePage, Name: learner}
	return a
}

// statementID is a name-based UUID (version 5 layout) of the call ID, so a retried
// statement has the same ID and the LRS can tell it is the same one.
func statementID(callID string) string {
	h := sha1.Sum([]byte("spar:xapi:call:" + callID))
	h[6] = h[6]&0x0f | 0x50
	h[8] = h[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", h[0:4], h[4:6], h[6:8], h[8:10], h[10:16])
}

// isoDuration formats d as an ISO 8601 duration to the second: PT1H2M3S, PT4M12S, PT0S.
func isoDuration(d time.Duration) string {
	s := int64(d.Round(time.Second) / time.Second)
	if s <= 0 {
		return "PT0S"
	}
	var b strings.Builder
	b.WriteString("PT")
	if h := s / 3600; h > 0 {
		fmt.Fprintf(&b, "%dH", h)
	}
	if m := s / 60 % 60; m > 0 {
		fmt.Fprintf(&b, "%dM", m)
	}
	if sec := s % 60; sec > 0 {
		fmt.Fprintf(&b, "%dS", sec)
	}
	return b.String()
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

type xapiSender struct {
	cfg     XAPIConfig
	http    *http.Client
	timeout time.Duration
}

func newXAPI(cfg XAPIConfig, hc *http.Client, timeout time.Duration) *xapiSender {
	return &xapiSender{cfg: cfg, http: hc, timeout: timeout}
}

// send POSTs the card's statement to {endpoint}/statements.
func (x *xapiSender) send(ctx context.Context, card *Scorecard) error {
	body, err := json.Marshal(NewStatement(card, x.cfg.ActivityBase, x.cfg.HomePage))
	if err != nil {
		return permanentError{fmt.Errorf("xapi: encode: %w", err)}
	}
	ctx, cancel := context.WithTimeout(ctx, x.timeout)
	defer cancel()
	u := strings.TrimSuffix(x.cfg.Endpoint, "/") + "/statements"
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(body))
	if err != nil {
		return permanentError{fmt.Errorf("xapi: %w", err)}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Experience-API-Version", XAPIVersion)
	req.SetBasicAuth(x.cfg.Username, x.cfg.Password)
	resp, err := x.http.Do(req)
	if err != nil {
		return fmt.Errorf("xapi: post statement: %w", err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if resp.StatusCode/100 != 2 {
		return statusError("xapi: post statement", resp.StatusCode, data)
	}
	return nil
}
