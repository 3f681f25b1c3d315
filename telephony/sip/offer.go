package sip

import (
	"bytes"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// maxOfferBytes bounds the SDP Spar reads; a real audio offer is well under 2 KB.
const maxOfferBytes = 16 << 10

// Static RTP payload types of G.711 (RFC 3551 6).
const (
	ptPCMU = 0
	ptPCMA = 8
)

// offer is what Spar needs from a caller's SDP (RFC 4566, RFC 3264): the G.711 law it will
// speak, the telephone-event payload type for DTMF (RFC 4733), the direction, and where
// to send RTP.
type offer struct {
	codec     uint8 // ptPCMU or ptPCMA: the first G.711 format the caller lists
	dtmf      int   // telephone-event/8000 payload type, -1 when not offered
	direction string
	rtp       netip.AddrPort // where the caller receives RTP
}

// parseOffer reads an INVITE's (or re-INVITE's) SDP, the untrusted bytes Spar's media
// follows, and says in plain words what is wrong with one Spar cannot answer (the caller
// then gets 488 with that text in a Warning header). It accepts one audio stream over
// RTP/AVP with a port, an IPv4 or IPv6 connection address (the media-level one overriding
// the session's), numeric formats with well-formed rtpmap lines, and PCMU or PCMA among them.
func parseOffer(body []byte) (offer, error) {
	o := offer{dtmf: -1, direction: "sendrecv"}
	switch {
	case len(body) == 0:
		return o, fmt.Errorf("%w: the INVITE has no SDP (late offers are not supported)", ErrBadOffer)
	case len(body) > maxOfferBytes:
		return o, fmt.Errorf("%w: SDP of %d bytes (at most %d)", ErrBadOffer, len(body), maxOfferBytes)
	}
	var (
		version, origin, conn bool
		addr                  netip.Addr
		media                 []string
		rtpmaps               = map[string]string{}
	)
	for _, raw := range bytes.Split(body, []byte("\n")) {
		line := strings.TrimSuffix(string(raw), "\r")
		if line == "" {
			continue
		}
		if len(line) < 2 || line[1] != '=' || line[0] < 'a' || line[0] > 'z' {
			return o, fmt.Errorf("%w: %q is not a type=value line", ErrBadOffer, clip(line))
		}
		v := line[2:]
		switch line[0] {
		case 'v':
			version = v == "0"
		case 'o':
			f := strings.Fields(v)
			if len(f) < 6 || !isUint(f[1]) || !isUint(f[2]) {
				return o, fmt.Errorf("%w: bad origin line o=%s", ErrBadOffer, clip(v))
			}
			origin = true
		case 'c':
			if conn && len(media) == 0 {
				return o, fmt.Errorf("%w: two session-level c= lines", ErrBadOffer)
			}
			f := strings.Fields(v)
			if len(f) < 3 || f[0] != "IN" || (f[1] != "IP4" && f[1] != "IP6") {
				return o, fmt.Errorf("%w: bad connection line c=%s", ErrBadOffer, clip(v))
			}
			a, err := netip.ParseAddr(strings.SplitN(f[2], "/", 2)[0])
			if err != nil || (f[1] == "IP4") != a.Is4() {
				return o, fmt.Errorf("%w: connection address %q is not an %s address", ErrBadOffer, clip(f[2]), f[1])
			}
			conn, addr = true, a
		case 'm':
			media = append(media, v)
		case 'a':
			if m, ok := strings.CutPrefix(v, "rtpmap:"); ok {
				pt, rest, _ := strings.Cut(m, " ")
				if _, dup := rtpmaps[pt]; dup {
					return o, fmt.Errorf("%w: payload type %s mapped twice", ErrBadOffer, clip(pt))
				}
				rtpmaps[pt] = strings.TrimSpace(rest)
			}
			switch v {
			case "sendrecv", "sendonly", "recvonly", "inactive":
				o.direction = v
			}
		}
	}
	switch {
	case !version:
		return o, fmt.Errorf("%w: no v=0 line", ErrBadOffer)
	case !origin:
		return o, fmt.Errorf("%w: no o= line", ErrBadOffer)
	case !conn:
		return o, fmt.Errorf("%w: no c= line", ErrBadOffer)
	case len(media) != 1:
		return o, fmt.Errorf("%w: %d media streams; Spar answers exactly one audio stream", ErrBadOffer, len(media))
	}
	f := strings.Fields(media[0])
	if len(f) < 4 || f[0] != "audio" {
		return o, fmt.Errorf("%w: the stream m=%s is not audio", ErrBadOffer, clip(media[0]))
	}
	port, err := strconv.Atoi(strings.SplitN(f[1], "/", 2)[0])
	if err != nil || port < 1 || port > 65535 {
		return o, fmt.Errorf("%w: audio port %q", ErrBadOffer, clip(f[1]))
	}
	o.rtp = netip.AddrPortFrom(addr.Unmap(), uint16(port))
	if addr.IsUnspecified() {
		o.direction = "inactive" // c=0.0.0.0: the RFC 2543 way to put a call on hold
	}
	if f[2] != "RTP/AVP" {
		return o, fmt.Errorf("%w: transport %q (Spar speaks plain RTP/AVP)", ErrBadOffer, clip(f[2]))
	}
	found := false
	for _, format := range f[3:] {
		pt, err := strconv.ParseUint(format, 10, 7)
		if err != nil {
			return o, fmt.Errorf("%w: payload type %q is not a number 0..127", ErrBadOffer, clip(format))
		}
		name, rate := "", uint64(8000)
		if m, ok := rtpmaps[format]; ok {
			enc, _, _ := strings.Cut(m, " ")
			parts := strings.Split(enc, "/")
			if len(parts) < 2 {
				return o, fmt.Errorf("%w: bad rtpmap for %s: %q", ErrBadOffer, format, clip(m))
			}
			if rate, err = strconv.ParseUint(parts[1], 10, 32); err != nil {
				return o, fmt.Errorf("%w: bad clock rate in rtpmap for %s: %q", ErrBadOffer, format, clip(m))
			}
			name = strings.ToUpper(parts[0])
		}
		switch {
		case !found && (pt == ptPCMU || pt == ptPCMA) && rate == 8000:
			o.codec, found = uint8(pt), true
		case name == "TELEPHONE-EVENT" && rate == 8000 && o.dtmf < 0:
			o.dtmf = int(pt)
		}
	}
	if !found {
		return o, ErrNoCodec
	}
	return o, nil
}

func isUint(s string) bool {
	_, err := strconv.ParseUint(s, 10, 64)
	return err == nil
}

// clip keeps error messages about hostile input short.
func clip(s string) string {
	if len(s) > 64 {
		return s[:64] + "..."
	}
	return s
}
