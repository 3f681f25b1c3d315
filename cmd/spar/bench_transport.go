package main

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/sparlab/spar/telephony/twilio/sim"
)

// benchTransport places one round's calls over one transport. Everything else in a round
// (ramp, steady window, CPU and RSS sampling, pacing analysis, overhead from the sealed
// records, report, search, plot) is the same for every transport.
type benchTransport interface {
	// learner runs one simulated learner through p's script against base and returns the
	// call ID the server gave it.
	learner(ctx context.Context, base string, p roundPlan) (callID string, err error)
	// listen runs probe number i: a silent caller that timestamps every persona packet it
	// receives, for d.
	listen(ctx context.Context, base string, i int, d time.Duration) (*probeResult, error)
}

// newTransport returns the transport named on the command line.
func newTransport(name string, synth sim.Synthesizer) (benchTransport, error) {
	switch name {
	case "twilio":
		return twilioBench{hc: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}, synth: synth}, nil
	case "webrtc":
		return webrtcBench{synth: synth}, nil
	}
	return nil, usageError{fmt.Sprintf("bench: --transport %q: want twilio or webrtc", name)}
}

// twilioBench places Twilio Media Streams calls: sim callers and WebSocket probes.
type twilioBench struct {
	hc    *http.Client
	synth sim.Synthesizer
}

var _ benchTransport = twilioBench{}

func (b twilioBench) learner(ctx context.Context, base string, p roundPlan) (string, error) {
	r, err := sim.Run(ctx, sim.Config{BaseURL: base, Script: p.script, DiscardAudio: true, HTTPClient: b.hc,
		GreetTimeout: p.greet, ReplyTimeout: p.reply}, b.synth, nil)
	if err != nil {
		return "", err
	}
	return r.CallID, nil
}

func (b twilioBench) listen(ctx context.Context, base string, i int, d time.Duration) (*probeResult, error) {
	return probe{base: base, hc: b.hc}.run(ctx, i, d)
}

// envList is a repeatable KEY=VALUE flag.
type envList []string

func (e *envList) String() string { return strings.Join(*e, " ") }

func (e *envList) Set(v string) error {
	if k, _, ok := strings.Cut(v, "="); !ok || k == "" {
		return fmt.Errorf("want KEY=VALUE, got %q", v)
	}
	*e = append(*e, v)
	return nil
}
