package twilio

import (
	"encoding/base64"
	"fmt"
	"testing"
	"time"

	"github.com/sparlab/spar/telephony"
)

// BenchmarkInboundMedia handles one 20 ms media message end to end on the fast path, as the
// reader does: scan -> base64 -> mu-law -> 8 to 16 kHz -> one 320-sample frame to the call.
func BenchmarkInboundMedia(b *testing.B) {
	benchInbound(b, func(msg []byte, m *Message, in *inbound) error {
		var v mediaView
		if !scanMedia(msg, &v) {
			return fmt.Errorf("fast path refused %q", msg)
		}
		return in.mediaView(&v)
	})
}

// BenchmarkInboundMediaJSON is the same message through DecodeMessage, the fallback path.
func BenchmarkInboundMediaJSON(b *testing.B) {
	benchInbound(b, func(msg []byte, m *Message, in *inbound) error {
		if err := DecodeMessage(msg, m); err != nil {
			return err
		}
		return in.media(m.Media)
	})
}

func benchInbound(b *testing.B, handle func([]byte, *Message, *inbound) error) {
	msg := []byte(fmt.Sprintf(`{"event":"media","sequenceNumber":"4","media":{"track":"inbound","chunk":"2","timestamp":"0","payload":"%s"},"streamSid":"%s"}`,
		base64.StdEncoding.EncodeToString(sineMulaw(0)), testStreamSid))
	frames := 0
	call := telephony.NewCall(telephony.Info{}, nil, func(error) {})
	call.Listen(countFrames{&frames})
	in, err := newInbound(call, steppingClock(time.Hour))
	if err != nil {
		b.Fatal(err)
	}
	var m Message
	b.ReportAllocs()
	b.SetBytes(int64(len(msg)))
	for b.Loop() {
		if err := handle(msg, &m, in); err != nil {
			b.Fatal(err)
		}
	}
	if frames == 0 {
		b.Fatal("no frame delivered")
	}
}

type countFrames struct{ n *int }

func (c countFrames) Audio([]int16)         { *c.n++ }
func (c countFrames) Event(telephony.Event) {}

// BenchmarkOutboundFrame encodes and sends one 20 ms frame of persona audio: 16 to 8 kHz,
// mu-law, base64, JSON, with a mark every fifth frame.
func BenchmarkOutboundFrame(b *testing.B) {
	w := &discardWire{}
	cfg := DefaultConfig()
	s, err := newSink(w, testStreamSid, cfg, func(error) {})
	if err != nil {
		b.Fatal(err)
	}
	frame := sine(320, 16000, 0)
	b.ReportAllocs()
	for b.Loop() {
		if err := s.WriteSample(frame); err != nil {
			b.Fatal(err)
		}
	}
	if w.n == 0 {
		b.Fatal("nothing sent")
	}
}

type discardWire struct{ n int }

func (d *discardWire) WriteMessage(int, []byte) error            { d.n++; return nil }
func (d *discardWire) WriteControl(int, []byte, time.Time) error { return nil }
func (d *discardWire) SetWriteDeadline(time.Time) error          { return nil }
