package twilio

import (
	"encoding/base64"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/sparlab/spar/telephony"
)

func TestStreamCall(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.MaxMessageBytes = 2048 })
	// A fixed clock: only the first bad message is reported to the call.
	h.srv.now = func() time.Time { return time.Unix(1_700_000_000, 0) }
	p, _, err := h.dial(t, testToken)
	if err != nil {
		t.Fatal(err)
	}
	p.connectedAndStart(mulaw8k)
	got := <-h.calls
	call, rec := got.call, got.rec

	t.Run("info", func(t *testing.T) {
		i := call.Info
		if i.ID != "cTESTCALLID" || i.Transport != "twilio" || i.ExternalID != testCallSid ||
			i.From != "+14155550100" || i.To != "+15550001111" || i.Scenario != "angry-double-charge" ||
			i.Learner != "alice" || i.Params["scenario"] != "angry-double-charge" || i.Started.IsZero() {
			t.Fatalf("info %+v", i)
		}
	})

	t.Run("audio with a gap", func(t *testing.T) {
		// 10 chunks at 0..180 ms, Twilio skips 200 ms of silence, 5 chunks at 400..480 ms.
		for i := range 10 {
			p.media(i*20, sineMulaw(i))
		}
		for i := range 5 {
			p.media(400+i*20, sineMulaw(10+i))
		}
		p.dtmf("5")
		e := rec.nextEvent(t, telephony.EventDTMF)
		if e.Detail != "5" || e.At != 500*time.Millisecond {
			t.Fatalf("dtmf event %+v, want digit 5 at 500ms", e)
		}
		// 500 ms of media time at 16 kHz: 25 frames of 320 samples.
		var pcm []int16
		for len(rec.audio) > 0 {
			f := <-rec.audio
			if len(f) != 320 {
				t.Fatalf("frame of %d samples", len(f))
			}
			pcm = append(pcm, f...)
		}
		if len(pcm) != 25*320 {
			t.Fatalf("delivered %d samples, want %d", len(pcm), 25*320)
		}
		if r := rms(pcm[400:3000]); r < 4000 {
			t.Errorf("tone RMS %.0f, want about 5600", r)
		}
		if r := rms(pcm[3300:6300]); r != 0 {
			t.Errorf("gap RMS %.1f, want silence", r)
		}
		if r := rms(pcm[6800:8000]); r < 4000 {
			t.Errorf("tone after gap RMS %.0f", r)
		}
	})

	t.Run("bad messages are counted and the call goes on", func(t *testing.T) {
		p.send(`{"event":"media",`)
		p.send(fmt.Sprintf(`{"event":"media","sequenceNumber":"%d","media":{"track":"inbound","timestamp":"500","payload":"***"}}`, p.nextSeq()))
		p.send(`{"event":"transcription"}`)
		p.send(`{"event":"media","media":{"payload":"` + strings.Repeat("A", 3000) + `"}}`)
		p.send(`{"event":"media","sequenceNumber":"1","media":{"track":"inbound","timestamp":"520","payload":"//8A"}}`) // sequence went back
		p.media(100, sineMulaw(0))                                                                                      // timestamp went back
		if err := p.conn.WriteMessage(websocket.BinaryMessage, []byte{1, 2, 3}); err != nil {
			t.Fatal(err)
		}
		p.dtmf("6")
		m := rec.nextEvent(t, telephony.EventMalformed)
		if !strings.Contains(m.Detail, "malformed") || !strings.Contains(m.Detail, "(1 bad messages so far)") {
			t.Errorf("malformed event %q", m.Detail)
		}
		if e := rec.nextEvent(t, telephony.EventDTMF); e.Detail != "6" {
			t.Fatalf("dtmf %+v", e)
		}
		for len(rec.events) > 0 {
			if e := <-rec.events; e.Kind == telephony.EventMalformed {
				t.Errorf("second malformed report within a second: %+v", e)
			}
		}
		if n := len(rec.audio); n != 0 {
			t.Errorf("bad messages delivered %d frames", n)
		}
		select {
		case err := <-h.ended:
			t.Fatalf("call ended: %v", err)
		default:
		}
	})

	t.Run("outbound frames and marks", func(t *testing.T) {
		for i := range 12 {
			if err := call.WriteSample(sine(320, 16000, i*320)); err != nil {
				t.Fatal(err)
			}
		}
		want := []string{"media", "media", "media", "media", "media", "mark:m1", "media", "media", "media", "media", "media", "mark:m2", "media", "media"}
		for i, w := range want {
			m := p.recv()
			switch {
			case w == "media":
				if m.Event != EventMedia {
					t.Fatalf("message %d: %s, want media", i, m.Event)
				}
				raw, err := base64.StdEncoding.DecodeString(m.Media.Payload)
				if err != nil || len(raw) != 160 {
					t.Fatalf("message %d: payload of %d bytes (%v)", i, len(raw), err)
				}
			case m.Event != EventMark || "mark:"+m.Mark.Name != w:
				t.Fatalf("message %d: %+v, want %s", i, m, w)
			}
		}
		if call.Played() != 0 {
			t.Fatalf("played %v before any echo", call.Played())
		}
		p.mark("m1")
		rec.nextEvent(t, telephony.EventMark)
		if got := call.Played(); got != 100*time.Millisecond {
			t.Fatalf("played %v after m1, want 100ms", got)
		}
		p.mark("m2")
		rec.nextEvent(t, telephony.EventMark)
		if got := call.Played(); got != 200*time.Millisecond {
			t.Fatalf("played %v after m2, want 200ms", got)
		}
	})

	t.Run("marks echoed after clear do not count", func(t *testing.T) {
		for i := range 8 { // with the 2 frames already sent: marks m3 and m4
			if err := call.WriteSample(sine(320, 16000, i*320)); err != nil {
				t.Fatal(err)
			}
		}
		var marks []string
		for len(marks) < 2 {
			if m := p.recv(); m.Event == EventMark {
				marks = append(marks, m.Mark.Name)
			}
		}
		if marks[0] != "m3" || marks[1] != "m4" {
			t.Fatalf("marks %v", marks)
		}
		if err := call.Clear(); err != nil {
			t.Fatal(err)
		}
		if m := p.recv(); m.Event != EventClear {
			t.Fatalf("got %s, want clear", m.Event)
		}
		p.mark("m3") // Twilio echoes every pending mark after a clear
		p.mark("m4")
		if e := rec.nextEvent(t, telephony.EventMark); e.Detail != "m3" {
			t.Fatalf("mark event %+v", e)
		}
		rec.nextEvent(t, telephony.EventMark)
		if got := call.Played(); got != 200*time.Millisecond {
			t.Fatalf("played %v after cleared marks, want 200ms", got)
		}
		// Audio after the clear counts on top of what was heard.
		for i := range 5 {
			if err := call.WriteSample(sine(320, 16000, i*320)); err != nil {
				t.Fatal(err)
			}
		}
		for {
			if m := p.recv(); m.Event == EventMark {
				if m.Mark.Name != "m5" {
					t.Fatalf("mark %s, want m5", m.Mark.Name)
				}
				break
			}
		}
		p.mark("m5")
		rec.nextEvent(t, telephony.EventMark)
		if got := call.Played(); got != 300*time.Millisecond {
			t.Fatalf("played %v after m5, want 300ms", got)
		}
	})

	t.Run("stop ends the call", func(t *testing.T) {
		p.stop()
		if err := <-h.ended; !errors.Is(err, ErrStopped) {
			t.Fatalf("cause %v, want ErrStopped", err)
		}
		if code := p.closeCode(); code != websocket.CloseNormalClosure {
			t.Fatalf("close code %d", code)
		}
		if err := call.WriteSample(make([]int16, 320)); err == nil {
			t.Fatal("WriteSample after the end succeeded")
		}
	})
	select {
	case <-rec.drops:
		t.Fatal("recorder dropped audio or events")
	default:
	}
}

func TestStreamTooManyMalformed(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.MaxMalformed = 3 })
	step := time.Unix(1_700_000_000, 0)
	h.srv.now = func() time.Time { step = step.Add(2 * time.Second); return step } // every fault is reported
	p, _, err := h.dial(t, testToken)
	if err != nil {
		t.Fatal(err)
	}
	p.connectedAndStart(mulaw8k)
	got := <-h.calls
	rec := got.rec
	for range 3 {
		p.send(`not json`)
	}
	p.send(`{"event":"nonsense","streamSid":"x"}`) // not audio: not a discarded frame
	if err := <-h.ended; !errors.Is(err, ErrTooManyMalformed) {
		t.Fatalf("cause %v, want ErrTooManyMalformed", err)
	}
	if code := p.closeCode(); code != websocket.ClosePolicyViolation {
		t.Fatalf("close code %d, want %d", code, websocket.ClosePolicyViolation)
	}
	for i := 1; i <= 4; i++ {
		if e := rec.nextEvent(t, telephony.EventMalformed); !strings.Contains(e.Detail, "so far") {
			t.Fatalf("report %d: %q", i, e.Detail)
		}
	}
	if n := got.call.Discarded(); n != 3 {
		t.Errorf("Discarded = %d after 3 unreadable messages and an unknown event, want 3", n)
	}
}

func TestStreamRefused(t *testing.T) {
	t.Run("unsigned upgrade", func(t *testing.T) {
		h := newHarness(t, nil)
		_, resp, err := h.dial(t, "")
		if err == nil || resp == nil || resp.StatusCode != http.StatusForbidden {
			t.Fatalf("err %v, resp %v", err, resp)
		}
	})
	t.Run("wrongly signed upgrade", func(t *testing.T) {
		h := newHarness(t, nil)
		_, resp, err := h.dial(t, "wrong-token")
		if err == nil || resp == nil || resp.StatusCode != http.StatusForbidden {
			t.Fatalf("err %v, resp %v", err, resp)
		}
	})
	t.Run("no start in time", func(t *testing.T) {
		h := newHarness(t, func(c *Config) { c.StartTimeout = time.Millisecond })
		p, _, err := h.dial(t, testToken)
		if err != nil {
			t.Fatal(err)
		}
		if code := p.closeCode(); code != websocket.ClosePolicyViolation {
			t.Fatalf("close code %d", code)
		}
		if len(h.calls) != 0 {
			t.Fatal("handler ran without a start")
		}
	})
	t.Run("not mu-law", func(t *testing.T) {
		h := newHarness(t, nil)
		p, _, err := h.dial(t, testToken)
		if err != nil {
			t.Fatal(err)
		}
		p.connectedAndStart(`{"encoding":"audio/l16","sampleRate":16000,"channels":1}`)
		if code := p.closeCode(); code != websocket.CloseUnsupportedData {
			t.Fatalf("close code %d", code)
		}
	})
}

// TestHandlerReturnClosesStream: when Spar ends the call the socket gets a normal close.
func TestHandlerReturnClosesStream(t *testing.T) {
	ts := newHarness(t, nil)
	p, _, err := ts.dial(t, testToken)
	if err != nil {
		t.Fatal(err)
	}
	p.connectedAndStart(mulaw8k)
	call := (<-ts.calls).call
	call.Hangup(errors.New("learner finished"))
	if err := <-ts.ended; err == nil || err.Error() != "learner finished" {
		t.Fatalf("cause %v", err)
	}
	if code := p.closeCode(); code != websocket.CloseNormalClosure {
		t.Fatalf("close code %d", code)
	}
}

func rms(p []int16) float64 {
	var s float64
	for _, v := range p {
		s += float64(v) * float64(v)
	}
	return math.Sqrt(s / float64(len(p)))
}
