package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/sparlab/spar/dialog/scenario"
	"github.com/sparlab/spar/dialog/tts/flite"
	"github.com/sparlab/spar/telephony"
	"github.com/sparlab/spar/telephony/sip"
	sipsim "github.com/sparlab/spar/telephony/sip/sim"
)

// startSIP runs the SIP trunk transport when sip.listen is set (nil, nil when it is not),
// with its refusals exported as spar_sip_refused_total{reason}.
func startSIP(ctx context.Context, cfg sip.Config, catalog *scenario.Catalog, handle telephony.Handler, reg prometheus.Registerer, log *slog.Logger) (*sip.Server, error) {
	if !cfg.Enabled() {
		return nil, nil
	}
	srv, err := sip.NewServer(cfg, catalog, handle, log)
	if err != nil {
		return nil, err
	}
	if err := reg.Register(sipRefusals{srv}); err != nil {
		return nil, err
	}
	if err := srv.Start(ctx); err != nil {
		return nil, err
	}
	return srv, nil
}

// sipRefusals is a prometheus.Collector over sip.Server.Refusals.
type sipRefusals struct{ srv *sip.Server }

var sipRefusedDesc = prometheus.NewDesc("spar_sip_refused_total",
	"SIP INVITEs turned away, by reason (busy, draining, bad_sdp, unknown_number, unknown_caller, unauthorized, forbidden_source, cancelled).",
	[]string{"reason"}, nil)

func (c sipRefusals) Describe(ch chan<- *prometheus.Desc) { ch <- sipRefusedDesc }

func (c sipRefusals) Collect(ch chan<- prometheus.Metric) {
	for reason, n := range c.srv.Refusals() {
		ch <- prometheus.MustNewConstMetric(sipRefusedDesc, prometheus.CounterValue, float64(n), reason)
	}
}

// sipCall places a simulated SIP call (`spar call --sip`): the same script and voice flags as
// the Twilio caller, spoken as a PBX extension in G.711 over RTP.
func sipCall(ctx context.Context, cfg sipsim.Config, quiet bool, stdout, stderr io.Writer) error {
	synth, err := flite.New(flite.Config{})
	if err != nil {
		return fmt.Errorf("speech synthesis for the script: %w", err)
	}
	if !quiet {
		cfg.Print = func(format string, args ...any) { fmt.Fprintf(stdout, format+"\n", args...) }
	}
	res, err := sipsim.Run(ctx, cfg, synth, textLog(stderr, slog.LevelWarn))
	if res != nil && res.Status != 0 {
		var heard time.Duration
		for _, s := range res.Heard {
			heard += s.End - s.Start
		}
		by := "you hung up"
		if res.ServerClosed {
			by = "the persona hung up"
		}
		if res.CallID == "" {
			by = fmt.Sprintf("refused with %d", res.Status)
		}
		fmt.Fprintf(stdout, "call %s (sip/%s, %s): %s, %s\n  packets sent %d, received %d; persona spoke %d times for %s\n",
			res.CallID, cfg.Transport, res.Codec, res.Duration.Round(10*time.Millisecond), by, res.PacketsSent,
			res.PacketsReceived, len(res.Heard), heard.Round(10*time.Millisecond))
	}
	return err
}
