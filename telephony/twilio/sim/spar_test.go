package sim

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/sparlab/spar/telephony"
	"github.com/sparlab/spar/telephony/twilio"
)

type titles map[string]string

func (m titles) Title(id string) (string, bool) { t, ok := m[id]; return t, ok }

// TestRunAgainstSpar: the simulated caller gets through Spar's own Twilio server, whose
// streams need the webhook's one-time token, because it sends the TwiML's <Parameter>s back
// in start.customParameters as Twilio does; the call is the one the webhook decided.
func TestRunAgainstSpar(t *testing.T) {
	mux := http.NewServeMux()
	ts := httptest.NewServer(mux)
	defer ts.Close()
	cfg := twilio.DefaultConfig()
	cfg.PublicURL, cfg.AuthToken = ts.URL, testToken
	cfg.DefaultScenario = "double-charge"
	infos := make(chan telephony.Info, 1)
	srv, err := twilio.NewServer(cfg, titles{"double-charge": "Charged twice"}, func(ctx context.Context, c *telephony.Call) error {
		infos <- c.Info
		<-ctx.Done()
		return nil
	}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	srv.Register(mux)
	res, err := runCall(t, Config{BaseURL: ts.URL, AuthToken: testToken, From: "+14155550100", To: "+18005550199",
		Script: Script{quick(Step{Wait: 100 * time.Millisecond}), quick(Step{Hangup: true})}, GreetTimeout: 40 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	info := <-infos
	if info.ID != res.CallID || info.ExternalID != res.CallSid || info.Scenario != "double-charge" || info.Learner != "guest:+14155550100" {
		t.Fatalf("call %+v, caller %+v", info, res)
	}
	if res.Params["token"] == "" {
		t.Errorf("TwiML parameters %v carry no token", res.Params)
	}
	srv.Drain()
	if err := srv.Wait(t.Context()); err != nil {
		t.Fatal(err)
	}
}
