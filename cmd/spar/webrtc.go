package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/sparlab/spar/dialog/studio"
	"github.com/sparlab/spar/dialog/tts/flite"
	twsim "github.com/sparlab/spar/telephony/twilio/sim"
	"github.com/sparlab/spar/telephony/webrtc"
	rtcsim "github.com/sparlab/spar/telephony/webrtc/sim"
	"github.com/sparlab/spar/web/account"
)

// webrtcCall places a simulated browser call (`spar call --webrtc`): the same script and
// voice flags as the Twilio caller, spoken over WebRTC with Opus.
func webrtcCall(ctx context.Context, base, scenario, learner, voice string, script twsim.Script, trickle, quiet bool, stdout, stderr io.Writer) error {
	if scenario == "" {
		scenario = "double-charge"
	}
	synth, err := flite.New(flite.Config{})
	if err != nil {
		return fmt.Errorf("speech synthesis for the script: %w", err)
	}
	host := strings.ToLower(base)
	cfg := rtcsim.Config{BaseURL: strings.TrimSuffix(base, "/"), Scenario: scenario, Learner: learner, Voice: voice,
		Script: script, Trickle: trickle, Loopback: strings.Contains(host, "://localhost") || strings.Contains(host, "://127.")}
	if !quiet {
		cfg.Print = func(format string, args ...any) { fmt.Fprintf(stdout, format+"\n", args...) }
	}
	log := textLog(stderr, slog.LevelWarn)
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

// webrtcIdentity is the webrtc.Server's Identify hook: a learner signed in on the request
// (account.Middleware.Authenticate put the session there) calls under their own learner ID.
// An account without one (a trainer with no learner ID or phone) practises as a guest.
func webrtcIdentity(r *http.Request) (webrtc.Identity, bool) {
	s := account.SessionFrom(r.Context())
	if s == nil || s.User == nil {
		return webrtc.Identity{}, false
	}
	ids := s.User.LearnerIDs()
	if len(ids) == 0 {
		return webrtc.Identity{}, false
	}
	return webrtc.Identity{Learner: ids[0], Name: s.User.Name, CSRF: s.CSRF}, true
}

// trialHook is the webrtc.Server's Trial hook: a trial ticket from the studio editor's "Try
// it" lets the trainer it was given to (signed in on the request, still a trainer or
// admin) call that version of the scenario, published or not. The call is recorded with the
// version and marked a trial (studio.Trial.Params).
func trialHook(s interface {
	Trial(ctx context.Context, ticket string) (*studio.Trial, error)
}) webrtc.TrialFunc {
	return func(r *http.Request, ticket, scenario string) (map[string]string, error) {
		sess := account.SessionFrom(r.Context())
		if sess == nil || sess.User == nil || sess.User.Role == account.RoleLearner {
			return nil, errors.New("only trainers and admins try drafts")
		}
		tr, err := s.Trial(r.Context(), ticket)
		if err != nil {
			return nil, err
		}
		if tr.By != sess.User.ID || tr.Scenario != scenario {
			return nil, errors.New("the ticket is another trainer's or another scenario's")
		}
		return tr.Params(), nil
	}
}

// registerWebRTC serves the browser signaling behind the accounts' Authenticate, so that a
// signed-in learner's calls carry their learner ID (webrtcIdentity). Hang-ups stay outside
// it: knowing a call's ID is what lets a page hang it up, and navigator.sendBeacon cannot
// send a CSRF header.
func registerWebRTC(mux *http.ServeMux, rtc *webrtc.Server, m *account.Middleware) {
	rtc.Identify = webrtcIdentity
	inner := http.NewServeMux()
	rtc.Register(inner)
	mux.Handle("/webrtc/", m.Authenticate(inner))
	mux.Handle("POST "+webrtc.PathHangup, inner)
}
