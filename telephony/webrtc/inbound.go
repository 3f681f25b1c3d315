package webrtc

import (
	"time"

	"github.com/pion/interceptor"
	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"

	"github.com/sparlab/spar/media"
	"github.com/sparlab/spar/telephony"
)

// trackReader is the remote track as the reader uses it; *webrtc.TrackRemote satisfies it.
type trackReader interface {
	Read(b []byte) (int, interceptor.Attributes, error)
}

var _ trackReader = (*webrtc.TrackRemote)(nil)

const (
	maxDecoded = 120 * telephony.Rate / 1000 // samples in the longest Opus packet (120 ms)
	maxGapFill = 2 * telephony.Rate          // fill at most 2 s of silence per timestamp jump
)

// inbound turns the learner's RTP into 16 kHz frames for the call, in one push chain:
// RTP -> decode at 16 kHz -> 320-sample framer -> Call.Deliver. The RTP timestamp is the
// media clock: a jump ahead (lost packets, a muted sender) is filled with silence, so the
// number of frames delivered stays the call's clock; late, repeated and undecodable packets
// are dropped and counted with discard (in 20 ms frames).
type inbound struct {
	deliver func([]int16)
	discard func(frames int)
	codec   *codecPath
	buf     []byte // one datagram
	pkt     rtp.Packet
	pcm     []int16
	frames  *media.Framer // 320-sample frames, into deliver
	started bool
	nextTS  uint32 // RTP timestamp the next packet should carry
	wall    *telephony.WallBound

	packets, late, bad, gaps, clamped uint64
	gapSamples, pos                   int64
}

// newInbound builds the chain into deliver; now is the wall clock the media clock is bounded
// against (telephony.MaxAhead), time.Now when nil.
func newInbound(deliver func([]int16), discard func(int), codec *codecPath, now func() time.Time) *inbound {
	return &inbound{deliver: deliver, discard: discard, codec: codec, buf: make([]byte, 1500),
		wall:   telephony.NewWallBound(now, telephony.Rate, telephony.MaxAhead),
		pcm:    make([]int16, maxDecoded),
		frames: media.NewFramer(media.WriterFunc(func(p []int16) error { deliver(p); return nil }), frame16k)}
}

// run reads the track until it ends (the connection closed).
func (in *inbound) run(t trackReader) {
	for {
		n, _, err := t.Read(in.buf)
		if err != nil {
			return
		}
		if err := in.pkt.Unmarshal(in.buf[:n]); err != nil {
			in.bad++
			in.discard(1)
			continue
		}
		in.packet(&in.pkt)
	}
}

// packet handles one RTP packet.
func (in *inbound) packet(p *rtp.Packet) {
	if in.started {
		d := int32(p.Timestamp - in.nextTS)
		if d < 0 {
			in.late++
			in.discard(1)
			return
		}
		if d > 0 {
			in.fill(int64(d) * telephony.Rate / int64(in.codec.clockRate))
		}
	}
	if len(p.Payload) == 0 {
		return // padding only
	}
	n, err := in.codec.dec.decode(p.Payload, in.pcm)
	if err != nil || n <= 0 {
		in.bad++
		in.discard(1)
		return
	}
	in.started = true
	in.packets++
	in.nextTS = p.Timestamp + uint32(int64(n)*int64(in.codec.clockRate)/telephony.Rate)
	if ok := in.wall.Allow(in.pos, int64(n)); ok < int64(n) {
		// Packets faster than real time: what runs past the budget is dropped, not queued.
		in.clamped++
		in.discard(1)
		n = int(ok)
	}
	in.write(in.pcm[:n])
}

// fill writes gap samples of silence, at most maxGapFill and never past the wall clock's
// budget (the rest is counted as clamped).
func (in *inbound) fill(gap int64) {
	if gap < frame16k/2 {
		return // clock jitter, not a gap
	}
	gap = min(gap, maxGapFill)
	if ok := in.wall.Allow(in.pos, gap); ok < gap {
		in.clamped++
		if gap = ok; gap == 0 {
			return
		}
	}
	in.gaps++
	in.gapSamples += gap
	in.pos += gap
	_ = in.frames.WriteSilence(int(gap)) // deliver never fails
}

// write cuts audio into 20 ms frames for the call.
func (in *inbound) write(p []int16) {
	in.pos += int64(len(p))
	_ = in.frames.WriteSample(p) // deliver never fails
}

// now is the media time: learner audio (with filled gaps) so far.
func (in *inbound) now() int64 { return in.pos }
