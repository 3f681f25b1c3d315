package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/sparlab/spar/dialog"
	"github.com/sparlab/spar/dialog/store"
	"github.com/sparlab/spar/dialog/store/storetest"
	"github.com/sparlab/spar/dialog/tts/flite"
	"github.com/sparlab/spar/media"
	"github.com/sparlab/spar/telephony/twilio/sim"
	"github.com/sparlab/spar/web/webtest"
)

const e2eToken = "e2e-auth-token"

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// TestMain removes the binary the end-to-end tests built, once they have all run.
func TestMain(m *testing.M) {
	code := m.Run()
	if binPath != "" {
		os.RemoveAll(filepath.Dir(binPath))
	}
	os.Exit(code)
}

// sparBinary builds the real spar binary once for the end-to-end tests.
func sparBinary(t *testing.T) string {
	t.Helper()
	if buildTags == "" {
		t.Skip("end-to-end tests need offline speech: run `make test` (go test -tags pocketsphinx)")
	}
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "spar-e2e-bin")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "spar")
		out, err := exec.Command("go", "build", "-tags", buildTags, "-o", binPath, ".").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// server is a running `spar serve` child process.
type server struct {
	t      *testing.T
	cmd    *exec.Cmd
	base   string
	log    *bytes.Buffer
	exited chan error
	reaped bool
}

type e2eEnv struct {
	bin, dir, config, redisURL, prefix, base, listen string
}

func newEnv(t *testing.T) e2eEnv {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	listen := ln.Addr().String()
	ln.Close()
	e := e2eEnv{bin: sparBinary(t), dir: t.TempDir(), redisURL: storetest.URL(t), prefix: storetest.Prefix(t),
		listen: listen, base: "http://" + listen}
	e.config = filepath.Join(e.dir, "spar.yaml")
	cfg := fmt.Sprintf("store:\n  prefix: %q\n  node: %q\ntwilio:\n  default_scenario: double-charge\nshutdown_grace: 5s\n",
		e.prefix, "e2e-"+filepath.Base(e.dir))
	if err := os.WriteFile(e.config, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return e
}

func (e e2eEnv) start(t *testing.T) *server {
	t.Helper()
	cmd := exec.Command(e.bin, "serve", "--config", e.config)
	// TMPDIR inside the test's directory: a server the test kills leaves its temporary files
	// (pocketsphinx's feature file) where the test removes them.
	cmd.Env = append(os.Environ(), "SPAR_LISTEN="+e.listen, "SPAR_PUBLIC_URL="+e.base,
		"SPAR_DATA_DIR="+filepath.Join(e.dir, "data"), "REDIS_URL="+e.redisURL, "TWILIO_AUTH_TOKEN="+e2eToken,
		"TMPDIR="+e.dir)
	s := &server{t: t, cmd: cmd, base: e.base, log: &bytes.Buffer{}, exited: make(chan error, 1)}
	cmd.Stdout, cmd.Stderr = syncWriter(s.log), syncWriter(s.log)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { s.exited <- cmd.Wait() }()
	t.Cleanup(func() {
		s.stop()
		if t.Failed() {
			t.Logf("spar serve output:\n%s", s.output())
		}
	})
	// Wait for the health check: the server loads the speech model and connects to Redis.
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get(e.base + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s
			}
		}
		select {
		case err := <-s.exited:
			s.reaped = true
			t.Fatalf("spar serve exited: %v\n%s", err, s.output())
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("spar serve not healthy after 60s\n%s", s.output())
		}
	}
}

var logMu sync.Mutex

type lockedWriter struct{ w io.Writer }

func (l lockedWriter) Write(p []byte) (int, error) {
	logMu.Lock()
	defer logMu.Unlock()
	return l.w.Write(p)
}

func syncWriter(w io.Writer) io.Writer { return lockedWriter{w} }

func (s *server) output() string {
	logMu.Lock()
	defer logMu.Unlock()
	return s.log.String()
}

func (s *server) stop() {
	if s.reaped {
		return
	}
	s.reaped = true
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.exited:
	case <-time.After(15 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.exited
	}
}

func (s *server) kill() {
	s.reaped = true
	_ = s.cmd.Process.Kill()
	<-s.exited
}

func openStore(t *testing.T, e e2eEnv) *store.Store {
	st, err := store.New(storetest.Client(t, e.redisURL), store.Config{Prefix: e.prefix, Node: "e2e-reader"}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// angryScript is a 3-turn learner script for the double-charge scenario; the second line
// barges into the persona's reply.
const angryScript = `
- say: "Thank you for calling Brightwave billing, my name is Sam. How can I help you today?"
- say: "I am so sorry, being charged twice is really frustrating. That is our mistake."
  barge: 2s
- say: "I have refunded the duplicate charge. The money will be back on your card in three to five days."
- hangup: true
`

func TestEndToEndPhoneCall(t *testing.T) {
	e := newEnv(t)
	srv := e.start(t)
	script, synth := angryCaller(t)
	var out bytes.Buffer
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	res, err := sim.Run(ctx, sim.Config{BaseURL: srv.base, AuthToken: e2eToken, Script: script, Out: &out,
		EventsURL: func(id string) string { return srv.base + "/api/calls/" + id + "/events" }},
		synth, slog.New(slog.DiscardHandler))
	t.Logf("caller output:\n%s", out.String())
	if err != nil {
		t.Fatal(err)
	}

	// The caller heard the greeting at once.
	if len(res.Heard) == 0 || res.Heard[0].Start > 3*time.Second {
		t.Fatalf("greeting not heard promptly: %+v", res.Heard)
	}
	// The scripted barge-in made the server clear Twilio's buffer.
	if res.Clears < 1 {
		t.Errorf("clears = %d, want the barge-in to send clear", res.Clears)
	}

	st := openStore(t, e)
	var rec *store.Record
	webtest.Poll(t, "the sealed call record", 30*time.Second, func() bool {
		rec, err = st.Get(t.Context(), res.CallID)
		return err == nil
	})
	if rec.Status != store.StatusSealed || rec.Scenario != "double-charge" || rec.Transport != "twilio" {
		t.Errorf("record = %+v", rec)
	}
	if rec.EndReason != "learner hung up" {
		t.Errorf("end reason = %q", rec.EndReason)
	}
	// The sealed duration matches the call the script placed.
	if d := rec.Duration - res.Duration; d < -1500*time.Millisecond || d > 1500*time.Millisecond {
		t.Errorf("record duration %v, caller's call %v", rec.Duration, res.Duration)
	}

	events, err := st.Timeline(t.Context(), res.CallID)
	if err != nil {
		t.Fatal(err)
	}
	count := map[dialog.EventKind]int{}
	for _, ev := range events {
		count[ev.Kind]++
	}
	// Each of the three learner turns was detected, and answered.
	if count[dialog.EventSpeechStop] < 3 {
		t.Errorf("speech.stop events = %d, want at least 3 (one per learner line): %v", count[dialog.EventSpeechStop], count)
	}
	if count[dialog.EventPersonaSays] < 4 {
		t.Errorf("persona.says events = %d, want a greeting and a reply per turn: %v", count[dialog.EventPersonaSays], count)
	}
	if count[dialog.EventBargeIn] < 1 {
		t.Errorf("no barge_in event: %v", count)
	}
	truncated := false
	for _, u := range rec.Transcript {
		truncated = truncated || (u.Speaker == dialog.SpeakerPersona && u.Truncated)
	}
	if !truncated {
		t.Errorf("no truncated persona line in the transcript: %+v", rec.Transcript)
	}

	// The recording has both sides, with speech on each.
	left, right := channelLevels(t, rec.Recording)
	if left < -45 || right < -45 {
		t.Errorf("recording levels: learner %.1f dBFS, persona %.1f dBFS; want speech on both", left, right)
	}
	// The recording is as long as the call, not padded with silence after it.
	if d := recordingLength(t, rec.Recording) - rec.Duration; d < -1500*time.Millisecond || d > 1500*time.Millisecond {
		t.Errorf("recording is %v longer than the call (%v)", d, rec.Duration)
	}

	// The server's scoring worker scores the sealed call; the API and `spar score` show it.
	var card struct {
		CallID   string            `json:"call_id"`
		Overall  int               `json:"overall"`
		Criteria []json.RawMessage `json:"criteria"`
	}
	pollScorecard(t, srv, res.CallID, &card)
	if card.CallID != res.CallID || card.Overall < 0 || card.Overall > 100 || len(card.Criteria) == 0 {
		t.Errorf("scorecard = %+v", card)
	}
	// /metrics counted the call, its turns and frames, and its wait to be scored.
	var metricsText string
	webtest.Poll(t, "the scoring lag on /metrics", 10*time.Second, func() bool {
		_, metricsText = httpGet(t, srv.base+"/metrics")
		return strings.Contains(metricsText, "spar_scoring_lag_seconds_count 1")
	})
	for _, want := range []string{
		`spar_calls_ended_total{reason="learner hung up",transport="twilio"} 1`,
		`spar_turn_stage_seconds_count{stage="voice_to_voice"}`,
		`spar_frames_in_total{transport="twilio"}`,
		`spar_frames_dropped_total{reason="late",transport="twilio"}`,
		`spar_scoring_queue_depth 0`,
	} {
		if !strings.Contains(metricsText, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}

	cmd := exec.Command(e.bin, "score", "--config", e.config, res.CallID)
	cmd.Env = append(os.Environ(), "REDIS_URL="+e.redisURL)
	out2, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out2), res.CallID) {
		t.Errorf("spar score: %v\n%s", err, out2)
	}
}

// TestEndToEndServerKilledMidCall (issue 12 item 9): a server killed with SIGKILL after a
// learner turn and the persona's second reply; the restart recovers the call as interrupted,
// with its timeline, its partial recording, and the transcript sealing would have produced
// from the same timeline: one line per persona reply, none of zero or negative length.
func TestEndToEndServerKilledMidCall(t *testing.T) {
	e := newEnv(t)
	srv := e.start(t)
	done := placeCall(t, srv)
	st := openStore(t, e)
	var id string
	webtest.Poll(t, "a learner turn and two persona replies on the live call", 60*time.Second, func() bool {
		live, _ := st.Live(t.Context())
		if len(live) == 0 {
			return false
		}
		id = live[0]
		events, _ := st.Timeline(t.Context(), id)
		spoke, heard := false, 0
		for _, ev := range events {
			switch ev.Kind {
			case dialog.EventSpeechStop:
				spoke = true
			case dialog.EventPersonaHeard:
				heard++
			}
		}
		return spoke && heard >= 2
	})
	srv.kill()
	if res := <-done; res == nil || !res.ServerClosed {
		t.Errorf("caller did not see the server go away: %+v", res)
	}
	before, err := st.Timeline(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}

	e.start(t) // the restart recovers the call
	var rec *store.Record
	webtest.Poll(t, "the interrupted record", 30*time.Second, func() bool {
		rec, err = st.Get(t.Context(), id)
		return err == nil
	})
	if rec.Status != store.StatusInterrupted {
		t.Errorf("status = %q, want interrupted", rec.Status)
	}
	after, err := st.Timeline(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	if len(after) < len(before) || len(before) == 0 {
		t.Errorf("timeline lost events: %d before the restart, %d after", len(before), len(after))
	}
	if len(rec.Transcript) == 0 {
		t.Errorf("interrupted record has no transcript")
	}
	if want := dialog.TranscriptOf(after); !reflect.DeepEqual(rec.Transcript, want) {
		t.Errorf("recovered transcript:\n got %+v\nwant %+v", rec.Transcript, want)
	}
	turns := map[string]bool{}
	for _, ev := range after {
		if ev.Kind == dialog.EventPersonaSays {
			turns[ev.Data[dialog.DataTurn]] = true
		}
	}
	persona := 0
	for _, u := range rec.Transcript {
		if u.End <= u.Start {
			t.Errorf("line %q lasts %v", u.Text, u.End-u.Start)
		}
		if u.Speaker == dialog.SpeakerPersona {
			persona++
		}
	}
	if persona == 0 || persona > len(turns) {
		t.Errorf("%d persona lines for %d persona turns: %+v", persona, len(turns), rec.Transcript)
	}
	left, right := channelLevels(t, rec.Recording)
	if left < -50 || right < -50 {
		t.Errorf("partial recording levels: learner %.1f, persona %.1f dBFS", left, right)
	}
}

func httpGet(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// pollScorecard waits for call id's scorecard on srv's API and decodes it into card.
func pollScorecard(t *testing.T, srv *server, id string, card any) {
	t.Helper()
	webtest.Poll(t, "the scorecard", 30*time.Second, func() bool {
		resp, err := http.Get(srv.base + "/api/calls/" + id + "/scorecard")
		if err != nil {
			return false
		}
		defer resp.Body.Close()
		return resp.StatusCode == http.StatusOK && json.NewDecoder(resp.Body).Decode(card) == nil
	})
}

// angryCaller is the angry-customer script and the voice that speaks it.
func angryCaller(t *testing.T) (sim.Script, *flite.Synth) {
	t.Helper()
	return caller(t, angryScript)
}

// caller parses a learner script (sim's YAML) and returns it with the voice that speaks it.
func caller(t *testing.T, src string) (sim.Script, *flite.Synth) {
	t.Helper()
	script, err := sim.ParseScript(strings.NewReader(src))
	if err != nil {
		t.Fatal(err)
	}
	synth, err := flite.New(flite.Config{})
	if err != nil {
		t.Fatal(err)
	}
	return script, synth
}

// placeCall runs the angry-customer script against srv in the background.
func placeCall(t *testing.T, srv *server) <-chan *sim.Result {
	t.Helper()
	script, synth := angryCaller(t)
	done := make(chan *sim.Result, 1)
	go func() {
		res, _ := sim.Run(t.Context(), sim.Config{BaseURL: srv.base, AuthToken: e2eToken, Script: script},
			synth, slog.New(slog.DiscardHandler))
		done <- res
	}()
	return done
}

// readRecording reads the WAV recording at path.
func readRecording(t *testing.T, path string) media.WAV {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("recording: %v", err)
	}
	defer f.Close()
	w, err := media.ReadWAV(f)
	if err != nil {
		t.Fatalf("recording: %v", err)
	}
	return w
}

// channelLevels reads a stereo recording and returns each channel's level in dBFS.
func channelLevels(t *testing.T, path string) (left, right float64) {
	t.Helper()
	w := readRecording(t, path)
	if w.Channels != 2 || len(w.Samples) < 2*w.Rate {
		t.Fatalf("recording has %d channels and %d samples", w.Channels, len(w.Samples))
	}
	var l, r []int16
	for i := 0; i+1 < len(w.Samples); i += 2 {
		l, r = append(l, w.Samples[i]), append(r, w.Samples[i+1])
	}
	return loudest(l, w.Rate), loudest(r, w.Rate)
}

// recordingLength is how long the stereo WAV at path plays.
func recordingLength(t *testing.T, path string) time.Duration {
	t.Helper()
	w := readRecording(t, path)
	return media.Duration(w.Rate, len(w.Samples)/w.Channels)
}

// loudest is the level of the loudest second: speech, not the silence around it.
func loudest(s []int16, rate int) float64 {
	best := math.Inf(-1)
	for i := 0; i+rate <= len(s); i += rate / 2 {
		best = max(best, media.LevelDBFS(s[i:i+rate]))
	}
	return best
}

func TestEndToEndDrainOnSIGTERM(t *testing.T) {
	e := newEnv(t) // shutdown_grace: 5s
	srv := e.start(t)
	done := placeCall(t, srv)
	st := openStore(t, e)
	id := firstLive(t, st, "the live call")
	if code, body := readyz(t, srv); code != http.StatusOK {
		t.Fatalf("/readyz before the drain: %d %s", code, body)
	}
	if err := srv.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	// A new call during the drain is turned away politely.
	form := url.Values{"CallSid": {"CA00000000000000000000000000000001"}, "From": {"+15550000001"}, "To": {"+15550000002"}}
	var body string
	webtest.Poll(t, "the draining answer", 10*time.Second, func() bool {
		req, _ := http.NewRequest(http.MethodPost, srv.base+"/twilio/voice", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Twilio-Signature", sim.Sign(e2eToken, srv.base+"/twilio/voice", form))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return false
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		body = string(b)
		return strings.Contains(body, "<Hangup")
	})
	if !strings.Contains(body, "<Say") || strings.Contains(body, "<Connect") {
		t.Errorf("draining answer = %s", body)
	}
	// The node says it is not ready (set before the transports refuse callers), so a load
	// balancer routes new calls elsewhere while this one finishes.
	if code, body := readyz(t, srv); code != http.StatusServiceUnavailable || !strings.Contains(body, "draining") {
		t.Errorf("/readyz while draining: %d %s, want 503 draining", code, body)
	}
	// The live call runs until the grace period ends, then is ended and sealed; then spar exits.
	srv.waitDrained(t)
	if res := <-done; res == nil || !res.ServerClosed {
		t.Errorf("caller result = %+v", res)
	}
	rec, err := st.Get(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	if rec.Status != store.StatusSealed || rec.EndReason != errShuttingDown.Error() {
		t.Errorf("record status %q, end reason %q", rec.Status, rec.EndReason)
	}
	if rec.Duration < 4*time.Second {
		t.Errorf("call lasted %v: it should have run through the 5 s grace period", rec.Duration)
	}
}

// readyz GETs the server's /readyz and returns the status and body.
func readyz(t *testing.T, srv *server) (int, string) {
	t.Helper()
	resp, err := http.Get(srv.base + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// waitDrained waits for a server told to stop (SIGTERM) to exit once its grace period ends,
// and fails the test if it exits with an error or not at all.
func (srv *server) waitDrained(t *testing.T) {
	t.Helper()
	select {
	case err := <-srv.exited:
		srv.reaped = true
		if err != nil {
			t.Errorf("spar serve exited with %v", err)
		}
	case <-time.After(40 * time.Second):
		t.Fatal("spar serve did not exit after the grace period")
	}
}

// firstLive waits for a call to be live in st and returns its ID.
func firstLive(t *testing.T, st *store.Store, what string) string {
	t.Helper()
	var id string
	webtest.Poll(t, what, 60*time.Second, func() bool {
		if live, _ := st.Live(t.Context()); len(live) > 0 {
			id = live[0]
		}
		return id != ""
	})
	return id
}
