package sip

import (
	"fmt"
	"net/netip"
	"strings"
)

// answerSDP is Spar's answer to an offer (RFC 3264 6): the one G.711 law chosen, the
// caller's telephone-event type when offered, and the direction mirrored (a caller that only
// sends, on hold, gets recvonly).
func answerSDP(ip netip.Addr, port int, o offer, session, version uint64) []byte {
	family := "IP4"
	if ip.Is6() {
		family = "IP6"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "v=0\r\no=spar %d %d IN %s %s\r\ns=Spar\r\nc=IN %s %s\r\nt=0 0\r\n", session, version, family, ip, family, ip)
	fmt.Fprintf(&b, "m=audio %d RTP/AVP %d", port, o.codec)
	if o.dtmf >= 0 {
		fmt.Fprintf(&b, " %d", o.dtmf)
	}
	fmt.Fprintf(&b, "\r\na=rtpmap:%d %s/8000\r\n", o.codec, law(o.codec))
	if o.dtmf >= 0 {
		fmt.Fprintf(&b, "a=rtpmap:%d telephone-event/8000\r\na=fmtp:%d 0-15\r\n", o.dtmf, o.dtmf)
	}
	fmt.Fprintf(&b, "a=ptime:20\r\na=%s\r\n", answerDirection(o.direction))
	return []byte(b.String())
}

func answerDirection(offered string) string {
	switch offered {
	case "sendonly":
		return "recvonly"
	case "recvonly":
		return "sendonly"
	case "inactive":
		return "inactive"
	}
	return "sendrecv"
}
