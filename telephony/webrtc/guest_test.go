package webrtc

import "testing"

// TestGuestKeyShared: a guest pass minted by one server holds on another given the same key
// (nodes sharing a Redis, or the same node after a restart), and not on one with its own.
func TestGuestKeyShared(t *testing.T) {
	var key [32]byte
	copy(key[:], "a key shared through redis.......")
	a, b, other := &Server{guests: newGuestPasses()}, &Server{guests: newGuestPasses()}, &Server{guests: newGuestPasses()}
	a.SetGuestKey(key)
	b.SetGuestKey(key)
	pass := a.guests.mint()
	id, ok := b.guests.check(pass)
	if !ok || id == "" {
		t.Fatal("a pass from a node with the same key is refused")
	}
	if _, ok := other.guests.check(pass); ok {
		t.Fatal("a pass is accepted under another key")
	}
	tampered := pass[:len(pass)-1] + "A"
	if pass[len(pass)-1] == 'A' {
		tampered = pass[:len(pass)-1] + "B"
	}
	if _, ok := b.guests.check(tampered); ok {
		t.Fatal("a tampered pass is accepted")
	}
}
