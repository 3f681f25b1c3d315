package elevenlabs

import (
	"github.com/sparlab/spar/media"
)

// frameSamples is one 20 ms frame at 16 kHz.
const frameSamples = 320

// output turns audio bytes of the configured format into 16 kHz 20 ms frames. PCM chunks
// may split a sample: the odd byte is carried over.
type output struct {
	ulaw   bool
	rs     *media.Resampler // 8 -> 16 kHz for mu-law
	pcm    []int16
	carry  []byte
	frames *media.Framer // 20 ms frames to the synthesizer's writer
}

func (s *Synth) output(w media.Writer) (*output, error) {
	o := &output{ulaw: s.cfg.OutputFormat == FormatUlaw8k, frames: media.NewFramer(w, frameSamples), carry: make([]byte, 0, 1)}
	if o.ulaw {
		rs, err := media.NewResampler(o.frames, media.Rate8k, media.Rate16k)
		if err != nil {
			return nil, err
		}
		o.rs = rs
	}
	return o, nil
}

func (o *output) write(b []byte) error {
	if o.ulaw {
		o.pcm = media.DecodeMulaw(o.pcm, b)
		return o.rs.WriteSample(o.pcm)
	}
	o.pcm = o.pcm[:0]
	if len(o.carry) == 1 && len(b) > 0 {
		o.pcm = append(o.pcm, int16(uint16(o.carry[0])|uint16(b[0])<<8))
		b = b[1:]
		o.carry = o.carry[:0]
	}
	for i := 0; i+1 < len(b); i += 2 {
		o.pcm = append(o.pcm, int16(uint16(b[i])|uint16(b[i+1])<<8))
	}
	if len(b)%2 == 1 {
		o.carry = append(o.carry, b[len(b)-1])
	}
	return o.frames.WriteSample(o.pcm)
}

// flush pushes the resampler's delayed tail out and pads the last frame with silence.
func (o *output) flush() error {
	if o.ulaw {
		o.pcm = append(o.pcm[:0], make([]int16, 16)...)
		if err := o.rs.WriteSample(o.pcm); err != nil {
			return err
		}
	}
	return o.frames.Flush()
}
