package twilio

import (
	"encoding/base64"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/sparlab/spar/telephony"
)

func TestScanMedia(t *testing.T) {
	const media = `{"event":"media","sequenceNumber":"4","media":{"track":"inbound","chunk":"2","timestamp":"5","payload":"//8A"},"streamSid":"MZ1"}`
	accept := []struct{ name, in string }{
		{"twilio", media},
		{"whitespace", " {\n\t\"event\" : \"media\" ,\r\"media\":{ \"payload\" : \"AA==\" } } \n"},
		{"outbound", `{"event":"media","streamSid":"MZ1","media":{"payload":"//8A"}}`},
		{"unknown fields", `{"x":"y","event":"media","z":null,"media":{"q":true,"payload":"AA==","r":false}}`},
		{"empty numbers", `{"event":"media","sequenceNumber":"","media":{"chunk":"","timestamp":"","payload":"AA=="}}`},
		{"bad base64 is inbound's call", `{"event":"media","media":{"payload":"!!"}}`},
	}
	for _, tc := range accept {
		t.Run(tc.name, func(t *testing.T) {
			var v mediaView
			if !scanMedia([]byte(tc.in), &v) {
				t.Fatal("fell back")
			}
			checkAgree(t, []byte(tc.in), &v)
		})
	}
	fallback := []struct{ name, in string }{
		{"connected", `{"event":"connected","protocol":"Call","version":"1.0.0"}`},
		{"dtmf", `{"event":"dtmf","dtmf":{"digit":"1"}}`},
		{"event after media", `{"media":{"payload":"AA=="},"event":"stop"}`},
		{"no event", `{"media":{"payload":"AA=="}}`},
		{"no media", `{"event":"media"}`},
		{"no payload", `{"event":"media","media":{"track":"inbound"}}`},
		{"media null", `{"event":"media","media":null}`},
		{"escape", `{"event":"media","media":{"payload":"\/\/8A"}}`},
		{"non-ascii", "{\"event\":\"media\",\"x\":\"\xc3\xa9\",\"media\":{\"payload\":\"AA==\"}}"},
		{"control char", "{\"event\":\"media\",\"media\":{\"payload\":\"AA\t==\"}}"},
		{"folded key", `{"Event":"media","media":{"payload":"AA=="}}`},
		{"folded media key", `{"event":"media","media":{"PAYLOAD":"AA==","payload":"AA=="}}`},
		{"duplicate key", `{"event":"media","media":{"payload":"AA==","payload":"//8A"}}`},
		{"duplicate media", `{"event":"media","media":{"payload":"AA=="},"media":{"track":"x"}}`},
		{"other part", `{"event":"media","mark":{"name":"m"},"media":{"payload":"AA=="}}`},
		{"protocol", `{"event":"media","protocol":"Call","media":{"payload":"AA=="}}`},
		{"number value", `{"event":"media","x":1,"media":{"payload":"AA=="}}`},
		{"nested unknown", `{"event":"media","x":{},"media":{"payload":"AA=="}}`},
		{"timestamp as number", `{"event":"media","media":{"timestamp":5,"payload":"AA=="}}`},
		{"bad timestamp", `{"event":"media","media":{"timestamp":"5x","payload":"AA=="}}`},
		{"sequence overflow", `{"event":"media","sequenceNumber":"18446744073709551616","media":{"payload":"AA=="}}`},
		{"trailing", media + `x`},
		{"trailing comma", `{"event":"media","media":{"payload":"AA=="},}`},
		{"truncated", media[:len(media)-1]},
		{"bad literal", `{"event":"media","x":nul,"media":{"payload":"AA=="}}`},
	}
	for _, tc := range fallback {
		t.Run(tc.name, func(t *testing.T) {
			var v mediaView
			if scanMedia([]byte(tc.in), &v) {
				t.Fatalf("accepted: %+v", v)
			}
		})
	}
}

func TestParseDec(t *testing.T) {
	for _, s := range []string{"0", "007", "18446744073709551615", "18446744073709551616", "99999999999999999999", "-1", "+1", "1_0", "", "1 "} {
		n, ok := parseDec([]byte(s))
		m, ok2 := parseNumber(s)
		if ok != ok2 || ok && n != m {
			t.Errorf("%q: parseDec %d %v, parseNumber %d %v", s, n, ok, m, ok2)
		}
	}
}

// checkAgree fails unless DecodeMessage accepts data as the same media message as v.
func checkAgree(t *testing.T, data []byte, v *mediaView) {
	t.Helper()
	var m Message
	if err := DecodeMessage(data, &m); err != nil {
		t.Fatalf("scanner accepted what DecodeMessage refuses (%v): %q", err, data)
	}
	if m.Event != EventMedia || m.Media == nil {
		t.Fatalf("scanner accepted a %q message: %q", m.Event, data)
	}
	got := [...]string{string(v.seq), string(v.streamSid), string(v.track), string(v.chunk), string(v.timestamp), string(v.payload)}
	want := [...]string{m.SequenceNumber, m.StreamSid, m.Media.Track, m.Media.Chunk, m.Media.Timestamp, m.Media.Payload}
	if got != want {
		t.Fatalf("scanner read %q, DecodeMessage %q from %q", got, want, data)
	}
}

// FuzzScanMedia is the differential check of the fast path: whatever scanMedia accepts,
// DecodeMessage accepts as the same media message, and a stream handles a message sequence
// the same with and without the fast path. Corpus: testdata/fuzz/FuzzScanMedia.
func FuzzScanMedia(f *testing.F) {
	f.Add([]byte(`{"event":"media","sequenceNumber":"4","media":{"track":"inbound","chunk":"2","timestamp":"5","payload":"//8A"},"streamSid":"MZ1"}`))
	slow, fast := newTestStream(f), newTestStream(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		var v mediaView
		if scanMedia(data, &v) {
			checkAgree(t, data, &v)
		}
		errSlow := slow.handle(data)
		handled, errFast := fast.handleMedia(data)
		if !handled {
			errFast = fast.handle(data)
		}
		if (errSlow == nil) != (errFast == nil) {
			t.Fatalf("handle: %v, fast path: %v", errSlow, errFast)
		}
		a, b := streamState(slow), streamState(fast)
		if a != b {
			t.Fatalf("state after %q:\nslow %s\nfast %s", data, a, b)
		}
	})
}

// newTestStream is a stream without a socket, for handle: its call has no listener.
func newTestStream(t testing.TB) *stream {
	t.Helper()
	cfg := testConfig(public)
	cfg.MaxMalformed = 1 << 30
	call := telephony.NewCall(telephony.Info{}, nil, func(error) {})
	in, err := newInbound(call, steppingClock(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	return &stream{srv: newTestServer(t, cfg, nil), log: slog.New(slog.DiscardHandler), lastSeq: -1, call: call, in: in, cancel: func(error) {}, sink: &sink{}}
}

func streamState(st *stream) string {
	in := st.in
	return fmt.Sprintf("seq %d ignored %d faults %+v pos %d skew %d lastTS %d chunks %d frames %d gaps %d",
		st.lastSeq, st.ignored, st.faults.total(), in.pos, in.skew, in.lastTS, in.chunks, in.framesIn, in.gaps)
}

// TestMediaPathAllocs pins the steady state: a media message costs no allocation, from
// the frame's bytes to the 16 kHz frame delivered to the call.
func TestMediaPathAllocs(t *testing.T) {
	st := newTestStream(t)
	frames := 0
	st.call.Listen(countFrames{&frames})
	payload := base64.StdEncoding.EncodeToString(sineMulaw(0))
	const runs = 200
	msgs := make([][]byte, runs+1) // AllocsPerRun warms up with one extra run
	for i := range msgs {
		msgs[i] = fmt.Appendf(nil, `{"event":"media","sequenceNumber":"%d","media":{"track":"inbound","chunk":"%d","timestamp":"%d","payload":"%s"},"streamSid":"MZ1"}`, i+1, i+1, 20*i, payload)
	}
	allocs := testing.AllocsPerRun(runs, func() {
		handled, err := st.handleMedia(msgs[0])
		msgs = msgs[1:]
		if !handled || err != nil {
			t.Fatalf("handled %v, err %v", handled, err)
		}
	})
	if allocs != 0 {
		t.Errorf("%v allocations per media message, want 0", allocs)
	}
	if frames == 0 || st.faults.total() != 0 {
		t.Errorf("frames %d faults %d", frames, st.faults.total())
	}
}

func TestHandleMediaFallsBack(t *testing.T) {
	st := newTestStream(t)
	handled, err := st.handleMedia([]byte(`{"event":"dtmf","dtmf":{"digit":"1"}}`))
	if handled || err != nil {
		t.Fatalf("dtmf: handled %v err %v", handled, err)
	}
	handled, err = st.handleMedia([]byte(`{"event":"media","sequenceNumber":"3","media":{"track":"outbound","payload":"AA=="}}`))
	if !handled || err != nil || st.ignored != 1 || st.lastSeq != 3 {
		t.Fatalf("outbound: handled %v err %v ignored %d seq %d", handled, err, st.ignored, st.lastSeq)
	}
	handled, err = st.handleMedia([]byte(`{"event":"media","sequenceNumber":"2","media":{"payload":"AA=="}}`))
	if !handled || err != nil || st.faults.outOfOrder != 1 {
		t.Fatalf("old sequence: handled %v err %v faults %+v", handled, err, st.faults)
	}
	handled, err = st.handleMedia([]byte(`{"event":"media","sequenceNumber":"4","media":{"payload":"!!"}}`))
	if !handled || err != nil || st.faults.malformed != 1 {
		t.Fatalf("bad base64: handled %v err %v faults %+v", handled, err, st.faults)
	}
}
