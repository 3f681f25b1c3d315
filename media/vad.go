package media

import (
	"fmt"
	"math"
	"sync/atomic"
	"time"
)

// VADConfig tunes the energy voice activity detector and endpointer. Zero fields take the
// defaults of DefaultVADConfig.
type VADConfig struct {
	// StartDuration is how long the signal must stay voiced before speech is declared;
	// shorter bursts (clicks, a cough's pop) are ignored. Default 60 ms.
	StartDuration time.Duration `yaml:"start_duration"`
	// Hangover is the silence that ends an utterance. Pauses between words shorter than this
	// keep the utterance going. Default 500 ms; SetHangover changes it on a live Endpointer.
	Hangover time.Duration `yaml:"hangover"`
	// MinSNR is how far above the noise floor (dB) a frame must be to count as voiced. Default 9.
	MinSNR float64 `yaml:"min_snr"`
	// MinLevel is the absolute level (dBFS) below which nothing is speech. Default -50.
	MinLevel float64 `yaml:"min_level"`
}

// DefaultVADConfig returns settings that work for 16 kHz phone and browser speech.
func DefaultVADConfig() VADConfig {
	return VADConfig{StartDuration: 60 * time.Millisecond, Hangover: 500 * time.Millisecond, MinSNR: 9, MinLevel: -50}
}

// Validate reports settings that cannot work.
func (c VADConfig) Validate() error {
	switch {
	case c.StartDuration < 0 || c.StartDuration > 2*time.Second:
		return fmt.Errorf("media: vad start_duration %v: want 0..2s: %w", c.StartDuration, ErrInvalidConfig)
	case c.Hangover < 0 || c.Hangover > 10*time.Second:
		return fmt.Errorf("media: vad hangover %v: want 0..10s: %w", c.Hangover, ErrInvalidConfig)
	case c.MinSNR < 0 || c.MinSNR > 60:
		return fmt.Errorf("media: vad min_snr %v: want 0..60 dB: %w", c.MinSNR, ErrInvalidConfig)
	case c.MinLevel > 0 || c.MinLevel < -100:
		return fmt.Errorf("media: vad min_level %v: want -100..0 dBFS: %w", c.MinLevel, ErrInvalidConfig)
	}
	return nil
}

func (c VADConfig) withDefaults() VADConfig {
	d := DefaultVADConfig()
	if c.StartDuration <= 0 {
		c.StartDuration = d.StartDuration
	}
	if c.Hangover <= 0 {
		c.Hangover = d.Hangover
	}
	if c.MinSNR <= 0 {
		c.MinSNR = d.MinSNR
	}
	if c.MinLevel >= 0 {
		c.MinLevel = d.MinLevel
	}
	return c
}

// VADEventKind says whether speech started or stopped.
type VADEventKind int

// Endpointer events.
const (
	SpeechStart VADEventKind = iota + 1
	SpeechStop
)

func (k VADEventKind) String() string {
	switch k {
	case SpeechStart:
		return "speech start"
	case SpeechStop:
		return "speech stop"
	}
	return fmt.Sprintf("VADEventKind(%d)", int(k))
}

// VADEvent is an endpointing decision, stamped with media time (samples written so far).
type VADEvent struct {
	Kind VADEventKind
	// At is the onset of speech for SpeechStart and the end of the last voiced frame for
	// SpeechStop. The event itself fires later: StartDuration after onset, Hangover after
	// the end.
	At time.Duration
	// Dur is the utterance length, on SpeechStop.
	Dur time.Duration
}

// Endpointing constants, per 10 ms analysis frame.
const (
	vadFrame      = 10 * time.Millisecond
	vadHysteresis = 3.0  // dB: once speaking, frames this much under the start threshold still count
	vadFloorUp    = 0.01 // floor moves 1% of the gap per frame when the level is above it (~1 s)
	vadFloorDown  = 0.3  // and 30% of the gap per frame when below (~30 ms)
	// vadStuck is how long every frame may stay voiced before the endpointer suspects a step
	// in background noise rather than speech: people pause for breath and between words, so
	// real speech dips to the floor well within it. The floor then jumps to the quietest level
	// of that stretch, and an utterance that was only noise ends after the hangover.
	vadStuck = 4 * time.Second
)

// Endpointer detects speech by frame energy against an adaptive noise floor and decides where
// utterances start and end. It is a Writer that accepts frames of any size and analyses them
// in 10 ms pieces; the count of samples written is its clock, so it needs no wall time.
//
// The noise floor follows the level of non-speech frames, down fast and up slowly, and holds
// still during speech. A sudden, lasting rise in background noise is first taken for speech;
// after four seconds without a single quiet frame the floor is reset to that noise and the
// false utterance ends.
//
// WriteSample and Reset must be called from one goroutine, which also runs onEvent. Speaking,
// SpeechFor, Level, NoiseFloor, Now and SetHangover are safe from any goroutine.
type Endpointer struct {
	cfg      VADConfig
	rate     int
	onEvent  func(VADEvent)
	frameLen int
	start    int64 // StartDuration in samples

	sumSq float64 // energy of the analysis frame being filled
	fill  int

	floor      float64
	floorSet   bool
	runStart   int64 // first sample of the current voiced run (before speech is declared)
	runLen     int64
	lastVoiced int64 // end of the last voiced frame while speaking
	stretch    int64 // samples voiced without a break, while speaking
	quietest   float64
	stuck      int64 // vadStuck in samples

	written  atomic.Int64
	hangover atomic.Int64 // samples
	level    atomic.Uint64
	floorDB  atomic.Uint64
	speaking atomic.Bool
	onset    atomic.Int64
}

var _ Writer = (*Endpointer)(nil)

// NewEndpointer returns an Endpointer for audio at rate, calling onEvent (which may be nil)
// on each SpeechStart and SpeechStop.
func NewEndpointer(cfg VADConfig, rate int, onEvent func(VADEvent)) *Endpointer {
	cfg = cfg.withDefaults()
	e := &Endpointer{
		cfg:      cfg,
		rate:     rate,
		onEvent:  onEvent,
		frameLen: max(1, Samples(rate, vadFrame)),
		start:    int64(Samples(rate, cfg.StartDuration)),
		stuck:    int64(Samples(rate, vadStuck)),
	}
	e.Reset()
	return e
}

// WriteSample feeds audio; events fire from inside this call.
func (e *Endpointer) WriteSample(p []int16) error {
	for len(p) > 0 {
		n := min(len(p), e.frameLen-e.fill)
		for _, s := range p[:n] {
			v := float64(s)
			e.sumSq += v * v
		}
		e.fill += n
		p = p[n:]
		end := e.written.Add(int64(n))
		if e.fill == e.frameLen {
			e.analyse(end-int64(e.frameLen), end)
			e.sumSq, e.fill = 0, 0
		}
	}
	return nil
}

// analyse classifies the frame [from, to) and moves the state machine.
func (e *Endpointer) analyse(from, to int64) {
	level := silenceDBFS
	if ms := e.sumSq / float64(e.frameLen) / (32768.0 * 32768.0); ms > 1e-12 {
		level = 10 * math.Log10(ms)
	}
	e.level.Store(math.Float64bits(level))
	if !e.floorSet {
		e.floor, e.floorSet = level, true
	}
	threshold := max(e.cfg.MinLevel, e.floor+e.cfg.MinSNR)

	if e.speaking.Load() {
		if level > threshold-vadHysteresis && level > e.cfg.MinLevel {
			e.lastVoiced = to
			e.stretch += to - from
			e.quietest = min(e.quietest, level)
			if e.stretch >= e.stuck {
				e.floor, e.stretch, e.quietest = e.quietest, 0, 0
				e.floorDB.Store(math.Float64bits(e.floor))
			}
			return
		}
		e.stretch, e.quietest = 0, 0
		if to-e.lastVoiced >= e.hangover.Load() {
			e.speaking.Store(false)
			e.runLen = 0
			e.emit(VADEvent{Kind: SpeechStop, At: e.dur(e.lastVoiced), Dur: e.dur(e.lastVoiced - e.onset.Load())})
		}
		return // otherwise the floor holds still during speech
	}
	if level > threshold {
		if e.runLen == 0 {
			e.runStart = from
		}
		e.runLen += to - from
		if e.runLen >= e.start {
			e.onset.Store(e.runStart)
			e.lastVoiced = to
			e.stretch, e.quietest = e.runLen, 0
			e.speaking.Store(true)
			e.emit(VADEvent{Kind: SpeechStart, At: e.dur(e.runStart)})
		}
		return
	}
	e.runLen = 0
	if level < e.floor {
		e.floor += (level - e.floor) * vadFloorDown
	} else {
		e.floor += (level - e.floor) * vadFloorUp
	}
	e.floorDB.Store(math.Float64bits(e.floor))
}

func (e *Endpointer) emit(ev VADEvent) {
	if e.onEvent != nil {
		e.onEvent(ev)
	}
}

func (e *Endpointer) dur(samples int64) time.Duration {
	return time.Duration(samples * int64(time.Second) / int64(e.rate))
}

// Speaking reports whether an utterance is in progress.
func (e *Endpointer) Speaking() bool { return e.speaking.Load() }

// StartDuration is how long speech lasts before SpeechStart fires (VADConfig.StartDuration).
func (e *Endpointer) StartDuration() time.Duration { return e.cfg.StartDuration }

// SetHangover changes the silence that ends the current and later utterances. The dialog
// engine shortens it when a transcript ends a sentence and lengthens it after "and", "um".
// It takes effect at the next 10 ms analysis frame.
func (e *Endpointer) SetHangover(d time.Duration) {
	e.hangover.Store(int64(Samples(e.rate, max(d, vadFrame))))
}

// Level returns the level of the last analysed 10 ms frame, in dBFS.
func (e *Endpointer) Level() float64 { return math.Float64frombits(e.level.Load()) }

// NoiseFloor returns the current noise floor estimate, in dBFS.
func (e *Endpointer) NoiseFloor() float64 { return math.Float64frombits(e.floorDB.Load()) }

// SpeechFor returns how long the current utterance has lasted, or 0 when silent.
func (e *Endpointer) SpeechFor() time.Duration {
	if !e.speaking.Load() {
		return 0
	}
	return e.dur(e.written.Load() - e.onset.Load())
}

// Now returns the media time: the duration of all audio written since creation or Reset.
func (e *Endpointer) Now() time.Duration { return e.dur(e.written.Load()) }

// Reset forgets speech state, noise floor and clock, and restores the configured hangover.
func (e *Endpointer) Reset() {
	e.sumSq, e.fill = 0, 0
	e.floor, e.floorSet = silenceDBFS, false
	e.runStart, e.runLen, e.lastVoiced = 0, 0, 0
	e.stretch, e.quietest = 0, 0
	e.written.Store(0)
	e.hangover.Store(int64(Samples(e.rate, e.cfg.Hangover)))
	e.level.Store(math.Float64bits(silenceDBFS))
	e.floorDB.Store(math.Float64bits(silenceDBFS))
	e.speaking.Store(false)
	e.onset.Store(0)
}
