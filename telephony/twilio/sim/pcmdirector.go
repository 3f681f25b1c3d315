package sim

import (
	"sync"
	"time"
)

// PCMDirector plays a script as 16-bit PCM for a caller without a keypad (the browser
// simulator): the same director and persona-speech tracking as a phone call. Hear and Frame
// may run on different goroutines.
type PCMDirector struct {
	mu sync.Mutex
	d  director[int16]
	h  heard
}

// NewPCMDirector returns a director for steps, with clips the audio of say and wav steps by
// step index. print receives live progress lines; nil prints nothing.
func NewPCMDirector(steps Script, clips [][]int16, greetTimeout, replyTimeout time.Duration, print func(string, ...any)) *PCMDirector {
	return &PCMDirector{d: director[int16]{steps: steps, clips: clips, noKeypad: true,
		greetTimeout: greetTimeout, replyTimeout: replyTimeout, print: print}}
}

// Hear accounts for one frame of persona audio received at now.
func (p *PCMDirector) Hear(now time.Duration, pcm []int16) {
	p.mu.Lock()
	p.h.frame(now, pcm)
	p.mu.Unlock()
}

// Frame fills dst with the caller's audio for the frame starting at now; it reports whether
// the caller hangs up.
func (p *PCMDirector) Frame(now time.Duration, dst []int16) (hangup bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	_, hangup = p.d.frame(now, &p.h, dst)
	return hangup
}

// Heard returns the persona speech segments heard so far.
func (p *PCMDirector) Heard() []Segment {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.h.segs
}

// Turns returns the learner turns acted so far.
func (p *PCMDirector) Turns() []Turn {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.d.turns
}
