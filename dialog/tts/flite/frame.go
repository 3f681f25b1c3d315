package flite

import "github.com/sparlab/spar/media"

// frameSamples is one 20 ms frame at 16 kHz.
const frameSamples = 320

// silenceLevel is the amplitude (about -54 dBFS) below which a leading sample counts as silence.
const silenceLevel = 64

// keepLead is the leading silence kept before the first sound: 50 ms at 16 kHz.
const keepLead = 800

// trimmer drops leading silence beyond keepLead samples, so the persona starts speaking fast.
// flite opens every utterance with a pause of its own.
type trimmer struct {
	next   media.Writer
	ring   [keepLead]int16
	filled int // samples held in ring (at most keepLead)
	head   int // next ring slot to write
	heard  bool
	lead   []int16
}

func (t *trimmer) WriteSample(p []int16) error {
	if t.heard {
		return t.next.WriteSample(p)
	}
	for i, s := range p {
		if s > silenceLevel || s < -silenceLevel {
			t.heard = true
			// Replay the kept silence in order, oldest first, then the rest.
			t.lead = t.lead[:0]
			start := (t.head - t.filled + keepLead) % keepLead
			for k := 0; k < t.filled; k++ {
				t.lead = append(t.lead, t.ring[(start+k)%keepLead])
			}
			if len(t.lead) > 0 {
				if err := t.next.WriteSample(t.lead); err != nil {
					return err
				}
			}
			return t.next.WriteSample(p[i:])
		}
		t.ring[t.head] = s
		t.head = (t.head + 1) % keepLead
		t.filled = min(t.filled+1, keepLead)
	}
	return nil
}
