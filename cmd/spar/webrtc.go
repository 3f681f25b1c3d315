package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/sparlab/spar/dialog/tts/flite"
	twsim "github.com/sparlab/spar/telephony/twilio/sim"
	rtcsim "github.com/sparlab/spar/telephony/webrtc/sim"
)

// webrtcCall places a simulated browser call (`spar call --webrtc`): the same script and
// voice flags as the Twilio caller, spoken over WebRTC with Opus.
func webrtcCall(ctx context.Context, base, scenario, learner, voice string, script twsim.Script, quiet bool, stdout, stderr io.Writer) error {
	if scenario == "" {
		scenario = "double-charge"
	}
	synth, err := flite.New(flite.Config{})
	if err != nil {
		return fmt.Errorf("speech synthesis for the script: %w", err)
	}
	host := strings.ToLower(base)
	cfg := rtcsim.Config{BaseURL: strings.TrimSuffix(base, "/"), Scenario: scenario, Learner: learner, Voice: voice,
		Script: script, Loopback: strings.Contains(host, "://localhost") || strings.Contains(host, "://127.")}
	if !quiet {
		cfg.Print = func(format string, args ...any) { fmt.Fprintf(stdout, format+"\n", args...) }
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	res, err := rtcsim.Run(ctx, cfg, synth, log)
	if res != nil {
		var heard time.Duration
		for _, s := range res.Heard {
			heard += s.End - s.Start
		}
		by := "you hung up"
		if res.ServerClosed {
			by = "the persona hung up"
		}
		fmt.Fprintf(stdout, "call %s (webrtc, %s): %s, %s\n  packets sent %d, received %d; persona spoke %d times for %s\n",
			res.CallID, res.Codec, res.Duration.Round(10*time.Millisecond), by, res.PacketsSent, res.PacketsReceived,
			len(res.Heard), heard.Round(10*time.Millisecond))
	}
	return err
}
