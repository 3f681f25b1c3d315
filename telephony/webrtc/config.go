package webrtc

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"
)

// Config is the WebRTC transport's configuration (the `webrtc:` section of spar.yaml).
type Config struct {
	// ICEServers are handed to the browser (PathConfig) for its own candidates: STUN to learn
	// its public address, TURN to relay when UDP between it and this server is blocked. The
	// server itself gathers host candidates only; PublicIPs covers a server behind 1:1 NAT.
	ICEServers []ICEServer `yaml:"ice_servers"`
	// PublicIPs are added to the server's host candidates (SetICEAddressRewriteRules, append
	// mode), for a server whose interface address is private (a cloud VM behind 1:1 NAT).
	PublicIPs []string `yaml:"public_ips"`
	// UDPPort, when set, carries every call on this one UDP port (ICE UDP mux): one firewall
	// rule for all calls. When 0, each call takes ports from PortMin..PortMax (or anywhere).
	UDPPort int    `yaml:"udp_port"`
	PortMin uint16 `yaml:"port_min"`
	PortMax uint16 `yaml:"port_max"`
	// IncludeLoopback offers 127.0.0.1 candidates: for tests with the browser on the same
	// machine, never in production.
	IncludeLoopback bool `yaml:"include_loopback"`
	// MaxCalls caps live browser calls; past it offers get 503 "all practice lines are busy".
	// 0 means no cap.
	MaxCalls int `yaml:"max_calls"`
	// RequireSession refuses offers (and signaling sockets) from a page with neither a
	// signed-in learner nor a guest pass (GuestCookie, which PathConfig hands to the page).
	RequireSession bool `yaml:"require_session"`
	// MaxPendingOffers caps answered offers not yet connected (each holds a line for up to
	// ConnectTimeout); it is kept below MaxCalls (MaxCalls/2 when not). 0 means only that.
	MaxPendingOffers int `yaml:"max_pending_offers"`
	// MaxPendingPerClient caps one signed-in learner's or guest pass's connecting offers.
	MaxPendingPerClient int `yaml:"max_pending_per_client"`
	// MaxPendingPerIP caps one address's connecting offers (0: no cap). Behind a proxy every
	// client has the proxy's address: raise it there.
	MaxPendingPerIP int `yaml:"max_pending_per_ip"`
	// MaxOfferBytes bounds the offer request body.
	MaxOfferBytes int64 `yaml:"max_offer_bytes"`
	// GatherTimeout bounds candidate gathering before the answer is sent.
	GatherTimeout time.Duration `yaml:"gather_timeout"`
	// ConnectTimeout is how long an answered call may take to connect (ICE and DTLS).
	ConnectTimeout time.Duration `yaml:"connect_timeout"`
	// DisconnectGrace is how long a connected call survives ICE "disconnected" (a network
	// blip, a tab gone without hanging up) before it ends.
	DisconnectGrace time.Duration `yaml:"disconnect_grace"`
	// ICEDisconnectedTimeout is how long without ICE answers (keepalives go every second)
	// before the connection counts as disconnected and DisconnectGrace starts.
	ICEDisconnectedTimeout time.Duration `yaml:"ice_disconnected_timeout"`
	// OpusBitrate is the persona audio's Opus bitrate in bits per second.
	OpusBitrate int `yaml:"opus_bitrate"`
	// AllowedOrigins are pages on other origins (scheme://host[:port]) that may open the
	// signaling WebSocket; a page on the server's own host always may.
	AllowedOrigins []string `yaml:"allowed_origins"`
	// PingInterval is how often the signaling WebSocket is pinged; a page that has not
	// answered one ping by the next is gone.
	PingInterval time.Duration `yaml:"ping_interval"`
}

// ICEServer is one STUN or TURN server as RTCPeerConnection takes it. TURN credentials are
// given to every browser that loads the page: use short-lived ones where it matters.
type ICEServer struct {
	URLs       []string `yaml:"urls" json:"urls"`
	Username   string   `yaml:"username" json:"username,omitempty"`
	Credential string   `yaml:"credential" json:"credential,omitempty"`
}

// DefaultConfig returns the defaults: no STUN/TURN, ephemeral ports, no loopback.
func DefaultConfig() Config {
	return Config{
		RequireSession:         true,
		MaxPendingOffers:       16,
		MaxPendingPerClient:    2,
		MaxPendingPerIP:        8,
		MaxOfferBytes:          64 << 10,
		GatherTimeout:          5 * time.Second,
		ConnectTimeout:         20 * time.Second,
		DisconnectGrace:        5 * time.Second,
		ICEDisconnectedTimeout: 3 * time.Second,
		OpusBitrate:            32000,
		PingInterval:           15 * time.Second,
	}
}

// Validate reports the first invalid field, named as in YAML.
func (c Config) Validate() error {
	for i, s := range c.ICEServers {
		if len(s.URLs) == 0 {
			return fmt.Errorf("webrtc: ice_servers[%d].urls: required", i)
		}
		for _, u := range s.URLs {
			scheme, _, _ := strings.Cut(u, ":")
			switch scheme {
			case "stun", "stuns":
			case "turn", "turns":
				if s.Username == "" || s.Credential == "" {
					return fmt.Errorf("webrtc: ice_servers[%d]: %s needs username and credential", i, u)
				}
			default:
				return fmt.Errorf("webrtc: ice_servers[%d].urls: %q is not a stun:, stuns:, turn: or turns: URL", i, u)
			}
		}
	}
	for i, o := range c.AllowedOrigins {
		u, err := url.Parse(o)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") {
			return fmt.Errorf("webrtc: allowed_origins[%d]: %q is not an origin like https://learn.example.com", i, o)
		}
	}
	for i, ip := range c.PublicIPs {
		if net.ParseIP(ip) == nil {
			return fmt.Errorf("webrtc: public_ips[%d]: %q is not an IP address", i, ip)
		}
	}
	switch {
	case c.UDPPort < 0 || c.UDPPort > 65535:
		return fmt.Errorf("webrtc: udp_port: %d is not a port", c.UDPPort)
	case c.UDPPort != 0 && (c.PortMin != 0 || c.PortMax != 0):
		return errors.New("webrtc: set udp_port or port_min/port_max, not both")
	case (c.PortMin == 0) != (c.PortMax == 0) || c.PortMax < c.PortMin:
		return fmt.Errorf("webrtc: port_min/port_max: %d..%d is not a range", c.PortMin, c.PortMax)
	case c.MaxPendingOffers < 0 || c.MaxPendingPerClient < 0 || c.MaxPendingPerIP < 0:
		return errors.New("webrtc: max_pending_offers, max_pending_per_client and max_pending_per_ip must not be negative")
	case c.MaxOfferBytes < 1024:
		return fmt.Errorf("webrtc: max_offer_bytes: %d is below 1024", c.MaxOfferBytes)
	case c.GatherTimeout <= 0:
		return fmt.Errorf("webrtc: gather_timeout: %v must be positive", c.GatherTimeout)
	case c.ConnectTimeout <= 0:
		return fmt.Errorf("webrtc: connect_timeout: %v must be positive", c.ConnectTimeout)
	case c.DisconnectGrace <= 0:
		return fmt.Errorf("webrtc: disconnect_grace: %v must be positive", c.DisconnectGrace)
	case c.ICEDisconnectedTimeout <= 0:
		return fmt.Errorf("webrtc: ice_disconnected_timeout: %v must be positive", c.ICEDisconnectedTimeout)
	case c.PingInterval <= 0:
		return fmt.Errorf("webrtc: ping_interval: %v must be positive", c.PingInterval)
	case c.OpusBitrate < 6000 || c.OpusBitrate > 510000:
		return fmt.Errorf("webrtc: opus_bitrate: %d is outside 6000..510000", c.OpusBitrate)
	}
	return nil
}
