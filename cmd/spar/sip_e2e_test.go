package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/zaf/g711"

	"github.com/sparlab/spar/dialog/store"
	"github.com/sparlab/spar/media"
	sipsim "github.com/sparlab/spar/telephony/sip/sim"
	"github.com/sparlab/spar/web/webtest"
)

// sipEnv is an e2e environment whose server also listens for SIP on a free loopback port,
// trusting 127.0.0.1 as its PBX. Callers are guests, whose calls the API shows without a session.
func sipEnv(t *testing.T) (e2eEnv, string) {
	t.Helper()
	e := newEnv(t)
	addr := freeSIPAddr(t)
	f, err := os.OpenFile(e.config, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(f, "sip:\n  listen: %q\n  allow_from: [\"127.0.0.1\"]\n  numbers: {\"100\": double-charge}\n", addr)
	f.Close()
	return e, addr
}

// freeSIPAddr is a 127.0.0.1 port free for both UDP and TCP.
func freeSIPAddr(t *testing.T) string {
	t.Helper()
	for range 20 {
		u, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := u.LocalAddr().String()
		l, err := net.Listen("tcp", addr)
		u.Close()
		if err == nil {
			l.Close()
			return addr
		}
	}
	t.Fatal("no free port for SIP")
	return ""
}

// TestEndToEndSIPCall: a PBX extension calls the real server over SIP (UDP, mu-law) and
// speaks the angry-customer script; the persona answers over RTP, and the call is recorded,
// sealed and scored exactly as a Twilio call is.
func TestEndToEndSIPCall(t *testing.T) {
	e, addr := sipEnv(t)
	srv := e.start(t)
	script, synth := angryCaller(t)
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	var out strings.Builder
	res, err := sipsim.Run(ctx, sipsim.Config{Target: addr, To: "100", From: "2001", Script: script,
		Print: func(f string, a ...any) { fmt.Fprintf(&out, f+"\n", a...) }}, synth, slog.New(slog.DiscardHandler))
	t.Logf("caller output:\n%s", out.String())
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Heard) == 0 || res.Heard[0].Start > 3*time.Second {
		t.Fatalf("greeting not heard promptly: %+v", res.Heard)
	}
	if len(res.Heard) < 3 {
		t.Errorf("persona spoke %d times, want a greeting and replies", len(res.Heard))
	}
	st := openStore(t, e)
	var rec *store.Record
	webtest.Poll(t, "the sealed call record", 30*time.Second, func() bool {
		rec, err = st.Get(t.Context(), res.CallID)
		return err == nil && rec.Status == store.StatusSealed
	})
	if rec.Transport != "sip" || rec.Scenario != "double-charge" || rec.Learner != "guest:2001" || rec.EndReason != "learner hung up" {
		t.Errorf("record = transport %q scenario %q learner %q end %q", rec.Transport, rec.Scenario, rec.Learner, rec.EndReason)
	}
	left, right := channelLevels(t, rec.Recording)
	if left < -45 || right < -45 {
		t.Errorf("recording levels: learner %.1f dBFS, persona %.1f dBFS; want speech on both", left, right)
	}
	var card struct {
		CallID   string            `json:"call_id"`
		Criteria []json.RawMessage `json:"criteria"`
	}
	pollScorecard(t, srv, res.CallID, &card)
	if card.CallID != res.CallID || len(card.Criteria) == 0 {
		t.Errorf("scorecard = %+v", card)
	}
	// `spar call --sip` places the same kind of call from the command line.
	scriptFile := filepath.Join(e.dir, "short.yaml")
	if err := os.WriteFile(scriptFile, []byte("- wait: 1s\n- hangup: true\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cli, err := exec.CommandContext(ctx, e.bin, "call", "--sip", addr, "--sip-transport", "tcp", "--codec", "PCMA",
		"--to", "100", "--from", "2002", "--script", scriptFile, "--quiet").CombinedOutput()
	if err != nil || !strings.Contains(string(cli), "(sip/tcp, PCMA)") || !strings.Contains(string(cli), "you hung up") {
		t.Errorf("spar call --sip: %v\n%s", err, cli)
	}
	_, metricsText := httpGet(t, srv.base+"/metrics")
	if !strings.Contains(metricsText, `spar_calls_ended_total{reason="learner hung up",transport="sip"}`) {
		t.Errorf("/metrics does not count the SIP call")
	}
}

// TestEndToEndSipp: Debian's sipp, an independent SIP implementation, calls the real server
// as a PBX extension (UDP, A-law), plays a recorded caller from a pcap over RTP, waits while
// the persona answers and hangs up with BYE; sipp checks every response it expects (200
// with an A-law answer, 200 to the BYE) and the sealed record has both voices.
func TestEndToEndSipp(t *testing.T) {
	sipp, err := exec.LookPath("sipp")
	if err != nil {
		t.Fatal("sipp is not installed: `make test` installs it (Debian package sip-tester)")
	}
	e, addr := sipEnv(t)
	srv := e.start(t)
	_, localPort, _ := net.SplitHostPort(freeSIPAddr(t))
	_, mediaPort, _ := net.SplitHostPort(freeSIPAddr(t))
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	// The persona's RTP comes here (sipp offers this port): count the loud A-law packets.
	persona, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer persona.Close()
	heard := make(chan [2]int, 1)
	go func() {
		buf, packets, loud := make([]byte, 1500), 0, 0
		defer func() { heard <- [2]int{packets, loud} }()
		for {
			n, err := persona.Read(buf)
			if err != nil {
				return
			}
			if n < 12+160 || buf[1]&0x7f != 8 {
				continue
			}
			packets++
			pcm := make([]int16, 160)
			for i, b := range buf[12 : 12+160] {
				pcm[i] = g711.DecodeAlawFrame(b)
			}
			if media.LevelDBFS(pcm) > -40 {
				loud++
			}
		}
	}()
	cmd := exec.CommandContext(ctx, sipp, addr, "-sf", filepath.Join("testdata", "sipp", "uac-pcap.xml"),
		"-set", "persona_port", strconv.Itoa(persona.LocalAddr().(*net.UDPAddr).Port),
		"-s", "100", "-m", "1", "-l", "1", "-i", "127.0.0.1", "-mi", "127.0.0.1", "-p", localPort, "-mp", mediaPort,
		"-t", "u1", "-nostdin", "-timeout", "60s", "-timeout_error", "-trace_err", "-error_file", filepath.Join(dir, "errors.log"))
	cmd.Dir = "."
	out, err := cmd.CombinedOutput()
	if err != nil {
		errs, _ := os.ReadFile(filepath.Join(dir, "errors.log"))
		t.Fatalf("sipp: %v\n%s\nunexpected messages:\n%s", err, lastLines(string(out), 40), errs)
	}
	st := openStore(t, e)
	var rec *store.Record
	webtest.Poll(t, "the sealed SIP call", 30*time.Second, func() bool {
		recs, err := st.List(t.Context(), store.Query{Learner: "guest:2001"})
		if err != nil || len(recs) == 0 {
			return false
		}
		rec = recs[0]
		return true
	})
	if rec.Transport != "sip" || rec.EndReason != "learner hung up" || rec.Duration < 10*time.Second {
		t.Errorf("record = transport %q end %q duration %v", rec.Transport, rec.EndReason, rec.Duration)
	}
	left, right := channelLevels(t, rec.Recording)
	if left < -45 || right < -45 {
		t.Errorf("recording levels: caller %.1f dBFS, persona %.1f dBFS; want sipp's audio and the persona's", left, right)
	}
	if !strings.Contains(srv.output(), "codec=PCMA") {
		t.Errorf("the server did not log an A-law call")
	}
	persona.Close()
	got := <-heard
	t.Logf("persona RTP at the port sipp offered: %d A-law packets, %d loud", got[0], got[1])
	if got[1] < 25 { // the greeting alone is seconds of speech
		t.Errorf("the persona's RTP to sipp's offer: %d A-law packets, %d loud; want its speech", got[0], got[1])
	}
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// TestEndToEndSIPDrainOnSIGTERM: during a SIGTERM drain a new INVITE gets 503 while the live
// SIP call goes on; at the end of the grace period Spar sends it BYE and seals it.
func TestEndToEndSIPDrainOnSIGTERM(t *testing.T) {
	e, addr := sipEnv(t) // shutdown_grace: 5s
	srv := e.start(t)
	script, synth := angryCaller(t)
	done := make(chan *sipsim.Result, 1)
	go func() {
		res, _ := sipsim.Run(t.Context(), sipsim.Config{Target: addr, To: "100", Script: script}, synth, slog.New(slog.DiscardHandler))
		done <- res
	}()
	st := openStore(t, e)
	id := firstLive(t, st, "the live SIP call")
	if err := srv.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	webtest.Poll(t, "503 to a new INVITE", 10*time.Second, func() bool {
		p, err := sipsim.Dial(t.Context(), sipsim.Config{Target: addr, To: "100"}, nil)
		if err != nil {
			return false
		}
		defer p.Close()
		err = p.Call(t.Context(), sipsim.OfferSDP(p.MediaAddr(), 0))
		if err == nil {
			p.Hangup()
		}
		return p.Status == 503
	})
	srv.waitDrained(t)
	if res := <-done; res == nil || !res.ServerClosed {
		t.Errorf("caller result = %+v, want Spar to have hung up", res)
	}
	rec, err := st.Get(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	if rec.Status != store.StatusSealed || rec.EndReason != errShuttingDown.Error() || rec.Transport != "sip" {
		t.Errorf("record status %q, end reason %q, transport %q", rec.Status, rec.EndReason, rec.Transport)
	}
}
