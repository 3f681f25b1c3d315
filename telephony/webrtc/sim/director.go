package sim

import (
	"sync"
	"time"

	"github.com/sparlab/spar/media"
	twsim "github.com/sparlab/spar/telephony/twilio/sim"
)

const (
	voicedDBFS  = -45.0                  // received frames louder than this are persona speech
	segmentJoin = 300 * time.Millisecond // pauses shorter than this stay in one segment
	frameLen    = 320                    // 20 ms at 16 kHz
)

// heard follows the persona speech received; the reader writes, the loop reads.
type heard struct {
	mu         sync.Mutex
	segs       []twsim.Segment
	lastVoiced time.Duration
}

func (h *heard) frame(now time.Duration, pcm []int16) {
	if media.LevelDBFS(pcm) <= voicedDBFS {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	end := now + media.FrameDuration
	if n := len(h.segs); n > 0 && now-h.lastVoiced <= segmentJoin {
		h.segs[n-1].End = end
	} else {
		h.segs = append(h.segs, twsim.Segment{Start: now, End: end})
	}
	h.lastVoiced = end
}

// state returns the last voiced time and the start of the first segment at or after from.
func (h *heard) state(from time.Duration) (last, replyStart time.Duration, replied bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for i := len(h.segs) - 1; i >= 0 && h.segs[i].Start >= from; i-- {
		replyStart, replied = h.segs[i].Start, true
	}
	return h.lastVoiced, replyStart, replied
}

// director plays the script one 20 ms frame at a time against what was heard.
type director struct {
	steps                      twsim.Script
	clips                      [][]int16 // 16 kHz audio of say and wav steps, by index
	greetTimeout, replyTimeout time.Duration
	print                      func(string, ...any)

	i                    int
	acting, pausing      bool
	activated, replyFrom time.Duration
	pauseFrom, actStart  time.Duration
	off                  int
	turns                []twsim.Turn
}

func speaks(s twsim.Step) bool { return s.Say != "" || s.WAV != "" }

// frame fills dst with the caller's audio at now; it reports a hang-up.
func (d *director) frame(now time.Duration, h *heard, dst []int16) (hangup bool) {
	clear(dst)
	for range 4 { // several steps may end and begin within one frame
		if d.i >= len(d.steps) {
			return true
		}
		s := d.steps[d.i]
		if !d.acting {
			last, start, replied := h.state(d.replyFrom)
			waited := now - d.activated
			gap, pause := s.Gap, s.Pause
			if gap == 0 {
				gap = twsim.DefaultGap
			}
			if pause == 0 {
				pause = twsim.DefaultPause
			}
			switch {
			case waited >= d.replyTimeout:
			case s.Barge > 0:
				if !replied || now < start+s.Barge {
					return false
				}
			default:
				needReply, timeout := d.i == 0, d.greetTimeout
				if d.i > 0 && speaks(d.steps[d.i-1]) {
					needReply, timeout = true, d.replyTimeout
				}
				if needReply && !replied && last <= d.activated && waited < timeout {
					return false
				}
				if now-last < gap {
					d.pausing = false
					return false
				}
				if !d.pausing {
					d.pausing, d.pauseFrom = true, now
				}
				if now-d.pauseFrom < pause {
					return false
				}
			}
			d.begin(now, last)
		}
		switch {
		case s.Hangup:
			return true
		case speaks(s):
			d.off += copy(dst, d.clips[d.i][d.off:])
			if d.off >= len(d.clips[d.i]) {
				d.finish(now + media.FrameDuration)
			}
			return false
		case s.Wait > 0 && now-d.actStart < s.Wait:
			return false
		default: // a finished wait, or dtmf (no keypad in a browser)
			d.finish(now)
		}
	}
	return false
}

func (d *director) begin(now, lastVoiced time.Duration) {
	s := d.steps[d.i]
	d.acting, d.pausing, d.actStart, d.off = true, false, now, 0
	if s.Hangup {
		d.print("-> you hang up")
		return
	}
	t := twsim.Turn{Step: d.i, Start: now, Barged: lastVoiced+100*time.Millisecond >= now && lastVoiced > 0}
	switch {
	case s.Say != "":
		t.Kind, t.Text = "say", s.Say
	case s.WAV != "":
		t.Kind, t.Text = "wav", s.WAV
	case s.DTMF != "":
		t.Kind, t.Text = "dtmf", s.DTMF
		d.print("-> (dtmf %s skipped: no keypad on a browser call)", s.DTMF)
	default:
		t.Kind, t.Text = "wait", s.Wait.String()
	}
	if speaks(s) {
		d.print("-> you: %s", t.Text)
	}
	d.turns = append(d.turns, t)
}

func (d *director) finish(end time.Duration) {
	d.turns[len(d.turns)-1].End = end
	d.replyFrom, d.activated = d.actStart, end
	d.i++
	d.acting = false
}
