package sip

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/rtp"

	"github.com/sparlab/spar/media"
	"github.com/sparlab/spar/telephony"
)

const (
	maxGapFill = 2 * telephony.Rate // fill at most 2 s of silence per timestamp jump
	// lateRTP is how far the wall clock may run ahead of the caller's audio before the
	// missing audio counts as silence: jitter plus a lost packet or two.
	lateRTP = 100 * time.Millisecond
)

// inbound turns the caller's RTP into 16 kHz frames for the call, in one push chain:
// RTP -> G.711 decode (by payload type: the law may change on a re-INVITE) -> 8 to 16 kHz
// -> 320-sample framer -> Call.Deliver. As on the other transports the RTP timestamp is the
// media clock: a jump ahead (lost packets, hold, silence suppression) is filled with
// silence so the frames delivered stay the call's clock, but never more than
// telephony.MaxAhead ahead of the wall clock; late or repeated packets are dropped and
// counted. Unlike Twilio, a SIP caller may send nothing at all for a while (silence
// suppression, hold, a pcap that ended): tick, every 20 ms, fills what is more than lateRTP
// behind the wall clock with silence, so the call's clock never stops; the next packet's
// timestamp gap is filled only for what tick has not. A new SSRC (a PBX re-anchoring media after a transfer or hold) restarts the
// clock instead of reading as a huge jump. Telephone-events become DTMF events.
type inbound struct {
	mu      sync.Mutex // packet (the reader) and tick (the clock) share the chain
	deliver func([]int16)
	discard func(frames int)
	notify  func(telephony.Event)
	dtmfPT  atomic.Int32 // negotiated telephone-event payload type, -1 when none
	held    atomic.Bool  // the caller put the call on hold: its audio counts as silence

	pcm8   []int16
	pcm16  []int16 // what the upsampler produced for one packet
	up     *media.Resampler
	frames *media.Framer
	dtmf   dtmfDetector

	started bool
	ssrc    uint32
	nextTS  uint32
	wall    *telephony.WallBound
	clock   func() time.Time
	start   time.Time // answer time: the call's clock starts here
	pos     int64     // 16 kHz samples delivered: the media clock
	filled  int64     // silence tick wrote since the last packet

	packets, late, bad, gaps, clamped, keys, other, synth atomic.Uint64
	foreign                                               atomic.Uint64 // packets from addresses not in the call
}

// newInbound builds the chain into deliver; now is the wall clock (time.Now when nil).
func newInbound(deliver func([]int16), discard func(int), notify func(telephony.Event), now func() time.Time) *inbound {
	if now == nil {
		now = time.Now
	}
	in := &inbound{deliver: deliver, discard: discard, notify: notify, clock: now, start: now(),
		pcm8: make([]int16, 0, 1500), pcm16: make([]int16, 0, 3000),
		wall: telephony.NewWallBound(now, telephony.Rate, telephony.MaxAhead)}
	in.dtmfPT.Store(-1)
	in.wall.Allow(0, 0) // the wall clock starts with the call, not with the first packet
	in.frames = media.NewFramer(media.WriterFunc(func(p []int16) error { in.deliver(p); return nil }), frame16k)
	// 8 kHz to 16 kHz is a supported ratio; the error cannot happen.
	in.up, _ = media.NewResampler(media.WriterFunc(func(p []int16) error { in.pcm16 = append(in.pcm16, p...); return nil }),
		media.Rate8k, telephony.Rate)
	return in
}

// packet handles one RTP packet's header and payload.
func (in *inbound) packet(h *rtp.Header, payload []byte) {
	in.mu.Lock()
	defer in.mu.Unlock()
	if len(payload) == 0 {
		return // keep-alive or a sendonly session's parsed-but-unused packet
	}
	if pt := in.dtmfPT.Load(); pt >= 0 && h.PayloadType == uint8(pt) {
		in.event(h, payload)
		return
	}
	if h.PayloadType != ptPCMU && h.PayloadType != ptPCMA {
		in.other.Add(1) // comfort noise or a codec never negotiated
		return
	}
	if in.started && h.SSRC != in.ssrc {
		in.started = false // a new stream: its clock has nothing to do with the old one
	}
	if in.started {
		d := int32(h.Timestamp - in.nextTS)
		if d < 0 {
			in.late.Add(1)
			in.discard(1)
			return
		}
		if gap := int64(d)*telephony.Rate/media.Rate8k - in.filled; gap > 0 {
			in.fill(gap)
		}
	}
	in.filled = 0
	if len(payload) > cap(in.pcm8) {
		in.bad.Add(1)
		in.discard(1)
		return
	}
	l := lawOf(h.PayloadType)
	in.pcm8 = in.pcm8[:len(payload)]
	held := in.held.Load()
	for i, b := range payload {
		if held {
			in.pcm8[i] = 0
		} else {
			in.pcm8[i] = l.decode(b)
		}
	}
	in.pcm16 = in.pcm16[:0]
	_ = in.up.WriteSample(in.pcm8) // collects into pcm16, never fails
	in.started, in.ssrc = true, h.SSRC
	in.nextTS = h.Timestamp + uint32(len(payload))
	in.packets.Add(1)
	n := int64(len(in.pcm16))
	if ok := in.wall.Allow(in.pos, n); ok < n {
		// Packets faster than real time: what runs past the budget is dropped, not queued.
		in.clamped.Add(1)
		in.discard(1)
		n = ok
	}
	in.write(in.pcm16[:n])
}

// event reports a key press from a telephone-event payload.
func (in *inbound) event(h *rtp.Header, payload []byte) {
	key, ok := in.dtmf.packet(h.Timestamp, payload)
	switch {
	case !ok:
		in.bad.Add(1)
		in.notify(telephony.Event{Kind: telephony.EventMalformed, Detail: "short telephone-event payload", At: in.mediaTime()})
	case key != 0:
		in.keys.Add(1)
		in.notify(telephony.Event{Kind: telephony.EventDTMF, Detail: string(rune(key)), At: in.mediaTime()})
	}
}

// tick fills with silence what the caller has not sent and is more than lateRTP overdue.
func (in *inbound) tick() {
	in.mu.Lock()
	defer in.mu.Unlock()
	due := (in.clock().Sub(in.start) - lateRTP).Microseconds() * telephony.Rate / 1e6
	due -= due % frame16k
	if n := due - in.pos; n > 0 {
		n = min(n, maxGapFill)
		in.synth.Add(uint64(n))
		in.filled += n
		in.silence(n)
	}
}

// fill writes gap samples of silence, at most maxGapFill and never past the wall clock's
// budget.
func (in *inbound) fill(gap int64) {
	if gap < frame16k/2 {
		return // clock jitter, not a gap
	}
	gap = min(gap, maxGapFill)
	if ok := in.wall.Allow(in.pos, gap); ok < gap {
		in.clamped.Add(1)
		if gap = ok; gap == 0 {
			return
		}
	}
	in.gaps.Add(1)
	in.silence(gap)
}

func (in *inbound) write(p []int16) {
	in.pos += int64(len(p))
	_ = in.frames.WriteSample(p) // deliver never fails
}

// silence writes n samples of silence.
func (in *inbound) silence(n int64) {
	in.pos += n
	_ = in.frames.WriteSilence(int(n)) // deliver never fails
}

// now is the media time: learner audio (with filled gaps) so far.
func (in *inbound) now() time.Duration {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.mediaTime()
}

func (in *inbound) mediaTime() time.Duration {
	return time.Duration(in.pos) * time.Second / telephony.Rate
}
