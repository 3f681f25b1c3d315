package flite

import (
	"fmt"

	"github.com/sparlab/spar/media"
)

// to16k returns a Writer taking audio at rate and writing 16 kHz to next: flite's kal voice
// is 8 kHz (media's resampler), espeak-ng is 22050 Hz (the linear converter).
func to16k(next media.Writer, rate int) (media.Writer, error) {
	switch rate {
	case media.Rate16k:
		return next, nil
	case media.Rate8k, media.Rate24k, media.Rate48k:
		r, err := media.NewResampler(next, rate, media.Rate16k)
		if err != nil {
			return nil, fmt.Errorf("resample %d Hz: %w", rate, err)
		}
		return r, nil
	default:
		return newLinear(next, rate, media.Rate16k), nil
	}
}
