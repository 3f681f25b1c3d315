package webtest

import (
	"bytes"
	"errors"
	"fmt"
	"image/png"
)

// ErrBlank reports a screenshot with (nearly) uniform luminance.
var ErrBlank = errors.New("webtest: screenshot looks blank")

// minVariance is the luminance variance (0-255 scale) below which a screenshot counts as blank.
const minVariance = 100

// NotBlank returns an error wrapping ErrBlank when the PNG's luminance barely varies, as for
// an empty or single-colour page, or the decoding error when it is not a PNG.
func NotBlank(shot []byte) error {
	img, err := png.Decode(bytes.NewReader(shot))
	if err != nil {
		return fmt.Errorf("decode screenshot: %w", err)
	}
	var sum, sq, n float64
	bounds := img.Bounds()
	for y := bounds.Min.Y; y < bounds.Max.Y; y += 2 {
		for x := bounds.Min.X; x < bounds.Max.X; x += 2 {
			r, g, b, _ := img.At(x, y).RGBA()
			l := (0.299*float64(r) + 0.587*float64(g) + 0.114*float64(b)) / 257
			sum, sq, n = sum+l, sq+l*l, n+1
		}
	}
	if n == 0 {
		return fmt.Errorf("%w: empty image", ErrBlank)
	}
	mean := sum / n
	if v := sq/n - mean*mean; v < minVariance {
		return fmt.Errorf("%w: luminance variance %.1f", ErrBlank, v)
	}
	return nil
}
