package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/sparlab/spar/dialog/store/storetest"
	"github.com/sparlab/spar/telephony"
	"github.com/sparlab/spar/telephony/twilio"
)

// TestWireTwilio: wired, the Twilio transport keeps its call tickets in Redis (so a replayed
// webhook is caught whichever node it reaches) and counts refusals for /metrics.
func TestWireTwilio(t *testing.T) {
	rdb := storetest.Redis(t)
	prefix := storetest.Prefix(t)
	cfg := twilio.DefaultConfig()
	cfg.ValidateSignatures = false
	cfg.DefaultScenario = "double-charge"
	tw, err := twilio.NewServer(cfg, oneScenario("double-charge"), func(context.Context, *telephony.Call) error { return nil }, nil)
	if err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewRegistry()
	if err := wireTwilio(tw, rdb, prefix, reg); err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	tw.Register(mux)
	const sid = "CA0123456789abcdef0123456789abcdef"
	webhook := func() string {
		form := url.Values{"CallSid": {sid}, "From": {"+15550000001"}, "To": {"+15550000002"}}
		r := httptest.NewRequest(http.MethodPost, "http://spar.test"+twilio.PathVoice, strings.NewReader(form.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, r)
		return w.Body.String()
	}
	if body := webhook(); !strings.Contains(body, "<Connect") {
		t.Fatalf("first webhook: %s", body)
	}
	if n, err := rdb.Exists(t.Context(), prefix+"twilio:sid:"+sid).Result(); err != nil || n != 1 {
		t.Fatalf("the CallSid is not in Redis under the store's prefix: %d %v", n, err)
	}
	if body := webhook(); strings.Contains(body, "<Connect") {
		t.Fatalf("replayed webhook connected a second stream: %s", body)
	}
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, mf := range mfs {
		if mf.GetName() != "spar_twilio_refused_total" {
			continue
		}
		for _, m := range mf.GetMetric() {
			got[m.GetLabel()[0].GetValue()] = m.GetCounter().GetValue()
		}
	}
	if len(got) != 1 || got["replayed_webhook"] != 1 {
		t.Errorf("spar_twilio_refused_total = %v, want replayed_webhook 1", got)
	}
	tw.Drain()
}
