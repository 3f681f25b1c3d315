package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"syscall"
	"time"

	"github.com/sparlab/spar/dialog/tts/flite"
	sipsim "github.com/sparlab/spar/telephony/sip/sim"
	"github.com/sparlab/spar/telephony/twilio/sim"
)

func callCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("call", flag.ContinueOnError)
	fs.SetOutput(stderr)
	base := os.Getenv("SPAR_PUBLIC_URL")
	if base == "" {
		base = "http://localhost:8080"
	}
	var (
		url      = fs.String("url", base, "the server's public base URL, as the server is configured (env SPAR_PUBLIC_URL)")
		token    = fs.String("token", os.Getenv("TWILIO_AUTH_TOKEN"), "Twilio auth token to sign requests with, as the server has it (env TWILIO_AUTH_TOKEN)")
		scenario = fs.String("scenario", "", "scenario to practise (default: the server's choice for the dialed number)")
		from     = fs.String("from", sim.DefaultFrom, "caller ID: the learner's phone number")
		to       = fs.String("to", sim.DefaultTo, "the practice number dialed")
		digits   = fs.String("digits", "", "keys to press if the server answers with a menu")
		script   = fs.String("script", "", "YAML script of learner lines (default: a 3-turn angry-customer call)")
		voice    = fs.String("voice", sim.DefaultVoice, "flite voice for the learner's lines")
		record   = fs.String("record", "", "save what the caller heard as a WAV file")
		stereo   = fs.String("record-stereo", "", "save a stereo WAV: caller left, heard right")
		quiet    = fs.Bool("quiet", false, "print only the summary")
		limit    = fs.Duration("timeout", 10*time.Minute, "give up after this long")
		rtc      = fs.Bool("webrtc", false, "call as a browser over WebRTC instead of as a phone")
		learner  = fs.String("learner", "", "learner name for --webrtc calls")
		trickle  = fs.Bool("trickle", false, "with --webrtc: signal over the WebSocket with trickle ICE, as the learner page does (default: one POST /webrtc/offer)")
		sipAddr  = fs.String("sip", "", "call as a PBX extension over SIP to this Spar SIP listener (host:port); --to is the extension dialed, --from the caller ID")
		sipTrans = fs.String("sip-transport", "udp", "with --sip: udp or tcp")
		codec    = fs.String("codec", "PCMU", "with --sip: PCMU (mu-law) or PCMA (A-law)")
		sipUser  = fs.String("sip-user", "", "with --sip: digest username, as the server's sip.username (password from env SPAR_SIP_PASSWORD)")
	)
	fs.Usage = func() {
		fmt.Fprint(stderr, `Usage: spar call [flags]

Places a simulated phone call exactly as Twilio would: a signed voice webhook, a signed
Media Streams WebSocket, audio paced every 20 ms, marks echoed as audio "plays". It speaks
a script of learner lines, prints the live transcript, and can save what it heard.
With --webrtc it calls as a browser; with --sip HOST:PORT as a PBX extension over SIP
(G.711 RTP), --to being the extension dialed and --from the caller ID.

Script format (YAML list of steps; each waits for the persona to finish, then pauses):
  - say: "Hi, this is Sam in billing. How can I help?"
  - say: "I'm so sorry, being charged twice is frustrating."
    barge: 1.5s      # start 1.5 s into the persona's reply instead of waiting
  - wav: learner.wav # play a recording
  - dtmf: "1"
  - wait: 3s
  - hangup: true

Flags:
`)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("spar call takes no arguments, got %q", strings.Join(fs.Args(), " "))}
	}
	cfg := sim.Config{
		BaseURL: strings.TrimSuffix(*url, "/"), AuthToken: *token, Scenario: *scenario,
		From: *from, To: *to, Digits: *digits, Voice: *voice, Record: *record, RecordStereo: *stereo,
	}
	if !*quiet {
		cfg.Out = stdout
		cfg.EventsURL = func(id string) string { return cfg.BaseURL + "/api/calls/" + id + "/events" }
	}
	if *script != "" {
		sc, err := sim.ParseScriptFile(*script)
		if err != nil {
			return err
		}
		cfg.Script = sc
	}
	ctx, cancel := context.WithTimeout(ctx, *limit)
	defer cancel()
	if *sipAddr != "" {
		return sipCall(ctx, sipsim.Config{Target: *sipAddr, Transport: *sipTrans, To: *to, From: *from, Codec: *codec,
			Username: *sipUser, Password: os.Getenv("SPAR_SIP_PASSWORD"), Script: cfg.Script, Voice: *voice}, *quiet, stdout, stderr)
	}
	if *rtc {
		return webrtcCall(ctx, cfg.BaseURL, *scenario, *learner, *voice, cfg.Script, *trickle, *quiet, stdout, stderr)
	}
	synth, err := flite.New(flite.Config{})
	if err != nil {
		return fmt.Errorf("speech synthesis for the script: %w", err)
	}
	log := textLog(stderr, slog.LevelWarn)
	res, err := sim.Run(ctx, cfg, synth, log)
	if res != nil && (res.FramesSent > 0 || res.Refused != "") {
		res.Summary(stdout)
	}
	if errors.Is(err, syscall.ECONNREFUSED) {
		return fmt.Errorf("no Spar server answers at %s: start one with `make run`, or pass --url", cfg.BaseURL)
	}
	return err
}
