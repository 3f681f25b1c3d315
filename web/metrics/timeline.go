package metrics

import (
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/sparlab/spar/dialog"
)

// CallTimeline returns a Timeline for one call that updates the metrics from the call's
// events and passes every event on to next: call.start and call.end move the active and
// ended counts, turn.latency feeds the stage histograms, fault counts by stage. The engine
// appends from more than one goroutine (its loop and a turn's speaker), so the call's
// start/end state is guarded; the collectors are safe on their own.
func (m *Metrics) CallTimeline(next dialog.Timeline) dialog.Timeline {
	var mu sync.Mutex
	var ended func(reason string) // set between call.start and call.end
	var transport string
	return dialog.TimelineFunc(func(e dialog.Event) {
		switch e.Kind {
		case dialog.EventCallStart:
			mu.Lock()
			if ended == nil {
				transport = e.Detail
				ended = m.CallStarted(transport)
			}
			mu.Unlock()
		case dialog.EventCallEnd:
			mu.Lock()
			if ended != nil {
				ended(e.Detail)
				ended = nil
				in, _ := strconv.Atoi(e.Data["frames_in"])
				out, _ := strconv.Atoi(e.Data["frames_out"])
				m.Frames(transport, in, out)
				discarded, _ := strconv.Atoi(e.Data["frames_discarded_in"])
				late, _ := strconv.Atoi(e.Data["frames_late_out"])
				m.FramesDropped(transport, DropDiscarded, discarded)
				m.FramesDropped(transport, DropLate, late)
			}
			mu.Unlock()
		case dialog.EventLatency:
			m.Turn(e.Data)
		case dialog.EventFault:
			stage, _, _ := strings.Cut(e.Detail, ":")
			m.faults.WithLabelValues(faultStage(stage)).Inc()
		}
		if next != nil {
			next.Append(e)
		}
	})
}

// Turn observes a turn.latency event's data (endpoint_ms, stt_ms, persona_ms, tts_ms,
// hold_ms when the reply was held, playout_ms, total_ms) and derives Spar's own overhead.
func (m *Metrics) Turn(data map[string]string) {
	get := func(k string) (time.Duration, bool) {
		v, err := strconv.ParseFloat(data[k], 64)
		if err != nil || v < 0 {
			return 0, false
		}
		return time.Duration(v * float64(time.Millisecond)), true
	}
	var sum time.Duration
	for _, s := range []struct{ key, stage string }{
		{"endpoint_ms", StageEndpoint}, {"stt_ms", StageSTTFinal}, {"persona_ms", StagePersona},
		{"tts_ms", StageTTS}, {"hold_ms", StageHold}, {"playout_ms", StagePlayout},
	} {
		if d, ok := get(s.key); ok {
			m.Stage(s.stage, d)
			if s.stage != StagePlayout {
				sum += d
			}
		}
	}
	if total, ok := get("total_ms"); ok {
		m.Stage(StageVoiceToVoice, total)
		m.Stage(StageOverhead, max(total-sum, 0))
	}
}

// faultStage keeps the fault label to a known set.
func faultStage(s string) string {
	switch s {
	case "stt", "tts", "persona":
		return s
	}
	return "other"
}

// reasonLabel keeps the end-reason label's cardinality small: "caller hung up: mood at
// maximum" counts as "caller hung up".
func reasonLabel(r string) string {
	r, _, _ = strings.Cut(r, ":")
	r = strings.TrimSpace(r)
	if r == "" {
		return "unknown"
	}
	if len(r) > 40 {
		r = r[:40]
	}
	return r
}
