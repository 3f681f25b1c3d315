package sim

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sparlab/spar/media"
)

// TestRunRecordAndOutput checks the heard and stereo WAV files and the live transcript,
// including the server's SSE timeline.
func TestRunRecordAndOutput(t *testing.T) {
	t.Parallel()
	fs := newFakeServer(t, testToken, func(c *fakeCall) {
		c.sendAudio(10)
		c.sendMark("greet")
		if c.waitUtteranceEnd(5) {
			c.sendAudio(5)
			c.sendMark("playing")
			c.sendAudio(20)
			if c.waitMark("playing") {
				c.sendClear()
			}
		}
	})
	fs.sse = ": hello\n\n" +
		"data: {\"kind\":\"persona.says\",\"at_ms\":200,\"speaker\":\"persona\",\"text\":\"You charged me twice!\"}\n\n" +
		"data: {\"kind\":\"learner.said\",\"at_ms\":1500,\"speaker\":\"learner\",\"text\":\"hi there\"}\n\n" +
		"data: {\"kind\":\"barge_in\",\"at_ms\":1600,\"speaker\":\"learner\"}\n\n" +
		"data: {\"kind\":\"speech.start\",\"at_ms\":1700}\n\n" +
		"data: {\"kind\":\"call.end\",\"at_ms\":3000,\"detail\":\"hangup\"}\n\n"
	dir := t.TempDir()
	var out bytes.Buffer
	cfg := testConfig(fs, Script{quick(Step{Say: "hi there"}), quick(Step{Hangup: true})})
	cfg.ReplyTimeout = 500 * time.Millisecond
	cfg.Record, cfg.RecordStereo = filepath.Join(dir, "heard.wav"), filepath.Join(dir, "stereo.wav")
	cfg.Out = &out
	cfg.EventsURL = func(id string) string { return fs.srv.URL + "/events/" + id }
	res, err := runCall(t, cfg)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	fs.finished(t)

	mono, stereo := readWAVFile(t, cfg.Record), readWAVFile(t, cfg.RecordStereo)
	if mono.Rate != 8000 || mono.Channels != 1 || !slices.Equal(mono.Samples, res.HeardAudio) {
		t.Errorf("heard.wav: %d Hz, %d ch, %d samples; want 8000 Hz mono equal to HeardAudio (%d)",
			mono.Rate, mono.Channels, len(mono.Samples), len(res.HeardAudio))
	}
	if stereo.Rate != 8000 || stereo.Channels != 2 || len(stereo.Samples) != 2*len(mono.Samples) {
		t.Fatalf("stereo.wav: %d Hz, %d ch, %d samples", stereo.Rate, stereo.Channels, len(stereo.Samples))
	}
	left, right := make([]int16, 0, len(mono.Samples)), make([]int16, 0, len(mono.Samples))
	for i := 0; i < len(stereo.Samples); i += 2 {
		left, right = append(left, stereo.Samples[i]), append(right, stereo.Samples[i+1])
	}
	if !slices.Equal(right, mono.Samples) {
		t.Error("stereo right channel differs from what was heard")
	}
	turn := res.LearnerTurns[0]
	at := func(d time.Duration) int { return media.Samples(media.Rate8k, d) }
	if media.LevelDBFS(left[at(turn.Start):at(turn.End)]) < -20 || media.LevelDBFS(left[:at(turn.Start)]) > -90 {
		t.Error("stereo left channel does not hold the caller's line where it was said")
	}

	lines := out.String()
	for _, want := range []string{"-> you: hi there", "<- persona speaking", "(persona interrupted: clear)",
		"persona: You charged me twice!", "learner: hi there", "[barge-in by learner]", "[call ended] hangup"} {
		if !strings.Contains(lines, want) {
			t.Errorf("live output lacks %q:\n%s", want, lines)
		}
	}
	if strings.Contains(lines, "speech.start") {
		t.Error("live output shows an event it should skip")
	}
}

func readWAVFile(t *testing.T, path string) media.WAV {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w, err := media.ReadWAV(f)
	if err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	return w
}

func TestReadSSE(t *testing.T) {
	in := ": comment\r\nevent: timeline\r\ndata: {\"kind\":\"persona.says\",\r\ndata: \"text\":\"one\"}\r\n\r\n" +
		"data: not json\n\n" +
		"id: 7\ndata:{\"kind\":\"call.end\",\"detail\":\"done\"}\n\n" +
		"data: {\"kind\":\"persona.says\",\"text\":\"after the end\"}\n\n"
	var got []string
	err := readSSE(bufio.NewReader(strings.NewReader(in)), func(e timelineEvent) bool {
		got = append(got, e.Kind+":"+e.Text+e.Detail)
		return e.Kind != "call.end"
	})
	if err != nil || !slices.Equal(got, []string{"persona.says:one", "call.end:done"}) {
		t.Errorf("readSSE = %v, %v", got, err)
	}
}

// TestRunEventsUnavailable: a failing SSE endpoint is reported but does not fail the call.
func TestRunEventsUnavailable(t *testing.T) {
	t.Parallel()
	fs := newFakeServer(t, testToken, nil)
	var out bytes.Buffer
	cfg := testConfig(fs, Script{quick(Step{Hangup: true})})
	cfg.Out = &out
	cfg.EventsURL = func(id string) string { return fs.srv.URL + "/events/nope" }
	if _, err := runCall(t, cfg); err != nil {
		t.Fatalf("Run: %v", err)
	}
	fs.finished(t)
	if !strings.Contains(out.String(), "live transcript unavailable") {
		t.Errorf("output:\n%s", out.String())
	}
}

// TestRunWAVStep plays a 16 kHz stereo WAV file as a script line.
func TestRunWAVStep(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "learner.wav")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w, err := media.NewWAVWriter(f, media.Rate16k, 2)
	if err != nil {
		t.Fatal(err)
	}
	tone := make([]int16, 2*media.Samples(media.Rate16k, 400*time.Millisecond))
	for i := range tone {
		tone[i] = int16(7000 * ((i/40)%2*2 - 1))
	}
	if err := w.Write(tone); err != nil || w.Close() != nil || f.Close() != nil {
		t.Fatal("write wav", err)
	}
	fs := newFakeServer(t, testToken, nil)
	cfg := testConfig(fs, Script{quick(Step{WAV: path}), quick(Step{Hangup: true})})
	cfg.ReplyTimeout = 200 * time.Millisecond // the fake persona never answers
	res, err := runCall(t, cfg)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	voiced := 0
	for _, m := range fs.finished(t).messages() {
		if m.Media != nil && frameVoiced(m) {
			voiced++
		}
	}
	// 400 ms of audio is 20 frames (plus the resampler's tail).
	if voiced < 20 || voiced > 22 || len(res.LearnerTurns) != 1 || res.LearnerTurns[0].Kind != "wav" {
		t.Errorf("voiced frames %d, turns %+v", voiced, res.LearnerTurns)
	}
}
