package media

import "time"

// Talkspurts keeps an RTP sender's clock honest across the pauses of a paced stream: the
// playout sends nothing while the persona is quiet, so the packet after a pause must carry
// a timestamp advanced by the wall-clock time that passed and the marker bit that starts a
// talkspurt, or the far end's jitter buffer sees a fake delay. The WebRTC and SIP sinks
// share it. The zero value is ready; it is not safe for concurrent use.
type Talkspurts struct {
	last time.Time // when the last packet went out
	n    uint64
}

// Next is called for each 20 ms packet about to go out at now. It returns how many frames'
// worth of timestamp to skip before it (the pause, less the frame the packet follows on
// from) and whether it starts a talkspurt (the first packet, or the first after a pause of
// two frames or more).
func (t *Talkspurts) Next(now time.Time) (skip uint32, marker bool) {
	switch {
	case t.last.IsZero():
		marker = true
	case now.Sub(t.last) >= 2*FrameDuration:
		skip = uint32((now.Sub(t.last)+FrameDuration/2)/FrameDuration) - 1
		marker = true
	}
	if marker {
		t.n++
	}
	t.last = now
	return skip, marker
}

// Count returns how many talkspurts have started.
func (t *Talkspurts) Count() uint64 { return t.n }
