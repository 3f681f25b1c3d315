package dialog

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/sparlab/spar/media"
	"github.com/sparlab/spar/telephony"
)

// Config tunes the engine for every call it runs.
type Config struct {
	// PreRoll is audio from before the detected speech onset handed to recognition, so the
	// first syllable is not lost.
	PreRoll time.Duration `yaml:"pre_roll"`
	// Lead is how many 20 ms frames of persona audio are sent at once when the persona starts
	// speaking, to fill the far end's jitter buffer.
	Lead int `yaml:"lead_frames"`
	// FinalTimeout is how long to wait for a final transcript after the endpoint before the
	// recognizer is treated as failed for that utterance. A recognizer still sending interim
	// words is slow (a loaded machine), not failed: each interim gives it FinalTimeout more,
	// up to three times FinalTimeout after the speech ended.
	FinalTimeout time.Duration `yaml:"final_timeout"`
	// GoodbyeGrace is how long the persona's last line may take to be heard before hang-up.
	GoodbyeGrace time.Duration `yaml:"goodbye_grace"`
	// VAD tunes voice activity detection; its hangover is replaced by each scenario's
	// end silence.
	VAD media.VADConfig `yaml:"vad"`
}

// DefaultConfig is the engine's configuration when nothing is set.
func DefaultConfig() Config {
	return Config{
		PreRoll:      300 * time.Millisecond,
		Lead:         3,
		FinalTimeout: 4 * time.Second,
		GoodbyeGrace: 10 * time.Second,
		VAD:          media.DefaultVADConfig(),
	}
}

// leadFor is the lead in frames for line: the engine's, or more when the line's far end
// buffers persona audio and drops it on Clear (Twilio), where a larger send-ahead rides out a
// loaded server at no cost to barge-in.
func (e *Engine) leadFor(line Line) int {
	if s, ok := line.(interface{ SendAhead() time.Duration }); ok {
		return max(e.cfg.Lead, int(s.SendAhead()/media.FrameDuration))
	}
	return e.cfg.Lead
}

// Validate reports settings that cannot work.
func (c Config) Validate() error {
	switch {
	case c.PreRoll < 0 || c.PreRoll > 2*time.Second:
		return fmt.Errorf("dialog: pre_roll %v must be between 0 and 2s", c.PreRoll)
	case c.Lead < 0 || c.Lead > 50:
		return fmt.Errorf("dialog: lead_frames %d must be between 0 and 50", c.Lead)
	case c.FinalTimeout < 500*time.Millisecond:
		return fmt.Errorf("dialog: final_timeout %v must be at least 500ms", c.FinalTimeout)
	case c.GoodbyeGrace < 0:
		return fmt.Errorf("dialog: goodbye_grace %v must not be negative", c.GoodbyeGrace)
	}
	if err := c.VAD.Validate(); err != nil {
		return fmt.Errorf("dialog: vad: %w", err)
	}
	return nil
}

// Engine runs conversations. One Engine serves every call; each call runs in its own Run.
type Engine struct {
	cfg Config
	stt Transcriber
	tts Synthesizer
}

// New returns an engine using the given speech providers.
func New(cfg Config, stt Transcriber, tts Synthesizer) (*Engine, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if stt == nil || tts == nil {
		return nil, errors.New("dialog: a transcriber and a synthesizer are required")
	}
	return &Engine{cfg: cfg, stt: stt, tts: tts}, nil
}

// Run holds one call from answer to hang-up and returns how it ended. It returns when ctx
// ends (the learner hung up), when the persona hangs up, or at the scenario's limits. Every
// goroutine it starts has stopped when it returns.
func (e *Engine) Run(ctx context.Context, line Line, s Session) (Result, error) {
	if s.Persona == nil || s.Timeline == nil {
		return Result{}, errors.New("dialog: session needs a persona and a timeline")
	}
	if err := s.Turns.Validate(); err != nil {
		return Result{}, err
	}
	if s.Log == nil {
		s.Log = slog.New(slog.DiscardHandler)
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(ErrCallOver)

	stream, err := e.stt.Stream(ctx, STTOptions{Phrases: s.Phrases, Narrowband: s.Narrowband})
	if err != nil {
		return Result{}, fmt.Errorf("dialog: open speech recognition: %w", err)
	}
	c := newConv(ctx, e, line, s, stream)
	return c.run(cancel), nil
}

var _ telephony.Listener = (*conv)(nil)
