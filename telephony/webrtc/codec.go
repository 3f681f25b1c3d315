package webrtc

import (
	"fmt"

	"github.com/thesyncim/gopus"

	"github.com/sparlab/spar/media"
	"github.com/sparlab/spar/telephony"
)

// frame16k is one 20 ms frame at the Call's rate.
const frame16k = telephony.Rate / 50

// encoder turns one 20 ms frame of 16 kHz persona audio into one RTP payload.
type encoder interface {
	encode(pcm []int16, dst []byte) (int, error)
}

// decoder turns one RTP payload into 16 kHz PCM in dst, returning the sample count.
type decoder interface {
	decode(payload []byte, dst []int16) (int, error)
}

// codecPath is what a negotiated codec needs on the hot path: the encoder of the persona's
// audio (a sending path) or the decoder of the learner's (a receiving path), never both, as
// each direction of a call uses one and the Opus state is most of a browser call's memory.
type codecPath struct {
	enc       encoder
	dec       decoder
	clockRate uint32 // RTP clock
	perFrame  uint32 // RTP ticks in 20 ms
}

// newSendPath builds the encoder for c. Opus is encoded at 16 kHz directly (Opus resamples
// internally; the RTP clock stays 48 kHz). The persona's audio is always speech, and the
// encoder is told so (OPUS_SIGNAL_VOICE).
func newSendPath(c string, bitrate int) (*codecPath, error) {
	switch c {
	case codecOpus.MimeType:
		enc, err := opusImpls[0].newEncoder(bitrate)
		if err != nil {
			return nil, err
		}
		return &codecPath{enc: enc, clockRate: 48000, perFrame: 960}, nil
	case codecPCMU.MimeType:
		e := &pcmuEnc{}
		down, err := media.NewResampler(media.WriterFunc(e.collect), telephony.Rate, media.Rate8k)
		if err != nil {
			return nil, err
		}
		e.down = down
		return &codecPath{enc: e, clockRate: 8000, perFrame: 160}, nil
	}
	return nil, fmt.Errorf("%w: %s", ErrNoCodec, c)
}

// newReceivePath builds the decoder for c. Opus is decoded at 16 kHz directly.
func newReceivePath(c string) (*codecPath, error) {
	switch c {
	case codecOpus.MimeType:
		dec, err := opusImpls[0].newDecoder()
		if err != nil {
			return nil, err
		}
		return &codecPath{dec: dec, clockRate: 48000, perFrame: 960}, nil
	case codecPCMU.MimeType:
		d := &pcmuDec{}
		up, err := media.NewResampler(media.WriterFunc(d.collect), media.Rate8k, telephony.Rate)
		if err != nil {
			return nil, err
		}
		d.up = up
		return &codecPath{dec: d, clockRate: 8000, perFrame: 160}, nil
	}
	return nil, fmt.Errorf("%w: %s", ErrNoCodec, c)
}

// opusImpl is one Opus implementation; opusImpls[0] codes every browser call. gopus (pure
// Go) is always built; libopus (cgo, -tags libopus, what make build uses) goes first when
// built, as its state is a fifth of gopus's.
type opusImpl struct {
	name       string
	newEncoder func(bitrate int) (encoder, error)
	newDecoder func() (decoder, error)
}

var opusImpls = []opusImpl{{"gopus", newGopusEncoder, newGopusDecoder}}

// newGopusEncoder encodes 16 kHz speech at bitrate. The encoder is told its input is speech
// (OPUS_SIGNAL_VOICE): speech codes the same (SILK, byte for byte), and nothing the encoder's
// analysis takes for music (a tone, a synthesizer's sung or noisy stretch) switches it to
// CELT, whose work buffers, sized for 48 kHz and 120 ms frames, gopus allocates on a call's
// first CELT frame and keeps: about 190 KB a call.
func newGopusEncoder(bitrate int) (encoder, error) {
	enc, err := gopus.NewEncoder(gopus.EncoderConfig{SampleRate: telephony.Rate, Channels: 1, Application: gopus.ApplicationVoIP})
	if err != nil {
		return nil, fmt.Errorf("webrtc: opus encoder: %w", err)
	}
	if err := enc.SetBitrate(bitrate); err != nil {
		return nil, fmt.Errorf("webrtc: opus bitrate: %w", err)
	}
	if err := enc.SetSignal(gopus.SignalVoice); err != nil {
		return nil, fmt.Errorf("webrtc: opus signal: %w", err)
	}
	return gopusEnc{enc}, nil
}

// newGopusDecoder decodes to 16 kHz, with work buffers for the longest packet inbound
// accepts (maxDecoded) instead of gopus's default.
func newGopusDecoder() (decoder, error) {
	cfg := gopus.DefaultDecoderConfig(telephony.Rate, 1)
	cfg.MaxPacketSamples = maxDecoded
	dec, err := gopus.NewDecoder(cfg)
	if err != nil {
		return nil, fmt.Errorf("webrtc: opus decoder: %w", err)
	}
	return gopusDec{dec}, nil
}

type gopusEnc struct{ e *gopus.Encoder }

func (o gopusEnc) encode(pcm []int16, dst []byte) (int, error) { return o.e.EncodeInt16(pcm, dst) }

type gopusDec struct{ d *gopus.Decoder }

func (o gopusDec) decode(p []byte, dst []int16) (int, error) { return o.d.DecodeInt16(p, dst) }

// pcmuEnc resamples 16 kHz to 8 kHz (exactly half a frame per frame) and mu-law encodes it.
type pcmuEnc struct {
	down *media.Resampler
	mid  []int16
}

func (e *pcmuEnc) collect(p []int16) error { e.mid = append(e.mid, p...); return nil }

func (e *pcmuEnc) encode(pcm []int16, dst []byte) (int, error) {
	e.mid = e.mid[:0]
	if err := e.down.WriteSample(pcm); err != nil {
		return 0, err
	}
	n := min(len(e.mid), len(dst))
	for i, s := range e.mid[:n] {
		dst[i] = media.MulawEncode(s)
	}
	return n, nil
}

// pcmuDec mu-law decodes 8 kHz and resamples it to 16 kHz.
type pcmuDec struct {
	up       *media.Resampler
	pcm, out []int16
}

func (d *pcmuDec) collect(p []int16) error { d.out = append(d.out, p...); return nil }

func (d *pcmuDec) decode(p []byte, dst []int16) (int, error) {
	d.pcm = media.DecodeMulaw(d.pcm, p)
	d.out = d.out[:0]
	if err := d.up.WriteSample(d.pcm); err != nil {
		return 0, err
	}
	return copy(dst, d.out), nil
}
