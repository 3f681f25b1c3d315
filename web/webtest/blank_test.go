package webtest_test

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	"image/png"
	"testing"

	"github.com/sparlab/spar/web/webtest"
)

func encode(t *testing.T, img image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// picture is a 64x64 image whose pixel colour is given by f.
func picture(f func(x, y int) color.Gray) image.Image {
	img := image.NewGray(image.Rect(0, 0, 64, 64))
	for y := range 64 {
		for x := range 64 {
			img.SetGray(x, y, f(x, y))
		}
	}
	return img
}

func TestNotBlank(t *testing.T) {
	for _, tc := range []struct {
		name    string
		png     []byte
		blank   bool
		invalid bool
	}{
		{name: "white page", png: encode(t, picture(func(int, int) color.Gray { return color.Gray{255} })), blank: true},
		{name: "faint gradient", png: encode(t, picture(func(x, _ int) color.Gray { return color.Gray{uint8(200 + x/8)} })), blank: true},
		{name: "black text stripes", png: encode(t, picture(func(x, _ int) color.Gray {
			if x/4%2 == 0 {
				return color.Gray{0}
			}
			return color.Gray{255}
		}))},
		{name: "not a png", png: []byte("GIF89a"), invalid: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := webtest.NotBlank(tc.png)
			switch {
			case tc.invalid:
				if err == nil || errors.Is(err, webtest.ErrBlank) {
					t.Errorf("NotBlank = %v, want a decoding error", err)
				}
			case tc.blank:
				if !errors.Is(err, webtest.ErrBlank) {
					t.Errorf("NotBlank = %v, want ErrBlank", err)
				}
			case err != nil:
				t.Errorf("NotBlank = %v, want nil", err)
			}
		})
	}
}
