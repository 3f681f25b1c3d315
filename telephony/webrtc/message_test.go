package webrtc

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDecodeMessage(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     string // the type, or an error substring
	}{
		{"offer", `{"type":"offer","scenario":"double-charge","learner":"Ada","sdp":"v=0"}`, MsgOffer},
		{"candidate", `{"type":"candidate","candidate":{"candidate":"candidate:1 1 udp 2 10.0.0.1 5000 typ host","sdpMid":"0","sdpMLineIndex":0,"usernameFragment":"abcd"}}`, MsgCandidate},
		{"end of candidates", `{"type":"candidate","candidate":null}`, MsgCandidate},
		{"hangup", `{"type":"hangup"}`, MsgHangup},
		{"unknown fields are ignored", `{"type":"hangup","later":true}`, MsgHangup},
		{"not json", `{type:`, "not JSON"},
		{"array", `[]`, "not JSON"},
		{"no type", `{}`, "no type"},
		{"server-only type", `{"type":"ended"}`, "unknown message type"},
		{"long candidate", `{"type":"candidate","candidate":{"candidate":"` + strings.Repeat("x", maxCandidate+1) + `"}}`, "too long"},
		{"long mid", `{"type":"candidate","candidate":{"candidate":"","sdpMid":"` + strings.Repeat("x", 65) + `"}}`, "too long"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := decodeMessage([]byte(tc.in))
			switch {
			case err != nil && !errors.Is(err, ErrBadRequest):
				t.Errorf("error %v is not a bad request", err)
			case err != nil && !strings.Contains(err.Error(), tc.want):
				t.Errorf("error %v, want %q", err, tc.want)
			case err == nil && m.Type != tc.want:
				t.Errorf("type %q, want %q", m.Type, tc.want)
			}
		})
	}
}

// FuzzDecodeMessage feeds the signaling decoder what a hostile page could send. Seeds are
// real page messages (testdata/signal); testdata/fuzz/FuzzDecodeMessage keeps odd inputs.
func FuzzDecodeMessage(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "signal", "*.json"))
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := decodeMessage(data)
		if err != nil {
			if !errors.Is(err, ErrBadRequest) {
				t.Errorf("error %v is not a bad request", err)
			}
			return
		}
		switch m.Type {
		case MsgOffer, MsgHangup:
		case MsgCandidate:
			if c := m.Candidate; c != nil && len(c.Candidate) > maxCandidate {
				t.Errorf("accepted a %d-byte candidate", len(c.Candidate))
			}
		default:
			t.Errorf("accepted type %q", m.Type)
		}
		if _, err := json.Marshal(m); err != nil {
			t.Errorf("cannot re-encode %+v: %v", m, err)
		}
	})
}
