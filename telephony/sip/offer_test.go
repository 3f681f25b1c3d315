package sip

import (
	"bytes"
	"errors"
	"flag"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/emiago/sipgo/sip"
)

var update = flag.Bool("update", false, "rewrite golden files")

// asteriskOffer is what Asterisk 20 sends for a PJSIP endpoint allowing ulaw and alaw.
const asteriskOffer = "v=0\r\no=- 1939512712 1939512712 IN IP4 10.0.0.5\r\ns=Asterisk\r\nc=IN IP4 10.0.0.5\r\nt=0 0\r\n" +
	"m=audio 17836 RTP/AVP 8 0 101\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\n" +
	"a=fmtp:101 0-16\r\na=ptime:20\r\na=maxptime:150\r\na=sendrecv\r\n"

func TestParseOffer(t *testing.T) {
	for _, tc := range []struct {
		name, sdp string
		want      offer
		err       string
	}{
		{name: "asterisk", sdp: asteriskOffer,
			want: offer{codec: ptPCMA, dtmf: 101, direction: "sendrecv", rtp: netip.MustParseAddrPort("10.0.0.5:17836")}},
		{name: "media-level c= wins, hold", sdp: strings.Replace(strings.Replace(asteriskOffer, "a=sendrecv", "a=sendonly", 1),
			"a=rtpmap:8", "c=IN IP4 10.0.0.9\r\na=rtpmap:8", 1),
			want: offer{codec: ptPCMA, dtmf: 101, direction: "sendonly", rtp: netip.MustParseAddrPort("10.0.0.9:17836")}},
		{name: "no dtmf, static mu-law", sdp: "v=0\no=- 1 1 IN IP4 1.2.3.4\ns=-\nc=IN IP4 1.2.3.4\nt=0 0\nm=audio 4000 RTP/AVP 0\n",
			want: offer{codec: ptPCMU, dtmf: -1, direction: "sendrecv", rtp: netip.MustParseAddrPort("1.2.3.4:4000")}},
		{name: "legacy hold c=0.0.0.0", sdp: strings.ReplaceAll(asteriskOffer, "c=IN IP4 10.0.0.5", "c=IN IP4 0.0.0.0"),
			want: offer{codec: ptPCMA, dtmf: 101, direction: "inactive", rtp: netip.MustParseAddrPort("0.0.0.0:17836")}},
		{name: "empty", sdp: "", err: "no SDP"},
		{name: "port 0", sdp: strings.Replace(asteriskOffer, "17836", "0", 1), err: "audio port"},
		{name: "opus only", sdp: strings.Replace(asteriskOffer, "RTP/AVP 8 0 101", "RTP/AVP 111", 1), err: "neither PCMU"},
		{name: "PCMU at 16 kHz", sdp: strings.Replace(strings.Replace(asteriskOffer, "PCMU/8000", "PCMU/16000", 1), "RTP/AVP 8 0", "RTP/AVP 0", 1), err: "neither PCMU"},
		{name: "duplicate rtpmap", sdp: asteriskOffer + "a=rtpmap:0 PCMU/8000\r\n", err: "mapped twice"},
		{name: "bad rtpmap", sdp: strings.Replace(asteriskOffer, "PCMA/8000", "PCMA", 1), err: "bad rtpmap"},
		{name: "IP6 label, IP4 address", sdp: strings.Replace(asteriskOffer, "c=IN IP4", "c=IN IP6", 1), err: "not an IP6"},
		{name: "garbage line", sdp: asteriskOffer + "hello\r\n", err: "not a type=value"},
		{name: "no origin", sdp: strings.Replace(asteriskOffer, "o=- 1939512712 1939512712 IN IP4 10.0.0.5\r\n", "", 1), err: "no o= line"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseOffer([]byte(tc.sdp))
			if tc.err != "" {
				if !errors.Is(err, ErrBadOffer) || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want ErrBadOffer with %q", err, tc.err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("got %+v, %v; want %+v", got, err, tc.want)
			}
		})
	}
}

// TestAnswerGolden: the answer to Asterisk's offer, byte for byte, and it reads back as a
// valid offer naming the same law, DTMF type and mirrored direction.
func TestAnswerGolden(t *testing.T) {
	o, err := parseOffer([]byte(asteriskOffer))
	if err != nil {
		t.Fatal(err)
	}
	got := answerSDP(netip.MustParseAddr("192.0.2.10"), 30000, o, 42, 1)
	path := filepath.Join("testdata", "answer-asterisk.golden")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("answer:\n%s\nwant:\n%s", got, want)
	}
	back, err := parseOffer(got)
	if err != nil || back.codec != o.codec || back.dtmf != o.dtmf || back.rtp.String() != "192.0.2.10:30000" {
		t.Errorf("answer reads back as %+v, %v", back, err)
	}
}

// FuzzOffer: no SDP makes parseOffer panic, and every offer it accepts is answered with an
// SDP it accepts back (same law, same DTMF type).
func FuzzOffer(f *testing.F) {
	f.Add([]byte(asteriskOffer))
	f.Add([]byte("v=0\no=- 1 1 IN IP4 1.2.3.4\ns=-\nc=IN IP4 1.2.3.4\nt=0 0\nm=audio 4000 RTP/AVP 0\n"))
	f.Add([]byte("v=0\r\nc=IN\r\nm=audio 1 RTP/AVP 0 0 0\r\na=rtpmap:0 x\r\n"))
	f.Fuzz(func(t *testing.T, sdp []byte) {
		o, err := parseOffer(sdp)
		if err != nil {
			if !errors.Is(err, ErrBadOffer) {
				t.Fatalf("error %v is not ErrBadOffer", err)
			}
			return
		}
		if o.codec != ptPCMU && o.codec != ptPCMA {
			t.Fatalf("accepted codec %d", o.codec)
		}
		ip := netip.MustParseAddr("192.0.2.1")
		back, err := parseOffer(answerSDP(ip, 4000, o, 1, 1))
		if err != nil || back.codec != o.codec || back.dtmf != o.dtmf {
			t.Fatalf("answer to %q reads back as %+v, %v", sdp, back, err)
		}
	})
}

// FuzzInvite: any SIP message the parser accepts goes through Spar's own checks (source,
// route, SDP) without panicking.
func FuzzInvite(f *testing.F) {
	f.Add([]byte("INVITE sip:100@127.0.0.1:5060 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK1\r\n" +
		"From: <sip:2001@127.0.0.1>;tag=1\r\nTo: <sip:100@127.0.0.1>\r\nCall-ID: a@b\r\nCSeq: 1 INVITE\r\n" +
		"Contact: <sip:2001@127.0.0.1:5070>\r\nContent-Type: application/sdp\r\nContent-Length: " +
		strconv.Itoa(len(asteriskOffer)) + "\r\n\r\n" + asteriskOffer))
	f.Add([]byte("INVITE sip:@x SIP/2.0\r\nFrom: <sip:x>\r\nTo: <sip:y>;tag=2\r\nContent-Length: 0\r\n\r\n"))
	s := &Server{cfg: Config{Numbers: map[string]string{"100": "double-charge"}, AllowGuests: true},
		scenarios: testScenarios, allow: mustAllow("127.0.0.0/8", "10.1.2.3")}
	f.Fuzz(func(t *testing.T, data []byte) {
		msg, err := sip.ParseMessage(data)
		if err != nil {
			return
		}
		req, ok := msg.(*sip.Request)
		if !ok {
			return
		}
		_ = s.allowed(req.Source())
		if from := req.From(); from != nil {
			if _, learner, err := s.route(req.Recipient.User, from.Address.User); err == nil && !strings.HasPrefix(learner, "guest:") {
				t.Fatalf("learner %q from no learners map", learner)
			}
		}
		if _, err := parseOffer(req.Body()); err != nil && !errors.Is(err, ErrBadOffer) {
			t.Fatal(err)
		}
	})
}

func mustAllow(list ...string) []netip.Prefix {
	p, err := parseAllow(list)
	if err != nil {
		panic(err)
	}
	return p
}
