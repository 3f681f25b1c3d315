package sip

import (
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"

	"github.com/pion/rtp"
)

// maxDatagram bounds one RTP datagram read (a 20 ms G.711 packet is 172 bytes).
const maxDatagram = 1500

// rtpConn is one call's media socket: Spar's RTP goes out to the address the caller's SDP
// names, and the caller's RTP is read from it. Only packets from the SDP's address or the
// SIP peer's address count; anything else on the port is dropped (RTP injection).
type rtpConn struct {
	conn *net.UDPConn

	mu     sync.Mutex
	remote netip.AddrPort // where Spar sends
	peers  [2]netip.Addr  // addresses whose packets are read: SDP and SIP source
	hdr    rtp.Header     // the next packet's header
	buf    []byte
}

// listenRTP opens a media socket on ip, on a port from lo..hi (any port when 0).
func listenRTP(ip netip.Addr, lo, hi int) (*rtpConn, error) {
	var conn *net.UDPConn
	var err error
	if lo == 0 {
		conn, err = net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.AddrPortFrom(ip, 0)))
	} else {
		var b [2]byte
		_, _ = rand.Read(b[:])
		span := (hi - lo + 1) / 2 // even ports: RTP, odd left for RTCP (RFC 3550 11)
		start := int(binary.BigEndian.Uint16(b[:])) % max(span, 1)
		for i := 0; i < span; i++ {
			port := lo + ((start+i)%span)*2
			if conn, err = net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.AddrPortFrom(ip, uint16(port)))); err == nil {
				break
			}
		}
	}
	if err != nil || conn == nil {
		return nil, fmt.Errorf("sip: open an RTP port on %s: %v", ip, err)
	}
	var b [10]byte
	_, _ = rand.Read(b[:])
	c := &rtpConn{conn: conn, buf: make([]byte, maxDatagram)}
	// Random SSRC, first sequence number and timestamp (RFC 3550 5.1).
	c.hdr = rtp.Header{Version: 2, SSRC: binary.BigEndian.Uint32(b[:4]),
		SequenceNumber: binary.BigEndian.Uint16(b[4:6]), Timestamp: binary.BigEndian.Uint32(b[6:])}
	return c, nil
}

func (c *rtpConn) port() int { return c.conn.LocalAddr().(*net.UDPAddr).Port }

// target sets where RTP goes and whose packets are read.
func (c *rtpConn) target(remote netip.AddrPort, sipPeer netip.Addr) {
	c.mu.Lock()
	c.remote = remote
	c.peers = [2]netip.Addr{remote.Addr().Unmap(), sipPeer.Unmap()}
	c.mu.Unlock()
}

// WriteSamples sends one packet carrying ticks of audio; it never allocates.
func (c *rtpConn) WriteSamples(payload []byte, ticks uint32, marker bool, pt uint8) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.hdr.Marker, c.hdr.PayloadType = marker, pt
	n, err := c.hdr.MarshalTo(c.buf)
	if err != nil {
		return 0, err
	}
	n += copy(c.buf[n:], payload)
	c.hdr.SequenceNumber++
	c.hdr.Timestamp += ticks
	if !c.remote.IsValid() || c.remote.Port() == 0 || c.remote.Addr().IsUnspecified() {
		return len(payload), nil
	}
	_, err = c.conn.WriteToUDPAddrPort(c.buf[:n], c.remote)
	return len(payload), err
}

// DelayTimestamp moves the RTP clock on by ticks not sent (a pause in persona speech).
func (c *rtpConn) DelayTimestamp(ticks uint32) {
	c.mu.Lock()
	c.hdr.Timestamp += ticks
	c.mu.Unlock()
}

// read reads packets until the socket closes, handing each one from a known peer to fn;
// packets from elsewhere are counted in foreign, unparsable ones reported to bad.
func (c *rtpConn) read(fn func(h *rtp.Header, payload []byte), bad func(), foreign *atomic.Uint64) {
	buf := make([]byte, maxDatagram)
	var pkt rtp.Packet
	for {
		n, from, err := c.conn.ReadFromUDPAddrPort(buf)
		if err != nil {
			return
		}
		if !c.fromPeer(from.Addr().Unmap()) {
			foreign.Add(1)
			continue
		}
		if err := pkt.Unmarshal(buf[:n]); err != nil {
			bad()
			continue
		}
		fn(&pkt.Header, pkt.Payload)
	}
}

func (c *rtpConn) fromPeer(a netip.Addr) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return a == c.peers[0] || a == c.peers[1]
}

func (c *rtpConn) close() error { return c.conn.Close() }
