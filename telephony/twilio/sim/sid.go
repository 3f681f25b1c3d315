package sim

import (
	"crypto/rand"
	"encoding/hex"
)

// newSid returns a Twilio-shaped identifier: a two-letter prefix (CA call, AC account,
// MZ stream) and 32 lowercase hex digits.
func newSid(prefix string) string {
	var b [16]byte
	rand.Read(b[:])
	return prefix + hex.EncodeToString(b[:])
}
