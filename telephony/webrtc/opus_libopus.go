//go:build libopus

package webrtc

/*
#cgo pkg-config: opus
#include <opus.h>

static int spar_opus_voice(OpusEncoder *e, opus_int32 bitrate) {
	int err = opus_encoder_ctl(e, OPUS_SET_BITRATE(bitrate));
	if (err != OPUS_OK) return err;
	return opus_encoder_ctl(e, OPUS_SET_SIGNAL(OPUS_SIGNAL_VOICE));
}
*/
import "C"

import (
	"errors"
	"fmt"
	"unsafe"

	"github.com/sparlab/spar/telephony"
)

// libopus codes a browser call's Opus with the C library (built with -tags libopus): its
// encoder and decoder state is about 65 KB a call against gopus's 396 KB. The state lives in
// Go memory, which the collector never moves: it holds no Go pointers, and libopus keeps no
// pointer to it between calls, so it goes with the call and nothing has to be destroyed.
func init() {
	opusImpls = append([]opusImpl{{"libopus", newLibopusEncoder, newLibopusDecoder}}, opusImpls...)
}

// opusState returns Go memory for a libopus state of size bytes, 8-byte aligned.
func opusState(size C.int) []uint64 { return make([]uint64, (int(size)+7)/8) }

type libopusEnc struct{ st []uint64 }

func newLibopusEncoder(bitrate int) (encoder, error) {
	e := libopusEnc{opusState(C.opus_encoder_get_size(1))}
	st := (*C.OpusEncoder)(unsafe.Pointer(&e.st[0]))
	if rc := C.opus_encoder_init(st, C.opus_int32(telephony.Rate), 1, C.OPUS_APPLICATION_VOIP); rc != C.OPUS_OK {
		return nil, fmt.Errorf("webrtc: opus encoder: %w", opusError(rc))
	}
	if rc := C.spar_opus_voice(st, C.opus_int32(bitrate)); rc != C.OPUS_OK {
		return nil, fmt.Errorf("webrtc: opus bitrate %d: %w", bitrate, opusError(rc))
	}
	return e, nil
}

func (e libopusEnc) encode(pcm []int16, dst []byte) (int, error) {
	if len(pcm) == 0 || len(dst) == 0 {
		return 0, errors.New("opus: empty frame or buffer")
	}
	n := C.opus_encode((*C.OpusEncoder)(unsafe.Pointer(&e.st[0])), (*C.opus_int16)(unsafe.Pointer(&pcm[0])),
		C.int(len(pcm)), (*C.uchar)(unsafe.Pointer(&dst[0])), C.opus_int32(len(dst)))
	if n < 0 {
		return 0, opusError(n)
	}
	return int(n), nil
}

type libopusDec struct{ st []uint64 }

func newLibopusDecoder() (decoder, error) {
	d := libopusDec{opusState(C.opus_decoder_get_size(1))}
	if rc := C.opus_decoder_init((*C.OpusDecoder)(unsafe.Pointer(&d.st[0])), C.opus_int32(telephony.Rate), 1); rc != C.OPUS_OK {
		return nil, fmt.Errorf("webrtc: opus decoder: %w", opusError(rc))
	}
	return d, nil
}

func (d libopusDec) decode(p []byte, dst []int16) (int, error) {
	if len(p) == 0 || len(dst) == 0 {
		return 0, errors.New("opus: empty packet or buffer")
	}
	n := C.opus_decode((*C.OpusDecoder)(unsafe.Pointer(&d.st[0])), (*C.uchar)(unsafe.Pointer(&p[0])), C.opus_int32(len(p)),
		(*C.opus_int16)(unsafe.Pointer(&dst[0])), C.int(len(dst)), 0)
	if n < 0 {
		return 0, opusError(n)
	}
	return int(n), nil
}

func opusError(rc C.int) error { return fmt.Errorf("opus: %s", C.GoString(C.opus_strerror(rc))) }
