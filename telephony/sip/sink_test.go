package sip

import (
	"net"
	"testing"
	"time"
)

// fakeRTP records what the sink writes.
type fakeRTP struct {
	payloads int
	markers  int
	ts       uint32 // timestamp of the next packet
	stamps   []uint32
}

func (f *fakeRTP) WriteSamples(p []byte, ticks uint32, marker bool, pt uint8) (int, error) {
	f.payloads++
	if marker {
		f.markers++
	}
	f.stamps = append(f.stamps, f.ts)
	f.ts += ticks
	return len(p), nil
}

func (f *fakeRTP) DelayTimestamp(ticks uint32) { f.ts += ticks }

// TestSinkClock: one packet per 20 ms frame; after a pause the timestamp jumps by the pause
// and the marker starts a talkspurt; on hold nothing is sent but the clock runs on.
func TestSinkClock(t *testing.T) {
	w, clk := &fakeRTP{}, &clock{t: time.Unix(1000, 0)}
	s := newSink(w, ptPCMU, clk.now, func(error) {})
	frame := tone(440, 320)
	for range 3 {
		_ = s.WriteSample(frame)
		clk.t = clk.t.Add(20 * time.Millisecond)
	}
	clk.t = clk.t.Add(time.Second) // the persona pauses
	_ = s.WriteSample(frame)
	if w.payloads != 4 || w.markers != 2 {
		t.Fatalf("packets %d markers %d, want 4 and 2", w.payloads, w.markers)
	}
	if jump := w.stamps[3] - w.stamps[2]; jump != 160*51 {
		t.Errorf("timestamp jumped %d ticks over the pause, want %d", jump, 160*51)
	}
	s.mute.Store(true)
	_ = s.WriteSample(frame)
	if w.payloads != 4 || s.Played() != 100*time.Millisecond {
		t.Errorf("on hold: %d packets, played %v", w.payloads, s.Played())
	}
}

// BenchmarkSink is the persona path per 20 ms frame: downsample, encode, packetize.
func BenchmarkSink(b *testing.B) {
	clk := &clock{t: time.Unix(1000, 0)}
	conn, err := listenRTP(mustAddr("127.0.0.1"), 0, 0)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.close()
	peer, err := listenRTP(mustAddr("127.0.0.1"), 0, 0) // receives and drops: the send is measured too
	if err != nil {
		b.Fatal(err)
	}
	defer peer.close()
	conn.target(peer.conn.LocalAddr().(*net.UDPAddr).AddrPort(), mustAddr("127.0.0.1"))
	s := newSink(conn, ptPCMU, clk.now, func(error) {})
	frame := tone(440, 320)
	b.ReportAllocs()
	for range b.N {
		clk.t = clk.t.Add(20 * time.Millisecond)
		if err := s.WriteSample(frame); err != nil {
			b.Fatal(err)
		}
	}
}
