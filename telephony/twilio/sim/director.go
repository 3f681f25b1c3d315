package sim

import (
	"time"

	"github.com/sparlab/spar/media"
)

// mulawSilence is the mu-law byte for a zero sample: what a quiet phone line sends.
const mulawSilence = 0xFF

type phase int

const (
	phaseWait  phase = iota // waiting for the persona (reply, quiet, or barge point)
	phasePause              // persona quiet: the caller's pause before acting
	phaseAct                // speaking, pressing keys or staying silent
)

// director plays a script against what the caller hears, one frame at a time. T is the
// sample type of the caller's audio: mu-law bytes on a phone call, 16-bit PCM in a browser.
type director[T byte | int16] struct {
	steps        Script
	clips        [][]T // audio of say and wav steps, by step index
	silence      T     // the sample of a quiet line
	noKeypad     bool  // dtmf steps are skipped (a browser has no keypad)
	greetTimeout time.Duration
	replyTimeout time.Duration
	print        func(format string, args ...any) // live progress; nil prints nothing

	i         int
	phase     phase
	activated time.Duration // when step i became current
	replyFrom time.Duration // persona speech starting after this answers the previous step
	pauseFrom time.Duration
	actStart  time.Duration
	off       int // bytes of clip sent, or digits pressed
	turns     []Turn
}

// frame fills dst with the caller's audio for the frame starting at now. It returns a DTMF
// digit to press (0 for none) and whether the caller hangs up now.
func (d *director[T]) frame(now time.Duration, h *heard, dst []T) (digit byte, hangup bool) {
	for i := range dst {
		dst[i] = d.silence
	}
	// Several steps may end and begin within one frame (a wait ends, the next step is ready).
	for range 4 {
		if d.i >= len(d.steps) {
			return 0, true
		}
		s := d.steps[d.i]
		switch d.phase {
		case phaseWait:
			ok, late := d.ready(now, s, h)
			if !ok {
				return 0, false
			}
			if s.Barge > 0 || late {
				d.begin(now, h)
				continue
			}
			d.phase, d.pauseFrom = phasePause, now
		case phasePause:
			if h.lastVoiced > d.pauseFrom {
				d.phase = phaseWait // the persona went on: wait for it again
				return 0, false
			}
			if now-d.pauseFrom < s.pause() {
				return 0, false
			}
			d.begin(now, h)
		case phaseAct:
			switch {
			case s.Hangup:
				return 0, true
			case s.speaks():
				clip := d.clips[d.i]
				d.off += copy(dst, clip[d.off:])
				if d.off >= len(clip) {
					d.finish(now + media.FrameDuration)
				}
				return 0, false
			case s.DTMF != "" && d.noKeypad:
				d.finish(now)
			case s.DTMF != "":
				digit = s.DTMF[d.off]
				if d.off++; d.off >= len(s.DTMF) {
					d.finish(now + media.FrameDuration)
				}
				return digit, false
			default: // wait
				if now-d.actStart < s.Wait {
					return 0, false
				}
				d.finish(now)
			}
		}
	}
	return 0, false
}

// ready reports whether step s may act (or, with Barge, start talking) at now; late is true
// when the wait timed out, and the caller then acts without its pause.
func (d *director[T]) ready(now time.Duration, s Step, h *heard) (ok, late bool) {
	waited := now - d.activated
	if waited >= d.replyTimeout {
		return true, true // the persona never went quiet: go on, as an impatient caller would
	}
	start, replied := h.replyStart(d.replyFrom)
	if s.Barge > 0 {
		return replied && now >= start+s.Barge, false
	}
	// The first step waits for the persona's greeting; a step after a line waits for the reply.
	needReply, timeout := d.i == 0, d.greetTimeout
	if d.i > 0 && d.steps[d.i-1].speaks() {
		needReply, timeout = true, d.replyTimeout
	}
	// A reply is speech that began after the previous step started, or any speech heard after
	// it ended (the persona talking on after being barged into).
	replied = replied || h.lastVoiced > d.activated
	if needReply && !replied && waited < timeout {
		return false, false
	}
	return now-h.lastVoiced >= s.gap(), false
}

// begin starts acting out the current step.
func (d *director[T]) begin(now time.Duration, h *heard) {
	s := d.steps[d.i]
	d.phase, d.actStart, d.off = phaseAct, now, 0
	if s.Hangup {
		d.printf("-> you hang up")
		return
	}
	t := Turn{Step: d.i, Start: now, Barged: h.speaking(now)}
	switch {
	case s.Say != "":
		t.Kind, t.Text = "say", s.Say
	case s.WAV != "":
		t.Kind, t.Text = "wav", s.WAV
	case s.DTMF != "":
		t.Kind, t.Text = "dtmf", s.DTMF
	default:
		t.Kind, t.Text = "wait", s.Wait.String()
	}
	over := ""
	if t.Barged {
		over = " (over the persona)"
	}
	switch t.Kind {
	case "say", "wav":
		d.printf("-> you%s: %s", over, t.Text)
	case "dtmf":
		if d.noKeypad {
			d.printf("-> (dtmf %s skipped: no keypad on a browser call)", t.Text)
		} else {
			d.printf("-> you press %s", t.Text)
		}
	default:
		d.printf("-> you stay silent for %s", t.Text)
	}
	d.turns = append(d.turns, t)
}

// finish ends the current step at end; the next one becomes current.
func (d *director[T]) finish(end time.Duration) {
	d.turns[len(d.turns)-1].End = end
	d.replyFrom, d.activated = d.actStart, end
	d.i++
	d.phase = phaseWait
}

func (d *director[T]) printf(format string, args ...any) {
	if d.print != nil {
		d.print(format, args...)
	}
}
