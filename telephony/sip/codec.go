package sip

import (
	"github.com/zaf/g711"

	"github.com/sparlab/spar/media"
	"github.com/sparlab/spar/telephony"
)

const (
	frame16k = telephony.Rate / 50 // one 20 ms frame at the Call's rate
	frame8k  = media.Rate8k / 50   // one 20 ms G.711 payload, and its RTP ticks

	frameDuration = media.FrameDuration
)

// law is one of G.711's two companding laws (ITU-T G.711): mu-law (PCMU, North America and
// Japan) or A-law (PCMA, most other trunks).
type law uint8

func lawOf(pt uint8) law { return law(pt) }

func (l law) String() string {
	if l == ptPCMA {
		return "PCMA"
	}
	return "PCMU"
}

func (l law) encode(s int16) byte {
	if l == ptPCMA {
		return g711.EncodeAlawFrame(s)
	}
	return media.MulawEncode(s)
}

func (l law) decode(b byte) int16 {
	if l == ptPCMA {
		return g711.DecodeAlawFrame(b)
	}
	return media.MulawDecode(b)
}
