package twilio

import "unsafe"

// The fast path for the steady flow of media messages (50 a second per call): a scanner
// that reads a media message as views into the frame's bytes, with no allocation. It only
// answers for messages it fully understands and that DecodeMessage would accept; anything
// else (another event, escapes or non-ASCII in strings, nested unknown values, duplicate or
// case-folded keys, a malformed message) falls back to DecodeMessage, which decides.
// FuzzScanMedia checks the two agree.

// mediaView is a media message read by scanMedia. Its slices view the frame's bytes and
// are valid until that buffer is reused; absent fields are empty.
type mediaView struct {
	seq, streamSid, track, chunk, timestamp, payload []byte
}

// Keys DecodeMessage knows. A key the scanner does not handle itself but that could match
// one of these (encoding/json matches names case-insensitively) sends the message back to
// DecodeMessage.
var (
	messageKeys = [...]string{"event", "sequenceNumber", "streamSid", "protocol", "version", "start", "media", "dtmf", "mark", "stop"}
	mediaKeys   = [...]string{"track", "chunk", "timestamp", "payload"}
)

// scanMedia reads data as a media message into v without allocating. It reports false when
// the caller must use DecodeMessage instead; when it reports true, DecodeMessage would accept
// data as a media message with the same fields.
func scanMedia(data []byte, v *mediaView) bool {
	*v = mediaView{}
	s := scanner{b: data}
	if !s.eat('{') || s.eat('}') {
		return false
	}
	const (
		bitEvent = 1 << iota
		bitSeq
		bitSid
		bitMedia
	)
	var seen uint
	var event []byte
	for {
		key, ok := s.str()
		if !ok || !s.eat(':') {
			return false
		}
		switch string(key) {
		case "event":
			ok = s.once(&event, &seen, bitEvent) && string(event) == EventMedia
		case "sequenceNumber":
			ok = s.once(&v.seq, &seen, bitSeq)
		case "streamSid":
			ok = s.once(&v.streamSid, &seen, bitSid)
		case "media":
			ok = seen&bitMedia == 0 && s.media(v)
			seen |= bitMedia
		default:
			ok = !looseMatch(key, messageKeys[:]) && s.skip()
		}
		if !ok {
			return false
		}
		if s.eat(',') {
			continue
		}
		if s.eat('}') {
			break
		}
		return false
	}
	s.ws()
	return s.i == len(s.b) && seen&bitEvent != 0 && seen&bitMedia != 0 && len(v.payload) > 0 &&
		optNumber(v.seq) && optNumber(v.chunk) && optNumber(v.timestamp)
}

// media reads the media object.
func (s *scanner) media(v *mediaView) bool {
	if !s.eat('{') {
		return false
	}
	if s.eat('}') {
		return true
	}
	var seen uint
	for {
		key, ok := s.str()
		if !ok || !s.eat(':') {
			return false
		}
		switch string(key) {
		case "track":
			ok = s.once(&v.track, &seen, 1)
		case "chunk":
			ok = s.once(&v.chunk, &seen, 2)
		case "timestamp":
			ok = s.once(&v.timestamp, &seen, 4)
		case "payload":
			ok = s.once(&v.payload, &seen, 8)
		default:
			ok = !looseMatch(key, mediaKeys[:]) && s.skip()
		}
		if !ok {
			return false
		}
		if s.eat(',') {
			continue
		}
		return s.eat('}')
	}
}

// scanner walks one JSON text; every method reports false on anything it does not handle.
type scanner struct {
	b []byte
	i int
}

func (s *scanner) ws() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// eat skips whitespace and then c, if c is next.
func (s *scanner) eat(c byte) bool {
	s.ws()
	if s.i < len(s.b) && s.b[s.i] == c {
		s.i++
		return true
	}
	return false
}

// str reads a string of printable ASCII without escapes and returns its contents.
func (s *scanner) str() ([]byte, bool) {
	if !s.eat('"') {
		return nil, false
	}
	start := s.i
	for ; s.i < len(s.b); s.i++ {
		switch c := s.b[s.i]; {
		case c == '"':
			s.i++
			return s.b[start : s.i-1], true
		case c < 0x20 || c > 0x7e || c == '\\':
			return nil, false
		}
	}
	return nil, false
}

// once reads a string field that must appear only once (bit marks it seen).
func (s *scanner) once(dst *[]byte, seen *uint, bit uint) bool {
	if *seen&bit != 0 {
		return false
	}
	*seen |= bit
	var ok bool
	*dst, ok = s.str()
	return ok
}

// skip passes over the value of an unknown field: a plain string, true, false or null.
func (s *scanner) skip() bool {
	s.ws()
	if s.i >= len(s.b) {
		return false
	}
	switch s.b[s.i] {
	case '"':
		_, ok := s.str()
		return ok
	case 't':
		return s.lit("true")
	case 'f':
		return s.lit("false")
	case 'n':
		return s.lit("null")
	}
	return false
}

func (s *scanner) lit(w string) bool {
	if len(s.b)-s.i < len(w) || string(s.b[s.i:s.i+len(w)]) != w {
		return false
	}
	s.i += len(w)
	return true
}

// looseMatch reports whether key could name one of names: equal ignoring ASCII case, '-' and
// '_' (looser than any encoding/json matching, so the scanner errs towards falling back).
func looseMatch(key []byte, names []string) bool {
	for _, n := range names {
		i := 0
		for _, c := range key {
			if c == '-' || c == '_' {
				continue
			}
			if i >= len(n) || lower(c) != lower(n[i]) {
				i = -1
				break
			}
			i++
		}
		if i == len(n) {
			return true
		}
	}
	return false
}

func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// parseDec parses a non-negative decimal that fits in 64 bits, as strconv.ParseUint(s, 10, 64).
func parseDec(b []byte) (uint64, bool) {
	if len(b) == 0 {
		return 0, false
	}
	var n uint64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		d := uint64(c - '0')
		if n > (^uint64(0)-d)/10 {
			return 0, false
		}
		n = n*10 + d
	}
	return n, true
}

// optNumber is checkNumber for the scanner: absent or a decimal parseDec accepts.
func optNumber(b []byte) bool {
	if len(b) == 0 {
		return true
	}
	_, ok := parseDec(b)
	return ok
}

// handleMedia is handle's fast path: it acts on a media message the scanner understands,
// exactly as handle would, and reports false for anything handle must decode.
func (st *stream) handleMedia(data []byte) (handled bool, err error) {
	var v mediaView
	if !scanMedia(data, &v) {
		return false, nil
	}
	// noteSeq only parses its argument; the view does not outlive the call.
	if !st.noteSeq(unsafe.String(unsafe.SliceData(v.seq), len(v.seq))) {
		return true, st.fault(errOutOfOrder)
	}
	switch string(v.track) {
	case "", "inbound", "inbound_track":
	default:
		st.ignored++
		return true, nil
	}
	if err := st.in.mediaView(&v); err != nil {
		return true, st.fault(err)
	}
	return true, nil
}
