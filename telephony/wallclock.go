package telephony

import "time"

// MaxAhead is how far a transport's media clock may run ahead of the wall clock. Media
// timestamps come from the far end: honest peers stay within network jitter of real time,
// so anything beyond this budget is a forged or broken clock and is dropped, not delivered.
const MaxAhead = time.Second

// WallBound keeps a call's media clock (samples delivered, gaps filled included) from
// running ahead of the wall clock by more than a budget: without it a peer whose timestamps
// jump ahead can make the transport insert seconds of silence per packet, feeding the
// recorder, VAD and STT minutes of audio in a second. Its zero value is not usable; use
// NewWallBound. It does not allocate.
type WallBound struct {
	now     func() time.Time
	rate    int64
	ahead   int64 // samples
	start   time.Time
	started bool
	dropped int64
}

// NewWallBound bounds a clock of rate samples a second to ahead past the time elapsed since
// its first Allow, read from now (time.Now when nil).
func NewWallBound(now func() time.Time, rate int, ahead time.Duration) *WallBound {
	if now == nil {
		now = time.Now
	}
	return &WallBound{now: now, rate: int64(rate), ahead: ahead.Microseconds() * int64(rate) / 1e6}
}

// Allow reports how many of n samples may be written when pos samples have been written so
// far; the rest are counted as dropped. The first call starts the wall clock.
func (b *WallBound) Allow(pos, n int64) int64 {
	t := b.now()
	if !b.started {
		b.start, b.started = t, true
	}
	limit := t.Sub(b.start).Microseconds()*b.rate/1e6 + b.ahead
	ok := max(0, min(n, limit-pos))
	b.dropped += n - ok
	return ok
}

// Dropped returns how many samples Allow refused.
func (b *WallBound) Dropped() int64 { return b.dropped }
