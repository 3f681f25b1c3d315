package twilio

import (
	"errors"
	"testing"
	"time"

	"github.com/sparlab/spar/telephony"
)

// failWire fails every write after the first ok ones.
type failWire struct {
	ok   int
	sent int
}

var errWire = errors.New("connection reset")

func (f *failWire) WriteMessage(int, []byte) error {
	if f.sent >= f.ok {
		return errWire
	}
	f.sent++
	return nil
}
func (f *failWire) WriteControl(int, []byte, time.Time) error { return nil }
func (f *failWire) SetWriteDeadline(time.Time) error          { return nil }

func TestSinkWriteErrorEndsCall(t *testing.T) {
	var cause error
	s, err := newSink(&failWire{ok: 2}, testStreamSid, DefaultConfig(), func(err error) {
		if cause == nil {
			cause = err
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	frame := make([]int16, 320)
	for i := range 2 {
		if err := s.WriteSample(frame); err != nil {
			t.Fatalf("frame %d: %v", i, err)
		}
	}
	if err := s.WriteSample(frame); !errors.Is(err, errWire) {
		t.Fatalf("third frame: %v", err)
	}
	if !errors.Is(cause, errWire) {
		t.Fatalf("call cause %v", cause)
	}
	if err := s.Clear(); !errors.Is(err, errWire) {
		t.Fatalf("Clear after failure: %v", err)
	}
}

func TestSinkMarkEchoes(t *testing.T) {
	s, err := newSink(&discardWire{}, testStreamSid, DefaultConfig(), func(error) {})
	if err != nil {
		t.Fatal(err)
	}
	for range 15 { // marks m1, m2, m3
		if err := s.WriteSample(make([]int16, 320)); err != nil {
			t.Fatal(err)
		}
	}
	steps := []struct {
		echo string
		want time.Duration
	}{
		{"x7", 0},                       // not ours
		{"m2", 200 * time.Millisecond},  // m1 skipped: Twilio lost it, m2 still counts
		{"m1", 200 * time.Millisecond},  // stale
		{"m99", 200 * time.Millisecond}, // never sent
		{"m3", 300 * time.Millisecond},
	}
	for _, st := range steps {
		s.markEchoed(st.echo)
		if got := s.Played(); got != st.want {
			t.Fatalf("after %s: played %v, want %v", st.echo, got, st.want)
		}
	}
}

// The dialog engine reads the send-ahead budget through the call; a WebRTC-like sink without
// one leaves the engine's own lead.
func TestSinkSendAheadThroughCall(t *testing.T) {
	cfg := DefaultConfig()
	cfg.SendAhead = 240 * time.Millisecond
	s, err := newSink(&discardWire{}, testStreamSid, cfg, func(error) {})
	if err != nil {
		t.Fatal(err)
	}
	call := telephony.NewCall(telephony.Info{}, s, func(error) {})
	if got := call.SendAhead(); got != 240*time.Millisecond {
		t.Errorf("call.SendAhead() = %v, want the sink's 240ms", got)
	}
}
