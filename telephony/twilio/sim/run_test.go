package sim

import (
	"context"
	"encoding/base64"
	"errors"
	"log/slog"
	"maps"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sparlab/spar/telephony/twilio"
)

const testToken = "0123456789abcdef0123456789abcdef"

// quick shortens a step's waits so calls in tests last about a second.
func quick(s Step) Step {
	s.Gap, s.Pause = 100*time.Millisecond, 60*time.Millisecond
	return s
}

func testConfig(fs *fakeServer, sc Script) Config {
	return Config{
		BaseURL: fs.srv.URL, AuthToken: fs.token, From: "+14155550100", To: "+18005550199",
		Script: sc, GreetTimeout: 40 * time.Millisecond, ReplyTimeout: 3 * time.Second,
	}
}

func runCall(t *testing.T, cfg Config) (*Result, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	return Run(ctx, cfg, toneSynth{perChar: 20 * time.Millisecond}, slog.New(slog.DiscardHandler))
}

var (
	callSidRE   = regexp.MustCompile(`^CA[0-9a-f]{32}$`)
	accountRE   = regexp.MustCompile(`^AC[0-9a-f]{32}$`)
	streamSidRE = regexp.MustCompile(`^MZ[0-9a-f]{32}$`)
)

// TestRunStream checks a whole call against the wire format: the signed webhook, the signed
// upgrade, connected and start first, paced media with consecutive numbering, marks echoed
// only after their audio played, and stop last.
func TestRunStream(t *testing.T) {
	t.Parallel()
	fs := newFakeServer(t, testToken, func(c *fakeCall) {
		c.sendAudio(10) // a 200 ms greeting
		c.sendMark("greet")
		if !c.waitUtteranceEnd(5) {
			return
		}
		c.sendAudio(10)
		c.sendMark("reply")
	})
	sc := Script{quick(Step{Say: "hi there"}), quick(Step{Hangup: true})}
	res, err := runCall(t, testConfig(fs, sc))
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	c := fs.finished(t)
	log := c.messages()

	// Webhook.
	if len(fs.hooks) != 1 {
		t.Fatalf("webhook hits = %d, want 1", len(fs.hooks))
	}
	h := fs.hooks[0]
	if !h.valid || h.sig != h.ourSig {
		t.Errorf("webhook signature %q not accepted by twilio-go (Sign gives %q)", h.sig, h.ourSig)
	}
	want := map[string]string{"From": "+14155550100", "To": "+18005550199", "Caller": "+14155550100",
		"Called": "+18005550199", "CallStatus": "ringing", "Direction": "inbound", "ApiVersion": "2010-04-01"}
	for k, v := range want {
		if got := h.form.Get(k); got != v {
			t.Errorf("webhook %s = %q, want %q", k, got, v)
		}
	}
	if !callSidRE.MatchString(h.form.Get("CallSid")) || !accountRE.MatchString(h.form.Get("AccountSid")) {
		t.Errorf("webhook sids %q %q", h.form.Get("CallSid"), h.form.Get("AccountSid"))
	}
	if len(fs.upgrades) != 1 || !fs.upgrades[0] {
		t.Errorf("upgrade signatures valid = %v, want [true]", fs.upgrades)
	}

	// connected, then start with the TwiML parameters.
	if len(log) < 3 || log[0].Event != twilio.EventConnected || log[0].Protocol != "Call" || log[0].Version != "1.0.0" {
		t.Fatalf("first message = %+v, want connected", log[0])
	}
	st := log[1]
	if st.Event != twilio.EventStart || st.Start == nil || st.SequenceNumber != "1" {
		t.Fatalf("second message = %+v, want start #1", st)
	}
	wantParams := map[string]string{"scenario": "angry-double-charge", "call": "call-42"}
	if !streamSidRE.MatchString(st.StreamSid) || st.Start.StreamSid != st.StreamSid ||
		st.Start.CallSid != h.form.Get("CallSid") || st.Start.AccountSid != h.form.Get("AccountSid") ||
		len(st.Start.Tracks) != 1 || st.Start.Tracks[0] != "inbound" ||
		st.Start.MediaFormat != (twilio.MediaFormat{Encoding: "audio/x-mulaw", SampleRate: 8000, Channels: 1}) ||
		!maps.Equal(st.Start.CustomParameters, wantParams) {
		t.Errorf("start = %+v", st.Start)
	}

	// Numbering and media structure.
	media := 0
	for i, m := range log[1:] {
		if m.SequenceNumber != strconv.Itoa(i+1) {
			t.Fatalf("message %d (%s) sequenceNumber %q, want %d", i+1, m.Event, m.SequenceNumber, i+1)
		}
		if m.StreamSid != st.StreamSid {
			t.Fatalf("message %d streamSid %q", i+1, m.StreamSid)
		}
		if m.Event != twilio.EventMedia {
			continue
		}
		media++
		p, err := base64.StdEncoding.DecodeString(m.Media.Payload)
		if err != nil || len(p) != 160 || m.Media.Track != "inbound" ||
			m.Media.Chunk != strconv.Itoa(media) || m.Media.Timestamp != strconv.Itoa(20*(media-1)) {
			t.Fatalf("media %d = %+v (payload %d bytes, %v)", media, m.Media, len(p), err)
		}
	}
	last := log[len(log)-1]
	if last.Event != twilio.EventStop || last.Stop == nil || last.Stop.CallSid != st.Start.CallSid || last.Stop.AccountSid != st.Start.AccountSid {
		t.Errorf("last message = %+v, want stop", last)
	}

	// A mark comes back only after the audio queued before it played: 10 frames.
	for _, name := range []string{"greet", "reply"} {
		echo := index(log, isMark(name))
		if echo < 0 {
			t.Fatalf("mark %q not echoed", name)
		}
		if n := countMedia(log, c.sentAt["mark:"+name], echo); n < 10 {
			t.Errorf("mark %q echoed after %d caller frames, want >= 10 (its audio lasts 10)", name, n)
		}
	}

	// The result agrees with the wire.
	if res.FramesSent != media || res.FramesReceived != 20 || res.Marks != 2 || res.Clears != 0 || res.Malformed != 0 || res.ServerClosed {
		t.Errorf("result counts = %+v", res)
	}
	if res.CallID != "call-42" || res.CallSid != st.Start.CallSid || !maps.Equal(res.Params, wantParams) {
		t.Errorf("result ids = %q %q %v", res.CallID, res.CallSid, res.Params)
	}
	if len(res.Heard) != 2 || len(res.LearnerTurns) != 1 || res.LearnerTurns[0].Kind != "say" {
		t.Errorf("heard %+v, turns %+v", res.Heard, res.LearnerTurns)
	}
	if len(res.HeardAudio) != media*160 || res.Duration != time.Duration(media)*20*time.Millisecond {
		t.Errorf("heard audio %d samples, duration %s for %d frames", len(res.HeardAudio), res.Duration, media)
	}
	// The learner spoke after the greeting ended, and the reply came after the learner.
	if turn := res.LearnerTurns[0]; turn.Start < res.Heard[0].End || turn.Barged || res.Heard[1].Start < turn.End {
		t.Errorf("turn %+v against heard %+v", turn, res.Heard)
	}
}

// TestRunClear checks Twilio's clear: queued audio is dropped and every pending mark comes
// back at once, before any further caller frame.
func TestRunClear(t *testing.T) {
	t.Parallel()
	fs := newFakeServer(t, testToken, func(c *fakeCall) {
		for i := range 10 { // 2 s of audio, a mark after each 200 ms
			c.sendAudio(10)
			c.sendMark("c" + strconv.Itoa(i+1))
		}
		if !c.waitMark("c1") {
			return
		}
		c.sendClear()
		if c.waitMark("c10") {
			c.hangup()
		}
	})
	sc := Script{{Hangup: true, Gap: 10 * time.Second}}
	res, err := runCall(t, testConfig(fs, sc))
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	c := fs.finished(t)
	log := c.messages()
	// Marks come back in order, once each; the ones pending at the clear come back together,
	// with no caller frame between them (played marks are 10 frames apart).
	var marks []string
	for _, m := range log {
		if m.Event == twilio.EventMark {
			marks = append(marks, m.Mark.Name)
		}
	}
	if strings.Join(marks, " ") != "c1 c2 c3 c4 c5 c6 c7 c8 c9 c10" {
		t.Fatalf("marks echoed = %v", marks)
	}
	last := index(log, isMark("c10"))
	first := last
	for first > 0 && log[first-1].Event == twilio.EventMark {
		first--
	}
	if last-first+1 < 2 {
		t.Errorf("only %d mark(s) echoed together at the end: clear did not flush pending marks", last-first+1)
	}
	// Without the clear, c10 would need 90 more frames of playing.
	if n := countMedia(log, c.sentAt["clear"], last); n >= 90 {
		t.Errorf("pending marks echoed after %d frames: clear did not drop the audio", n)
	}
	if res.Clears != 1 || res.Marks != 10 || !res.ServerClosed || len(res.Heard) != 1 || !res.Heard[0].Cleared {
		t.Errorf("result = clears %d marks %d closed %v heard %+v", res.Clears, res.Marks, res.ServerClosed, res.Heard)
	}
	if stop := index(log, func(m twilio.Message) bool { return m.Event == twilio.EventStop }); stop >= 0 {
		t.Errorf("caller sent stop after the server hung up")
	}
}

// TestRunBarge checks that a barge step talks over the persona's reply, and that the server's
// clear cuts the reply.
func TestRunBarge(t *testing.T) {
	t.Parallel()
	barged := make(chan bool, 1)
	fs := newFakeServer(t, testToken, func(c *fakeCall) {
		if !c.waitUtteranceEnd(5) {
			return
		}
		for i := range 15 { // 1.5 s reply
			c.sendAudio(5)
			c.sendMark("r" + strconv.Itoa(i))
		}
		// Learner speech while marks are pending is a barge-in: clear.
		pending := 15
		run := 0
		ok := c.until(func(m twilio.Message) bool {
			switch {
			case m.Event == twilio.EventMark:
				pending--
			case m.Event == twilio.EventMedia && frameVoiced(m):
				run++
			case m.Event == twilio.EventMedia:
				run = 0
			}
			return pending == 0 || run >= 3
		})
		barged <- ok && pending > 0
		c.sendClear()
		if c.waitUtteranceEnd(5) {
			c.sendAudio(10)
		}
	})
	sc := Script{
		quick(Step{Say: "hello there"}),
		quick(Step{Say: "sorry about that", Barge: 300 * time.Millisecond}),
		quick(Step{Hangup: true}),
	}
	res, err := runCall(t, testConfig(fs, sc))
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	fs.finished(t)
	if !<-barged {
		t.Error("server never heard the learner over its reply")
	}
	if len(res.LearnerTurns) != 2 || len(res.Heard) != 2 {
		t.Fatalf("turns %+v heard %+v", res.LearnerTurns, res.Heard)
	}
	turn, reply := res.LearnerTurns[1], res.Heard[0]
	if !turn.Barged || turn.Start != reply.Start+300*time.Millisecond || turn.Start >= reply.End {
		t.Errorf("barge turn %+v against reply %+v: want start 300ms into it", turn, reply)
	}
	if !reply.Cleared || res.Clears != 1 || res.Heard[1].Cleared {
		t.Errorf("heard %+v clears %d", res.Heard, res.Clears)
	}
}

func TestRunAnswers(t *testing.T) {
	t.Parallel()
	menu := `<Response><Gather action="/twilio/menu" numDigits="1"><Say>Press 1 for billing.</Say></Gather>` +
		`<Say>We did not get that.</Say><Hangup/></Response>`
	tests := []struct {
		name       string
		voice      string
		digits     string
		menu       bool
		wantErr    error
		wantRefuse string
		wantHooks  []string
	}{
		{name: "refused", voice: `<Response><Say>Sorry, no scenario for this number.</Say><Hangup/></Response>`,
			wantErr: ErrRefused, wantRefuse: "Sorry, no scenario for this number.", wantHooks: []string{"/twilio/voice"}},
		{name: "reject", voice: `<Response><Reject/></Response>`, wantErr: ErrRefused, wantHooks: []string{"/twilio/voice"}},
		{name: "gather", voice: menu, digits: "1", menu: true, wantHooks: []string{"/twilio/voice", "/twilio/menu"}},
		{name: "gather without digits", voice: menu, wantErr: ErrRefused,
			wantRefuse: "Press 1 for billing. We did not get that.", wantHooks: []string{"/twilio/voice"}},
		{name: "not TwiML", voice: `hello`, wantErr: ErrWebhook, wantHooks: []string{"/twilio/voice"}},
		{name: "https stream", voice: `<Response><Connect><Stream url="https://x/twilio/media"/></Connect></Response>`,
			wantErr: ErrWebhook, wantHooks: []string{"/twilio/voice"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fs := newFakeServer(t, testToken, nil)
			if tt.menu {
				fs.twiml["/twilio/menu"] = fs.twiml["/twilio/voice"]
			}
			fs.twiml["/twilio/voice"] = tt.voice
			cfg := testConfig(fs, Script{quick(Step{Hangup: true})})
			cfg.Digits = tt.digits
			res, err := runCall(t, cfg)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Run error = %v, want %v", err, tt.wantErr)
			}
			if res.Refused != tt.wantRefuse {
				t.Errorf("Refused = %q, want %q", res.Refused, tt.wantRefuse)
			}
			if len(fs.hooks) != len(tt.wantHooks) {
				t.Fatalf("hooks = %+v, want %v", fs.hooks, tt.wantHooks)
			}
			for i, h := range fs.hooks {
				if h.path != tt.wantHooks[i] || !h.valid {
					t.Errorf("hook %d = %s valid %v, want %s signed", i, h.path, h.valid, tt.wantHooks[i])
				}
			}
			if tt.menu {
				if d := fs.hooks[1].form.Get("Digits"); d != "1" || fs.hooks[1].form.Get("CallSid") != fs.hooks[0].form.Get("CallSid") {
					t.Errorf("gather action got Digits %q", d)
				}
				if c := fs.finished(t); len(c.messages()) < 3 {
					t.Error("no stream after the menu")
				}
			}
		})
	}
}

// TestRunUnsigned checks that an empty auth token sends no signatures.
func TestRunUnsigned(t *testing.T) {
	t.Parallel()
	fs := newFakeServer(t, "", nil)
	fs.twiml["/twilio/voice"] = `<Response><Say>closed</Say></Response>`
	cfg := testConfig(fs, nil)
	if _, err := runCall(t, cfg); !errors.Is(err, ErrRefused) {
		t.Fatalf("Run error = %v", err)
	}
	if fs.hooks[0].sig != "" {
		t.Errorf("unsigned call sent X-Twilio-Signature %q", fs.hooks[0].sig)
	}
}

func TestRunDTMF(t *testing.T) {
	t.Parallel()
	fs := newFakeServer(t, testToken, nil)
	res, err := runCall(t, testConfig(fs, Script{quick(Step{DTMF: "12#"}), quick(Step{Hangup: true})}))
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	var digits []string
	for _, m := range fs.finished(t).messages() {
		if m.Event == twilio.EventDTMF {
			if m.DTMF.Track != "inbound_track" || m.SequenceNumber == "" {
				t.Errorf("dtmf = %+v", m)
			}
			digits = append(digits, m.DTMF.Digit)
		}
	}
	if strings.Join(digits, "") != "12#" || len(res.LearnerTurns) != 1 || res.LearnerTurns[0].Kind != "dtmf" {
		t.Errorf("digits %v turns %+v", digits, res.LearnerTurns)
	}
}

// TestRunServerHangup: the server closing the socket is the persona hanging up.
func TestRunServerHangup(t *testing.T) {
	t.Parallel()
	fs := newFakeServer(t, testToken, func(c *fakeCall) {
		c.sendAudio(5)
		c.sendMark("bye")
		if c.waitMark("bye") {
			c.hangup()
		}
	})
	res, err := runCall(t, testConfig(fs, Script{{Wait: 30 * time.Second}}))
	if err != nil || !res.ServerClosed {
		t.Fatalf("Run = %v, ServerClosed %v", err, res.ServerClosed)
	}
	if res.Duration >= 30*time.Second {
		t.Errorf("caller kept the call %s after the hang-up", res.Duration)
	}
}

// TestRunCancel: cancelling the context hangs up with stop and returns the cause.
func TestRunCancel(t *testing.T) {
	t.Parallel()
	stopped := make(chan struct{})
	cause := errors.New("user pressed ctrl-c")
	ctx, cancel := context.WithCancelCause(t.Context())
	fs := newFakeServer(t, testToken, func(c *fakeCall) {
		c.until(func(m twilio.Message) bool { return m.Event == twilio.EventMedia })
		cancel(cause)
		if c.until(func(m twilio.Message) bool { return m.Event == twilio.EventStop }) {
			close(stopped)
		}
	})
	res, err := Run(ctx, testConfig(fs, Script{{Wait: time.Minute}}), nil, nil)
	if !errors.Is(err, cause) || res == nil {
		t.Fatalf("Run error = %v, want %v", err, cause)
	}
	fs.finished(t)
	select {
	case <-stopped:
	default:
		t.Error("server got no stop")
	}
}
