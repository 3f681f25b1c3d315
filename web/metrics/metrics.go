// Package metrics exposes Spar's Prometheus metrics: calls by transport and end reason,
// per-stage turn latency, audio frames, provider errors and the scoring queue. Collectors are
// registered on a registry the caller owns (no global state); Handler serves /metrics.
//
// The engine needs no change to be measured: CallTimeline wraps a call's dialog.Timeline and
// reads call.start, call.end, turn.latency and fault events as they pass. Adapters report
// through their Hooks, wired with StageFunc and ProviderErrorFunc.
package metrics

import (
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Stages of a turn's latency, as the stage label of spar_turn_stage_seconds.
const (
	StageEndpoint      = "endpoint"        // learner stopped talking -> endpoint decided
	StageSTTFinal      = "stt_final"       // endpoint -> final transcript
	StagePersona       = "persona"         // final transcript -> first sentence ready
	StageLLMFirstToken = "llm_first_token" // request sent -> first token (from llm.Hooks)
	StageTTSFirstByte  = "tts_first_byte"  // request sent -> first audio (from tts Hooks)
	StageTTS           = "tts"             // first sentence -> first audio
	StageHold          = "hold"            // first audio waiting for a learner whose line trailed off
	StagePlayout       = "playout"         // first audio -> first frame on the wire
	StageVoiceToVoice  = "voice_to_voice"  // learner stopped -> persona heard
	StageOverhead      = "overhead"        // voice_to_voice minus endpoint, STT, persona, TTS, hold
)

// Metrics holds the collectors. Its methods are safe for concurrent use.
type Metrics struct {
	active     *prometheus.GaugeVec
	calls      *prometheus.CounterVec
	stage      *prometheus.HistogramVec
	framesIn   *prometheus.CounterVec
	framesOut  *prometheus.CounterVec
	dropped    *prometheus.CounterVec
	provErrors *prometheus.CounterVec
	faults     *prometheus.CounterVec
	queueDepth prometheus.Gauge
	queueLag   prometheus.Histogram
}

// latencyBuckets span 20 ms to 10 s: turn stages are tens to thousands of milliseconds.
var latencyBuckets = []float64{.02, .05, .1, .15, .2, .3, .4, .5, .75, 1, 1.5, 2, 3, 5, 10}

// New creates the collectors and registers them on reg.
func New(reg prometheus.Registerer) (*Metrics, error) {
	m := &Metrics{
		active: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "spar_calls_active",
			Help: "Calls in progress, by transport."}, []string{"transport"}),
		calls: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "spar_calls_ended_total",
			Help: "Calls ended, by transport and end reason."}, []string{"transport", "reason"}),
		stage: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "spar_turn_stage_seconds",
			Help: "Latency of each stage of a persona turn.", Buckets: latencyBuckets}, []string{"stage"}),
		framesIn: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "spar_frames_in_total",
			Help: "20 ms audio frames received from learners."}, []string{"transport"}),
		framesOut: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "spar_frames_out_total",
			Help: "20 ms audio frames sent to learners."}, []string{"transport"}),
		dropped: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "spar_frames_dropped_total",
			Help: "Audio frames dropped, by transport and reason."}, []string{"transport", "reason"}),
		provErrors: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "spar_provider_errors_total",
			Help: "Model provider errors, by provider and kind."}, []string{"provider", "kind"}),
		faults: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "spar_call_faults_total",
			Help: "Faults the engine recovered from in a call, by stage (stt, tts, persona)."}, []string{"stage"}),
		queueDepth: prometheus.NewGauge(prometheus.GaugeOpts{Name: "spar_scoring_queue_depth",
			Help: "Sealed calls waiting to be scored."}),
		queueLag: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "spar_scoring_lag_seconds",
			Help:    "Time from a call's seal to its score.",
			Buckets: []float64{1, 5, 15, 30, 60, 120, 300, 600, 1800}}),
	}
	for _, c := range []prometheus.Collector{m.active, m.calls, m.stage, m.framesIn, m.framesOut,
		m.dropped, m.provErrors, m.faults, m.queueDepth, m.queueLag} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// Handler serves the registry's metrics in the Prometheus text format.
func Handler(g prometheus.Gatherer) http.Handler {
	return promhttp.HandlerFor(g, promhttp.HandlerOpts{})
}

// CallStarted counts a call in progress until the returned function is called with its end
// reason.
func (m *Metrics) CallStarted(transport string) (ended func(reason string)) {
	m.active.WithLabelValues(transport).Inc()
	return func(reason string) {
		m.active.WithLabelValues(transport).Dec()
		m.calls.WithLabelValues(transport, reasonLabel(reason)).Inc()
	}
}

// Stage observes one stage's latency.
func (m *Metrics) Stage(stage string, d time.Duration) {
	m.stage.WithLabelValues(stage).Observe(d.Seconds())
}

// StageFunc returns a function observing one stage, for an adapter's Hooks.
func (m *Metrics) StageFunc(stage string) func(time.Duration) {
	o := m.stage.WithLabelValues(stage)
	return func(d time.Duration) { o.Observe(d.Seconds()) }
}

// ProviderError counts an error of a provider (openai, deepgram...) of a kind (timeout...).
func (m *Metrics) ProviderError(provider, kind string) {
	m.provErrors.WithLabelValues(provider, kind).Inc()
}

// ProviderErrorFunc returns a function counting one provider's errors, for an adapter's Hooks.
func (m *Metrics) ProviderErrorFunc(provider string) func(kind string) {
	return func(kind string) { m.ProviderError(provider, kind) }
}

// Frames counts audio frames of one transport: in from the learner, out to the learner.
func (m *Metrics) Frames(transport string, in, out int) {
	m.framesIn.WithLabelValues(transport).Add(float64(in))
	m.framesOut.WithLabelValues(transport).Add(float64(out))
}

// Reasons a frame counts as dropped.
const (
	DropDiscarded = "discarded" // learner audio the transport received but could not use
	DropLate      = "late"      // a persona frame that missed its 20 ms tick
)

// FramesDropped counts frames dropped for a reason (DropDiscarded, DropLate).
func (m *Metrics) FramesDropped(transport, reason string, n int) {
	m.dropped.WithLabelValues(transport, reason).Add(float64(n))
}

// ScoringQueue reports the scoring queue's depth.
func (m *Metrics) ScoringQueue(depth int) { m.queueDepth.Set(float64(depth)) }

// ScoringLag observes the time between a call's seal and its score.
func (m *Metrics) ScoringLag(d time.Duration) { m.queueLag.Observe(d.Seconds()) }
