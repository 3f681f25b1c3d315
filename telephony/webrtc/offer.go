package webrtc

import (
	"fmt"
	"strings"

	"github.com/pion/sdp/v3"
	"github.com/pion/webrtc/v4"
)

// pickCodec reads an offer and returns the codec persona audio will be sent with: Opus when
// the first audio section offers it, else PCMU. It rejects what pion would accept but Spar
// cannot use, with an error the page can show.
func pickCodec(offer string) (webrtc.RTPCodecParameters, error) {
	var d sdp.SessionDescription
	if err := d.UnmarshalString(offer); err != nil {
		return webrtc.RTPCodecParameters{}, fmt.Errorf("%w: %v", ErrBadOffer, err)
	}
	for _, md := range d.MediaDescriptions {
		if md.MediaName.Media != "audio" || md.MediaName.Port.Value == 0 {
			continue
		}
		opus, pcmu := false, false
		for _, a := range md.Attributes {
			if a.Key != "rtpmap" {
				continue
			}
			_, enc, _ := strings.Cut(a.Value, " ")
			name, _, _ := strings.Cut(strings.ToLower(enc), "/")
			opus = opus || name == "opus"
			pcmu = pcmu || name == "pcmu"
		}
		// Static payload type 0 is PCMU even without an rtpmap line (RFC 3551).
		for _, f := range md.MediaName.Formats {
			pcmu = pcmu || f == "0"
		}
		switch {
		case opus:
			return codecOpus, nil
		case pcmu:
			return codecPCMU, nil
		}
		return webrtc.RTPCodecParameters{}, ErrNoCodec
	}
	return webrtc.RTPCodecParameters{}, ErrNoAudio
}
