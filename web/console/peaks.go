package console

import (
	"fmt"
	"io"
	"net/http"

	"github.com/sparlab/spar/media"
)

// Peaks is a recording's waveform summary: per column, the loudest sample of each channel
// scaled to 0..255. Left is the learner, right the persona.
type Peaks struct {
	Rate       int   `json:"rate"`
	DurationMS int64 `json:"duration_ms"`
	Left       []int `json:"left"`
	Right      []int `json:"right"`
}

// ComputePeaks reads a WAV (mono or stereo, 16-bit) and reduces it to n columns.
func ComputePeaks(r io.Reader, n int) (*Peaks, error) {
	w, err := media.ReadWAV(r)
	if err != nil {
		return nil, fmt.Errorf("console: peaks: %w", err)
	}
	ch := max(w.Channels, 1)
	frames := len(w.Samples) / ch
	p := &Peaks{Rate: w.Rate, Left: make([]int, n), Right: make([]int, n)}
	if w.Rate > 0 {
		p.DurationMS = int64(frames) * 1000 / int64(w.Rate)
	}
	if frames == 0 {
		return p, nil
	}
	for i := range frames {
		col := i * n / frames
		l := abs16(w.Samples[i*ch])
		rt := l
		if ch > 1 {
			rt = abs16(w.Samples[i*ch+1])
		}
		p.Left[col] = max(p.Left[col], l)
		p.Right[col] = max(p.Right[col], rt)
	}
	for i := range n {
		p.Left[i] = p.Left[i] * 255 / 32768
		p.Right[i] = p.Right[i] * 255 / 32768
	}
	return p, nil
}

func abs16(s int16) int {
	if s < 0 {
		return -int(s)
	}
	return int(s)
}

func (c *Console) peaks(w http.ResponseWriter, r *http.Request) {
	f, _, err := c.openRecording(r)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	defer f.Close()
	p, err := ComputePeaks(f, c.cfg.Peaks)
	if err != nil {
		c.fail(w, r, fmt.Errorf("%w: %w", ErrNoRecording, err))
		return
	}
	writeJSON(w, http.StatusOK, p)
}
