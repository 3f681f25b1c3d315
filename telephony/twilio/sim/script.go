package sim

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"gopkg.in/yaml.v3"
)

// Step defaults.
const (
	DefaultGap   = 700 * time.Millisecond // persona quiet this long = it has finished speaking
	DefaultPause = 600 * time.Millisecond // then the caller waits this long before acting
)

// Script is what the simulated caller does, one step after another. Each step waits for the
// persona to finish speaking (no persona audio for Gap), pauses for Pause, then acts; a step
// with Barge instead starts Barge after the persona starts its next reply, talking over it.
// A script without a hangup step hangs up after the last step once the persona has replied.
type Script []Step

// Step is one action of a Script. Exactly one of Say, WAV, DTMF, Wait and Hangup is set.
type Step struct {
	Say    string        `yaml:"say"`    // a line to synthesize and speak
	WAV    string        `yaml:"wav"`    // a WAV file to play (any rate, mono or stereo)
	DTMF   string        `yaml:"dtmf"`   // keys to press, one dtmf message each
	Wait   time.Duration `yaml:"wait"`   // stay silent this long
	Hangup bool          `yaml:"hangup"` // end the call
	// Barge, for say and wav, starts speaking this long after the persona starts its next
	// reply instead of waiting for the reply to end.
	Barge time.Duration `yaml:"barge"`
	Gap   time.Duration `yaml:"gap"`   // 0: DefaultGap
	Pause time.Duration `yaml:"pause"` // 0: DefaultPause
}

// kind names the step's action, "" when none or several are set.
func (s Step) kind() string {
	k, n := "", 0
	set := func(ok bool, name string) {
		if ok {
			k, n = name, n+1
		}
	}
	set(s.Say != "", "say")
	set(s.WAV != "", "wav")
	set(s.DTMF != "", "dtmf")
	set(s.Wait != 0, "wait")
	set(s.Hangup, "hangup")
	if n != 1 {
		return ""
	}
	return k
}

// speaks reports whether the step sends audio the persona will answer.
func (s Step) speaks() bool { return s.Say != "" || s.WAV != "" }

func (s Step) gap() time.Duration {
	if s.Gap > 0 {
		return s.Gap
	}
	return DefaultGap
}

func (s Step) pause() time.Duration {
	if s.Pause > 0 {
		return s.Pause
	}
	return DefaultPause
}

// Validate reports the first step that does not make sense.
func (sc Script) Validate() error {
	for i, s := range sc {
		switch {
		case s.kind() == "":
			return fmt.Errorf("%w: step %d: set exactly one of say, wav, dtmf, wait, hangup", ErrInvalidScript, i+1)
		case s.Barge < 0 || s.Gap < 0 || s.Pause < 0 || s.Wait < 0:
			return fmt.Errorf("%w: step %d: negative duration", ErrInvalidScript, i+1)
		case s.Barge > 0 && !s.speaks():
			return fmt.Errorf("%w: step %d: barge applies to say and wav only", ErrInvalidScript, i+1)
		}
		for _, d := range s.DTMF {
			if !isDigit(d) {
				return fmt.Errorf("%w: step %d: dtmf %q: only 0-9, * and #", ErrInvalidScript, i+1, s.DTMF)
			}
		}
	}
	return nil
}

// ParseScript decodes a YAML script strictly: unknown keys are errors.
func ParseScript(r io.Reader) (Script, error) {
	dec := yaml.NewDecoder(r)
	dec.KnownFields(true)
	var sc Script
	if err := dec.Decode(&sc); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("sim: parse script: %w", err)
	}
	if err := sc.Validate(); err != nil {
		return nil, err
	}
	return sc, nil
}

// ParseScriptFile reads a script file; wav paths in it are relative to the file.
func ParseScriptFile(path string) (Script, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("sim: open script: %w", err)
	}
	defer f.Close()
	sc, err := ParseScript(f)
	if err != nil {
		return nil, err
	}
	for i := range sc {
		if sc[i].WAV != "" && !filepath.IsAbs(sc[i].WAV) {
			sc[i].WAV = filepath.Join(filepath.Dir(path), sc[i].WAV)
		}
	}
	return sc, nil
}

// DefaultScript is a three-turn practice for the double-charge scenario, played by the
// learner (a billing agent) to an angry customer: greet, own the problem, resolve it.
func DefaultScript() Script {
	return Script{
		{Say: "Hi, you're through to billing, this is Sam. How can I help you today?"},
		{Say: "I'm really sorry about that. Being charged twice is frustrating, and that's on us. Let me look into it for you right now."},
		{Say: "I've refunded the duplicate charge. You'll see it back on your card within three to five business days. Is there anything else I can help with?"},
	}
}
