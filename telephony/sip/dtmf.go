package sip

// RFC 4733 (formerly RFC 2833) telephone-events: a key press is a run of RTP packets that
// share one timestamp, each carrying the event code, an end bit and the duration so far;
// the end packet is usually sent three times. The detector reports each press once, on
// its first packet, so a lost end packet costs nothing.

// dtmfKeys maps event codes 0-15 to keys.
const dtmfKeys = "0123456789*#ABCD"

// dtmfDetector turns telephone-event payloads into key presses.
type dtmfDetector struct {
	seen bool
	ts   uint32 // timestamp of the last event reported
}

// packet returns the key a telephone-event payload starts, or 0 for a repeat, an
// unknown event or a malformed payload (ok false).
func (d *dtmfDetector) packet(ts uint32, payload []byte) (key byte, ok bool) {
	if len(payload) < 4 {
		return 0, false
	}
	ev := payload[0]
	if int(ev) >= len(dtmfKeys) {
		return 0, true // a tone or event Spar does not use (RFC 4733 3.2 lists many)
	}
	if d.seen && ts == d.ts {
		return 0, true // the same press continued or ended
	}
	d.seen, d.ts = true, ts
	return dtmfKeys[ev], true
}
