package sim

import (
	"time"

	"github.com/sparlab/spar/media"
)

const (
	// voicedDBFS is the frame level above which played audio counts as persona speech; the
	// comfort noise or silence padding a server may send stays below it.
	voicedDBFS = -45.0
	// segmentJoin joins stretches of speech separated by shorter pauses (between words and
	// the server's chunks) into one Segment.
	segmentJoin = 300 * time.Millisecond
)

// heard follows the persona speech the caller hears, frame by frame.
type heard struct {
	segs       []Segment
	lastVoiced time.Duration // end of the last voiced frame; 0 before any
	open       bool          // the last segment may still grow
}

// frame accounts for one played frame starting at now. It reports whether a new segment began.
func (h *heard) frame(now time.Duration, pcm []int16) bool {
	if media.LevelDBFS(pcm) <= voicedDBFS {
		return false
	}
	end := now + media.FrameDuration
	started := false
	if h.open && now-h.lastVoiced <= segmentJoin {
		h.segs[len(h.segs)-1].End = end
	} else {
		h.segs = append(h.segs, Segment{Start: now, End: end})
		h.open, started = true, true
	}
	h.lastVoiced = end
	return started
}

// cut marks the current segment as cut short by a clear. It reports whether one was playing.
func (h *heard) cut(now time.Duration) bool {
	if !h.open || now-h.lastVoiced > segmentJoin {
		return false
	}
	h.segs[len(h.segs)-1].Cleared = true
	h.open = false
	return true
}

// speakingSlack lets a short underrun (audio arriving late from the server) still count as
// the persona speaking.
const speakingSlack = 100 * time.Millisecond

// speaking reports whether persona speech is playing at now.
func (h *heard) speaking(now time.Duration) bool {
	return h.lastVoiced > 0 && h.lastVoiced+speakingSlack >= now
}

// replyStart returns the start of the first segment that began at or after from.
func (h *heard) replyStart(from time.Duration) (time.Duration, bool) {
	start, ok := time.Duration(0), false
	for i := len(h.segs) - 1; i >= 0 && h.segs[i].Start >= from; i-- {
		start, ok = h.segs[i].Start, true
	}
	return start, ok
}
