package main

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	"github.com/sparlab/spar/telephony/twilio"
)

// wireTwilio keeps the Twilio transport's call tickets in Redis under the store's prefix, so
// that the webhook and the media stream of one call may reach different nodes, and exports
// its refusals as spar_twilio_refused_total{reason}.
func wireTwilio(tw *twilio.Server, rdb redis.UniversalClient, prefix string, reg prometheus.Registerer) error {
	tw.Tickets = twilio.NewRedisTickets(rdb, prefix)
	return reg.Register(twilioRefusals{tw})
}

// twilioRefusals is a prometheus.Collector over twilio.Server.Refusals.
type twilioRefusals struct{ tw *twilio.Server }

var twilioRefusedDesc = prometheus.NewDesc("spar_twilio_refused_total",
	"Phone calls and media streams turned away, by reason (busy, replayed_webhook, no_token, bad_token, call_sid_mismatch, no_stream, ...).",
	[]string{"reason"}, nil)

func (c twilioRefusals) Describe(ch chan<- *prometheus.Desc) { ch <- twilioRefusedDesc }

func (c twilioRefusals) Collect(ch chan<- prometheus.Metric) {
	for reason, n := range c.tw.Refusals() {
		ch <- prometheus.MustNewConstMetric(twilioRefusedDesc, prometheus.CounterValue, float64(n), reason)
	}
}
