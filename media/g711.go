package media

import "math/bits"

// G.711 mu-law (ITU-T G.711, https://www.itu.int/rec/T-REC-G.711), the encoding of Twilio
// Media Streams and of PCMU on WebRTC: 8-bit logarithmic samples at 8 kHz.

const (
	mulawBias = 0x84  // added before the segment search so segment 0 starts at 0
	mulawClip = 32635 // largest magnitude that still fits after the bias
)

// mulawTable maps every mu-law byte to its linear sample; built once, read on the hot path.
var mulawTable = func() (t [256]int16) {
	for i := range t {
		u := ^byte(i)
		exp := (u >> 4) & 0x07
		mant := int(u & 0x0F)
		s := ((mant<<3)+mulawBias)<<exp - mulawBias
		if u&0x80 != 0 {
			s = -s
		}
		t[i] = int16(s)
	}
	return t
}()

// MulawDecode returns the linear sample a mu-law byte stands for.
func MulawDecode(b byte) int16 { return mulawTable[b] }

// MulawEncode compresses a linear sample to mu-law.
func MulawEncode(s int16) byte {
	v := int(s)
	var sign byte
	if v < 0 {
		v = -v
		sign = 0x80
	}
	if v > mulawClip {
		v = mulawClip
	}
	v += mulawBias
	// The segment (exponent) is the position of the highest set bit above bit 7; v >= 0x84.
	exp := byte(bits.Len16(uint16(v>>7)) - 1)
	mant := byte(v>>(exp+3)) & 0x0F
	return ^(sign | exp<<4 | mant)
}

// DecodeMulaw decodes src into dst, reusing dst's capacity, and returns dst[:len(src)].
func DecodeMulaw(dst []int16, src []byte) []int16 {
	dst = grow(dst, len(src))
	for i, b := range src {
		dst[i] = mulawTable[b]
	}
	return dst
}

// EncodeMulaw encodes src into dst, reusing dst's capacity, and returns dst[:len(src)].
func EncodeMulaw(dst []byte, src []int16) []byte {
	if cap(dst) < len(src) {
		dst = make([]byte, len(src))
	}
	dst = dst[:len(src)]
	for i, s := range src {
		dst[i] = MulawEncode(s)
	}
	return dst
}

// grow returns s resized to n, reallocating only when its capacity is too small.
func grow(s []int16, n int) []int16 {
	if cap(s) < n {
		return make([]int16, n, n+n/4)
	}
	return s[:n]
}
