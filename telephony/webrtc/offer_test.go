package webrtc

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestPickCodec(t *testing.T) {
	for _, tc := range []struct {
		file string
		mime string
		err  error
	}{
		{"chromium-offer.sdp", codecOpus.MimeType, nil},
		{"pcmu-only-offer.sdp", codecPCMU.MimeType, nil},
		{"video-only-offer.sdp", "", ErrNoAudio},
		{"g722-only-offer.sdp", "", ErrNoCodec},
		{"garbage.sdp", "", ErrBadOffer},
	} {
		t.Run(tc.file, func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join("testdata", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			c, err := pickCodec(string(b))
			if !errors.Is(err, tc.err) || (err == nil && c.MimeType != tc.mime) {
				t.Errorf("pickCodec = %s, %v; want %s, %v", c.MimeType, err, tc.mime, tc.err)
			}
		})
	}
}

func FuzzPickCodec(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.sdp"))
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(b))
	}
	f.Fuzz(func(t *testing.T, sdp string) {
		c, err := pickCodec(sdp)
		if err == nil && c.MimeType != codecOpus.MimeType && c.MimeType != codecPCMU.MimeType {
			t.Errorf("picked %s", c.MimeType)
		}
		if err != nil && !errors.Is(err, ErrBadRequest) {
			t.Errorf("error %v is not a bad request", err)
		}
	})
}
