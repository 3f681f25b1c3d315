package metrics

import (
	"io"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/sparlab/spar/dialog"
)

// TestScrapeAfterCall runs a fake call's events through CallTimeline, plus adapter hooks,
// and scrapes /metrics: the call, its turns' stages, faults and provider errors are counted.
func TestScrapeAfterCall(t *testing.T) {
	reg := prometheus.NewRegistry()
	m, err := New(reg)
	if err != nil {
		t.Fatal(err)
	}
	var passed []dialog.EventKind
	tl := m.CallTimeline(dialog.TimelineFunc(func(e dialog.Event) { passed = append(passed, e.Kind) }))
	turn := map[string]string{"endpoint_ms": "700", "stt_ms": "120", "persona_ms": "310", "tts_ms": "90", "playout_ms": "20", "total_ms": "1300"}
	// A reply held for a learner whose line trailed off: the hold is not Spar's overhead.
	held := map[string]string{"endpoint_ms": "350", "stt_ms": "30", "persona_ms": "0", "tts_ms": "20", "hold_ms": "650", "playout_ms": "0", "total_ms": "1050"}
	events := []dialog.Event{
		{Kind: dialog.EventCallStart, Detail: "twilio"},
		{Kind: dialog.EventLatency, Data: turn},
		{Kind: dialog.EventLearnerSaid, Text: "hello"},
		{Kind: dialog.EventFault, Detail: "tts: openai tts: http 503"},
		{Kind: dialog.EventLatency, Data: turn},
		{Kind: dialog.EventLatency, Data: held},
	}
	for _, e := range events {
		tl.Append(e)
	}
	mid := scrape(t, reg)
	want(t, mid, `spar_calls_active{transport="twilio"} 1`)

	tl.Append(dialog.Event{Kind: dialog.EventCallEnd, Detail: "caller hung up: mood at maximum"})
	m.StageFunc(StageLLMFirstToken)(250 * time.Millisecond)
	m.ProviderErrorFunc("openai")("timeout")
	m.Frames("twilio", 500, 400)
	m.FramesDropped("twilio", "late", 3)
	m.ScoringQueue(4)
	m.ScoringLag(12 * time.Second)
	if len(passed) != len(events)+1 {
		t.Errorf("%d events passed on, want %d", len(passed), len(events)+1)
	}

	out := scrape(t, reg)
	for _, line := range []string{
		`spar_calls_active{transport="twilio"} 0`,
		`spar_calls_ended_total{reason="caller hung up",transport="twilio"} 1`,
		`spar_turn_stage_seconds_count{stage="voice_to_voice"} 3`,
		`spar_turn_stage_seconds_bucket{stage="voice_to_voice",le="1"} 0`,
		`spar_turn_stage_seconds_bucket{stage="voice_to_voice",le="1.5"} 3`,
		`spar_turn_stage_seconds_count{stage="stt_final"} 3`,
		`spar_turn_stage_seconds_count{stage="hold"} 1`,
		`spar_turn_stage_seconds_bucket{stage="overhead",le="0.1"} 3`, // 1300-700-120-310-90 = 80 ms; 1050-350-30-20-650 = 0
		`spar_turn_stage_seconds_count{stage="llm_first_token"} 1`,
		`spar_call_faults_total{stage="tts"} 1`,
		`spar_provider_errors_total{kind="timeout",provider="openai"} 1`,
		`spar_frames_in_total{transport="twilio"} 500`,
		`spar_frames_out_total{transport="twilio"} 400`,
		`spar_frames_dropped_total{reason="late",transport="twilio"} 3`,
		`spar_scoring_queue_depth 4`,
		`spar_scoring_lag_seconds_count 1`,
	} {
		want(t, out, line)
	}
}

func scrape(t *testing.T, reg *prometheus.Registry) string {
	t.Helper()
	srv := httptest.NewServer(Handler(reg))
	defer srv.Close()
	resp, err := srv.Client().Get(srv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

func want(t *testing.T, out, line string) {
	t.Helper()
	if !strings.Contains(out, line+"\n") {
		t.Errorf("scrape lacks %q", line)
	}
}

func TestReasonLabel(t *testing.T) {
	for in, want := range map[string]string{
		"resolved": "resolved", "caller hung up: mood at maximum": "caller hung up", "": "unknown",
		"conversation ended: accepted the brush-off": "conversation ended",
	} {
		if got := reasonLabel(in); got != want {
			t.Errorf("reasonLabel(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestRegisterTwiceFails(t *testing.T) {
	reg := prometheus.NewRegistry()
	if _, err := New(reg); err != nil {
		t.Fatal(err)
	}
	if _, err := New(reg); err == nil {
		t.Error("second New on one registry: want an error")
	}
}

// TestCallTimelineConcurrent appends from several goroutines, as the engine's loop and
// turn speaker do: a repeated call.start counts the call once, and a second call.end
// does not end it twice.
func TestCallTimelineConcurrent(t *testing.T) {
	reg := prometheus.NewRegistry()
	m, err := New(reg)
	if err != nil {
		t.Fatal(err)
	}
	tl := m.CallTimeline(nil)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			tl.Append(dialog.Event{Kind: dialog.EventCallStart, Detail: "webrtc"})
			tl.Append(dialog.Event{Kind: dialog.EventFault, Detail: "persona: timeout"})
		})
	}
	wg.Wait()
	want(t, scrape(t, reg), `spar_calls_active{transport="webrtc"} 1`)
	for range 2 {
		wg.Go(func() { tl.Append(dialog.Event{Kind: dialog.EventCallEnd, Detail: "resolved"}) })
	}
	wg.Wait()
	out := scrape(t, reg)
	want(t, out, `spar_calls_active{transport="webrtc"} 0`)
	want(t, out, `spar_calls_ended_total{reason="resolved",transport="webrtc"} 1`)
	want(t, out, `spar_call_faults_total{stage="persona"} 8`)
}

func TestCallEndCountsFrames(t *testing.T) {
	reg := prometheus.NewRegistry()
	m, err := New(reg)
	if err != nil {
		t.Fatal(err)
	}
	tl := m.CallTimeline(nil)
	tl.Append(dialog.Event{Kind: dialog.EventCallStart, Detail: "twilio"})
	tl.Append(dialog.Event{Kind: dialog.EventCallEnd, Detail: "resolved",
		Data: map[string]string{"frames_in": "1500", "frames_out": "620", "frames_discarded_in": "4", "frames_late_out": "2"}})
	out := scrape(t, reg)
	want(t, out, `spar_frames_in_total{transport="twilio"} 1500`)
	want(t, out, `spar_frames_out_total{transport="twilio"} 620`)
	want(t, out, `spar_frames_dropped_total{reason="discarded",transport="twilio"} 4`)
	want(t, out, `spar_frames_dropped_total{reason="late",transport="twilio"} 2`)
}
