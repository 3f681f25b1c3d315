package webrtc

import (
	"fmt"
	"io"
	"net"
	"time"

	"github.com/pion/ice/v4"
	"github.com/pion/interceptor"
	"github.com/pion/webrtc/v4"
)

// Codecs Spar offers. Opus is what every browser sends by default; PCMU is the fallback
// RFC 7874 makes every browser support.
var (
	codecOpus = webrtc.RTPCodecParameters{
		RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeOpus, ClockRate: 48000,
			Channels: 2, SDPFmtpLine: "minptime=10;useinbandfec=1"},
		PayloadType: 111,
	}
	codecPCMU = webrtc.RTPCodecParameters{
		RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypePCMU, ClockRate: 8000, Channels: 1},
		PayloadType:        0,
	}
)

// newAPI builds the one webrtc.API all calls share. The returned closer releases the UDP
// mux's socket (nil without one).
func newAPI(cfg Config) (*webrtc.API, io.Closer, error) {
	m := &webrtc.MediaEngine{}
	for _, c := range []webrtc.RTPCodecParameters{codecOpus, codecPCMU} {
		if err := m.RegisterCodec(c, webrtc.RTPCodecTypeAudio); err != nil {
			return nil, nil, fmt.Errorf("webrtc: register %s: %w", c.MimeType, err)
		}
	}
	// Of pion's default interceptors, the ones an audio call uses: RTCP sender and receiver
	// reports, and transport-wide congestion control feedback on the learner's audio. NACK
	// and the simulcast headers are offered for video only, and nothing reads pion's stats;
	// each would cost every call its state (NACK a goroutine too) for nothing.
	ir := &interceptor.Registry{}
	if err := webrtc.ConfigureRTCPReports(ir); err != nil {
		return nil, nil, fmt.Errorf("webrtc: interceptors: %w", err)
	}
	if err := webrtc.ConfigureTWCCSender(m, ir); err != nil {
		return nil, nil, fmt.Errorf("webrtc: interceptors: %w", err)
	}
	se := webrtc.SettingEngine{}
	// No mDNS: resolving a browser's ".local" host candidates would give every call its own
	// multicast sockets and five goroutines, and they only ever resolve on the server's own
	// LAN; there, as anywhere, ICE learns the browser's address from its connectivity checks
	// (a peer-reflexive candidate).
	se.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
	// "disconnected" after ICEDisconnectedTimeout without answers, "failed" (which ends the
	// call, see session.onState) DisconnectGrace later.
	keepalive := min(time.Second, cfg.ICEDisconnectedTimeout/3)
	se.SetICETimeouts(cfg.ICEDisconnectedTimeout, cfg.ICEDisconnectedTimeout+cfg.DisconnectGrace, keepalive)
	se.SetIncludeLoopbackCandidate(cfg.IncludeLoopback)
	if cfg.IncludeLoopback {
		se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4})
	}
	if len(cfg.PublicIPs) > 0 {
		err := se.SetICEAddressRewriteRules(webrtc.ICEAddressRewriteRule{
			External: cfg.PublicIPs, AsCandidateType: webrtc.ICECandidateTypeHost, Mode: webrtc.ICEAddressRewriteAppend,
		})
		if err != nil {
			return nil, nil, fmt.Errorf("webrtc: public_ips: %w", err)
		}
	}
	var closer io.Closer
	switch {
	case cfg.UDPPort != 0:
		conn, err := net.ListenUDP("udp", &net.UDPAddr{Port: cfg.UDPPort})
		if err != nil {
			return nil, nil, fmt.Errorf("webrtc: udp_port: %w", err)
		}
		mux := webrtc.NewICEUDPMux(nil, conn)
		se.SetICEUDPMux(mux)
		closer = mux
	case cfg.PortMin != 0:
		if err := se.SetEphemeralUDPPortRange(cfg.PortMin, cfg.PortMax); err != nil {
			return nil, nil, fmt.Errorf("webrtc: port range: %w", err)
		}
	}
	api := webrtc.NewAPI(webrtc.WithMediaEngine(m), webrtc.WithInterceptorRegistry(ir), webrtc.WithSettingEngine(se))
	return api, closer, nil
}
