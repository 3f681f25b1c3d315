package twilio

import (
	"encoding/json"
	"fmt"
	"strconv"
)

// DecodeMessage parses one Media Streams message into m and checks it: a known event, the
// part that event needs, and decimal sequenceNumber, chunk and timestamp. It is the parser
// of untrusted bytes from the socket.
//
// m is reused: on return only the part named by m.Event is set. The Media part's memory is
// kept across calls, so the steady flow of media messages does not allocate it again.
// Every error wraps ErrMalformed.
func DecodeMessage(data []byte, m *Message) error {
	med := m.Media
	if med != nil {
		*med = MediaPayload{}
	}
	*m = Message{Media: med}
	if err := json.Unmarshal(data, m); err != nil {
		*m = Message{Media: med}
		return fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if err := checkMessage(m); err != nil {
		return err
	}
	// Only the event's own part stays set; the media part is parked for reuse.
	if m.Event != EventMedia {
		m.Media = nil
	}
	if m.Event != EventStart {
		m.Start = nil
	}
	if m.Event != EventDTMF {
		m.DTMF = nil
	}
	if m.Event != EventMark {
		m.Mark = nil
	}
	if m.Event != EventStop {
		m.Stop = nil
	}
	return nil
}

func checkMessage(m *Message) error {
	if err := checkNumber("sequenceNumber", m.SequenceNumber); err != nil {
		return err
	}
	switch m.Event {
	case EventConnected, EventStop:
	case EventStart:
		if m.Start == nil || m.Start.StreamSid == "" || m.Start.CallSid == "" {
			return fmt.Errorf("%w: start without start.streamSid or start.callSid", ErrMalformed)
		}
	case EventMedia:
		if m.Media == nil || m.Media.Payload == "" {
			return fmt.Errorf("%w: media without media.payload", ErrMalformed)
		}
		if err := checkNumber("media.chunk", m.Media.Chunk); err != nil {
			return err
		}
		if err := checkNumber("media.timestamp", m.Media.Timestamp); err != nil {
			return err
		}
	case EventDTMF:
		if m.DTMF == nil || !validDigit(m.DTMF.Digit) {
			return fmt.Errorf("%w: dtmf without a valid dtmf.digit", ErrMalformed)
		}
	case EventMark:
		if m.Mark == nil || m.Mark.Name == "" {
			return fmt.Errorf("%w: mark without mark.name", ErrMalformed)
		}
	case EventClear:
		if m.StreamSid == "" {
			return fmt.Errorf("%w: clear without streamSid", ErrMalformed)
		}
	case "":
		return fmt.Errorf("%w: no event", ErrMalformed)
	default:
		return fmt.Errorf("%w %q", ErrUnknownEvent, truncate(m.Event, 32))
	}
	return nil
}

// checkNumber accepts an absent field or a non-negative decimal that fits in 64 bits.
func checkNumber(field, v string) error {
	if v == "" {
		return nil
	}
	if _, err := strconv.ParseUint(v, 10, 64); err != nil {
		return fmt.Errorf("%w: %s %q is not a decimal number", ErrMalformed, field, truncate(v, 24))
	}
	return nil
}

// parseNumber parses a field checkNumber accepted; absent is ok=false.
func parseNumber(v string) (n uint64, ok bool) {
	if v == "" {
		return 0, false
	}
	n, err := strconv.ParseUint(v, 10, 64)
	return n, err == nil
}

func validDigit(d string) bool {
	if len(d) != 1 {
		return false
	}
	c := d[0]
	return c >= '0' && c <= '9' || c == '*' || c == '#' || c >= 'A' && c <= 'D'
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "..."
	}
	return s
}
