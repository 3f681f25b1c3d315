package sip

import (
	"testing"
	"time"

	"github.com/pion/rtp"

	"github.com/sparlab/spar/telephony"
)

// clock is a wall clock the test moves.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

// feed is an inbound whose output the test counts, on a clock the test holds.
type feed struct {
	in               *inbound
	clk              *clock
	samples, dropped int
	events           []telephony.Event
}

func newFeed() *feed {
	f := &feed{clk: &clock{t: time.Unix(1000, 0)}}
	f.in = newInbound(func(p []int16) { f.samples += len(p) }, func(n int) { f.dropped += n },
		func(e telephony.Event) { f.events = append(f.events, e) }, f.clk.now)
	f.in.dtmfPT.Store(101)
	return f
}

func (f *feed) send(ssrc, ts uint32, pt uint8, payload []byte) {
	f.in.packet(&rtp.Header{Version: 2, SSRC: ssrc, Timestamp: ts, PayloadType: pt}, payload)
}

func TestInboundClock(t *testing.T) {
	pcmu := make([]byte, 160)
	for i := range pcmu {
		pcmu[i] = 0xff // mu-law silence
	}
	t.Run("gap filled with silence", func(t *testing.T) {
		f := newFeed()
		f.send(1, 1000, 0, pcmu)
		f.clk.t = f.clk.t.Add(200 * time.Millisecond)
		f.send(1, 1000+160*10, 0, pcmu) // 9 packets lost
		if f.in.gaps.Load() != 1 || f.in.pos != 10*320+320 {
			t.Fatalf("gaps %d, media clock %d samples; want one gap and 11 frames", f.in.gaps.Load(), f.in.pos)
		}
	})
	t.Run("late and repeated packets dropped", func(t *testing.T) {
		f := newFeed()
		f.send(1, 1000, 0, pcmu)
		f.send(1, 1160, 0, pcmu)
		f.send(1, 1000, 0, pcmu) // repeated
		f.send(1, 840, 0, pcmu)  // late
		if f.in.late.Load() != 2 || f.dropped != 2 || f.in.pos != 640 {
			t.Fatalf("late %d dropped %d pos %d", f.in.late.Load(), f.dropped, f.in.pos)
		}
	})
	t.Run("new SSRC restarts the clock", func(t *testing.T) {
		f := newFeed()
		f.send(1, 1000, 0, pcmu)
		f.send(2, 4_000_000_000, 0, pcmu) // a re-anchored stream, far-off timestamp
		if f.in.gaps.Load() != 0 || f.in.late.Load() != 0 || f.in.pos != 640 {
			t.Fatalf("gaps %d late %d pos %d", f.in.gaps.Load(), f.in.late.Load(), f.in.pos)
		}
	})
	t.Run("forged timestamps bounded by the wall clock", func(t *testing.T) {
		f := newFeed()
		for i := range 100 { // 100 jumps of 1 s each, all at one instant
			f.send(1, uint32(i)*8000, 0, pcmu)
		}
		if ahead := time.Duration(f.in.pos) * time.Second / telephony.Rate; ahead > telephony.MaxAhead+20*time.Millisecond {
			t.Fatalf("media clock ran %v ahead of the wall clock", ahead)
		}
		if f.in.clamped.Load() == 0 {
			t.Fatal("nothing counted as clamped")
		}
	})
	t.Run("silence while the caller sends nothing, not counted twice", func(t *testing.T) {
		f := newFeed()
		f.send(1, 1000, 0, pcmu)
		f.clk.t = f.clk.t.Add(time.Second)
		f.in.tick() // nothing came for 1 s: all but the last lateRTP becomes silence
		if want := int64(telephony.Rate*9/10) - int64(telephony.Rate*9/10)%frame16k; f.in.pos != want {
			t.Fatalf("after a silent second the media clock is %d samples, want %d", f.in.pos, want)
		}
		f.send(1, 1160+8000, 0, pcmu) // the caller's next packet, 1 s of timestamps later
		if want := int64(telephony.Rate + 2*frame16k); f.in.pos != want {
			t.Fatalf("media clock %d samples after the packet, want %d: the gap counted once", f.in.pos, want)
		}
	})
	t.Run("a held line is silence", func(t *testing.T) {
		var loud int
		f := newFeed()
		f.in.deliver = func(p []int16) {
			for _, v := range p {
				if v > 1000 || v < -1000 {
					loud++
				}
			}
		}
		f.in.frames.Reset()
		music := make([]byte, 160)
		for i := range music {
			music[i] = byte(i) // loud mu-law values
		}
		f.in.held.Store(true)
		f.send(1, 1000, 0, music)
		f.send(1, 1160, 0, music)
		if loud != 0 || f.in.pos != 640 {
			t.Fatalf("held: %d loud samples delivered, clock %d", loud, f.in.pos)
		}
	})
	t.Run("A-law and mu-law by payload type", func(t *testing.T) {
		f := newFeed()
		f.send(1, 1000, ptPCMA, pcmu)
		f.send(1, 1160, ptPCMU, pcmu)
		f.send(1, 1320, 18, pcmu) // G.729: never negotiated
		if f.in.packets.Load() != 2 || f.in.other.Load() != 1 {
			t.Fatalf("packets %d other %d", f.in.packets.Load(), f.in.other.Load())
		}
	})
}

func TestInboundDTMF(t *testing.T) {
	f := newFeed()
	press := func(ts uint32, ev byte) {
		for i := range 6 { // three updates, three end packets
			end := byte(0)
			if i >= 3 {
				end = 0x80
			}
			f.send(1, ts, 101, []byte{ev, end | 10, 0, byte(160 * (i + 1))})
		}
	}
	press(8000, 5)
	press(9600, 11)
	press(11200, 5)
	f.send(1, 12800, 101, []byte{1}) // short payload
	var keys string
	malformed := 0
	for _, e := range f.events {
		switch e.Kind {
		case telephony.EventDTMF:
			keys += e.Detail
		case telephony.EventMalformed:
			malformed++
		}
	}
	if keys != "5#5" || malformed != 1 {
		t.Fatalf("keys %q malformed %d, want 5#5 and 1", keys, malformed)
	}
}

// BenchmarkInbound is the learner path per 20 ms packet: decode, upsample, frame.
func BenchmarkInbound(b *testing.B) {
	f := newFeed()
	pcmu := make([]byte, 160)
	b.ReportAllocs()
	for i := range b.N {
		f.clk.t = f.clk.t.Add(20 * time.Millisecond)
		f.send(1, uint32(i)*160, 0, pcmu)
	}
}

// FuzzRTP: any datagram on a call's media port, parsed as RTP and fed to the learner path,
// never panics and never drives the media clock past the wall clock's budget.
func FuzzRTP(f *testing.F) {
	f.Add([]byte{0x80, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0xa0, 0, 0, 0, 1, 0xff, 0xff})
	f.Add([]byte{0x80, 0xe5, 0x00, 0x02, 0x00, 0x00, 0x01, 0x40, 0, 0, 0, 1, 5, 0x8a, 0, 160})
	f.Fuzz(func(t *testing.T, data []byte) {
		fd := newFeed()
		var pkt rtp.Packet
		for range 3 { // the same datagram thrice: repeats and jumps
			if pkt.Unmarshal(data) != nil {
				return
			}
			fd.in.packet(&pkt.Header, pkt.Payload)
		}
		if ahead := time.Duration(fd.in.pos) * time.Second / telephony.Rate; ahead > telephony.MaxAhead+time.Second/5 {
			t.Fatalf("media clock %v ahead of a wall clock that did not move", ahead)
		}
	})
}
