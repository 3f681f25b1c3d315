package sip

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"testing"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"

	"github.com/sparlab/spar/telephony"
	"github.com/sparlab/spar/telephony/sip/sim"
)

// never is a handler that must not run.
func never(t *testing.T) telephony.Handler {
	return func(ctx context.Context, call *telephony.Call) error {
		t.Errorf("the handler ran for a call that should have been refused: %+v", call.Info)
		return nil
	}
}

// TestRefusals: every way an INVITE is turned away gets its own SIP status, runs no call,
// and leaves the server idle.
func TestRefusals(t *testing.T) {
	offer := func(p *sim.Phone) []byte { return sim.OfferSDP(p.MediaAddr(), 0) }
	for _, tc := range []struct {
		name   string
		cfg    func(*Config)
		caller func(*sim.Config)
		sdp    func(p *sim.Phone) []byte
		status int
		reason string // Refusals key
	}{
		{name: "no SDP", sdp: func(*sim.Phone) []byte { return nil }, status: 488, reason: "bad_sdp"},
		{name: "no G.711", sdp: func(p *sim.Phone) []byte {
			return []byte(strings.ReplaceAll(string(offer(p)), "RTP/AVP 0 101", "RTP/AVP 18 101"))
		}, status: 488, reason: "bad_sdp"},
		{name: "SRTP", sdp: func(p *sim.Phone) []byte {
			return []byte(strings.ReplaceAll(string(offer(p)), "RTP/AVP", "RTP/SAVP"))
		}, status: 488, reason: "bad_sdp"},
		{name: "truncated c=", sdp: func(p *sim.Phone) []byte {
			return []byte(strings.ReplaceAll(string(offer(p)), "c=IN IP4 127.0.0.1", "c=IN"))
		}, status: 488, reason: "bad_sdp"},
		{name: "audio and video", sdp: func(p *sim.Phone) []byte {
			return append(offer(p), "m=video 5004 RTP/AVP 96\r\n"...)
		}, status: 488, reason: "bad_sdp"},
		{name: "unknown number", cfg: func(c *Config) { c.DefaultScenario = "" }, caller: func(c *sim.Config) { c.To = "999" },
			status: 404, reason: "unknown_number"},
		{name: "unknown caller, no guests", cfg: func(c *Config) { c.AllowGuests = false }, caller: func(c *sim.Config) { c.From = "3333" },
			status: 403, reason: "unknown_caller"},
		{name: "source not allowed", cfg: func(c *Config) { c.AllowFrom = []string{"10.0.0.0/8"} },
			status: 403, reason: "forbidden_source"},
		{name: "wrong password", cfg: func(c *Config) { c.Username, c.Password = "pbx", "secret" },
			caller: func(c *sim.Config) { c.Username, c.Password = "pbx", "guess" }, status: 403, reason: "unauthorized"},
		{name: "no credentials", cfg: func(c *Config) { c.Username, c.Password = "pbx", "secret" }, status: 401},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := testConfig(t)
			if tc.cfg != nil {
				tc.cfg(&cfg)
			}
			srv := startServer(t, cfg, never(t))
			p := phone(t, srv, tc.caller)
			sdp := offer(p)
			if tc.sdp != nil {
				sdp = tc.sdp(p)
			}
			err := p.Call(t.Context(), sdp)
			if !errors.Is(err, sim.ErrRefused) || p.Status != tc.status {
				t.Fatalf("call: %v (status %d), want refused with %d", err, p.Status, tc.status)
			}
			waitIdle(t, srv)
			if n := srv.Refusals()[tc.reason]; tc.reason != "" && n != 1 {
				t.Errorf("refusals %v, want one %s", srv.Refusals(), tc.reason)
			}
		})
	}
}

// TestDigestAuth: a PBX answering the challenge with the right password gets its call.
func TestDigestAuth(t *testing.T) {
	cfg := testConfig(t)
	cfg.AllowFrom, cfg.Username, cfg.Password = nil, "pbx", "secret"
	ran := make(chan string, 1)
	srv := startServer(t, cfg, func(ctx context.Context, call *telephony.Call) error { ran <- call.Learner; return nil })
	p := phone(t, srv, func(c *sim.Config) { c.Username, c.Password = "pbx", "secret" })
	if err := p.Call(t.Context(), sim.OfferSDP(p.MediaAddr(), 0)); err != nil {
		t.Fatal(err)
	}
	if l := <-ran; l != "ada" {
		t.Errorf("learner %q", l)
	}
	<-p.Ended()
	waitIdle(t, srv)
}

// TestBusyAndDraining: past max_calls a caller hears 486 Busy Here; while the server drains,
// 503 with Retry-After; the live call is untouched by both.
func TestBusyAndDraining(t *testing.T) {
	cfg := testConfig(t)
	cfg.MaxCalls = 1
	release, started := make(chan struct{}), make(chan struct{}, 1)
	srv := startServer(t, cfg, func(ctx context.Context, call *telephony.Call) error {
		started <- struct{}{}
		select {
		case <-release:
			return nil
		case <-ctx.Done():
			return fmt.Errorf("live call ended: %w", context.Cause(ctx))
		}
	})
	first := phone(t, srv, nil)
	if err := first.Call(t.Context(), sim.OfferSDP(first.MediaAddr(), 0)); err != nil {
		t.Fatal(err)
	}
	<-started
	second := phone(t, srv, nil)
	if err := second.Call(t.Context(), sim.OfferSDP(second.MediaAddr(), 0)); !errors.Is(err, sim.ErrRefused) || second.Status != 486 {
		t.Fatalf("second call: %v (status %d), want 486", err, second.Status)
	}
	srv.Drain()
	third := phone(t, srv, nil)
	if err := third.Call(t.Context(), sim.OfferSDP(third.MediaAddr(), 0)); !errors.Is(err, sim.ErrRefused) || third.Status != 503 {
		t.Fatalf("call while draining: %v (status %d), want 503", err, third.Status)
	}
	if srv.Active() != 1 {
		t.Fatalf("active = %d, want the first call still live", srv.Active())
	}
	close(release)
	<-first.Ended()
	waitIdle(t, srv)
	if r := srv.Refusals(); r["busy"] != 1 || r["draining"] != 1 {
		t.Errorf("refusals = %v", r)
	}
}

// TestOptionsKeepalive: a PBX's qualify OPTIONS is answered 200 with what Spar accepts; from
// outside allow_from, 403.
func TestOptionsKeepalive(t *testing.T) {
	for _, tc := range []struct {
		allow  string
		status int
	}{{"127.0.0.1", 200}, {"10.0.0.0/8", 403}} {
		cfg := testConfig(t)
		cfg.AllowFrom = []string{tc.allow}
		_ = startServer(t, cfg, never(t))
		ua, err := sipgo.NewUA()
		if err != nil {
			t.Fatal(err)
		}
		client, err := sipgo.NewClient(ua)
		if err != nil {
			t.Fatal(err)
		}
		host, port, _ := net.SplitHostPort(cfg.Listen)
		p, _ := strconv.Atoi(port)
		res, err := client.Do(t.Context(), sip.NewRequest(sip.OPTIONS, sip.Uri{Scheme: "sip", Host: host, Port: p}))
		ua.Close()
		if err != nil || res.StatusCode != tc.status {
			t.Fatalf("allow_from %s: OPTIONS answered %v, %v; want %d", tc.allow, res, err, tc.status)
		}
		if tc.status == 200 && !strings.Contains(res.String(), "INVITE, ACK, BYE, CANCEL, OPTIONS") {
			t.Errorf("no Allow header in %s", res)
		}
	}
}
