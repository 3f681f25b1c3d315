package main

import (
	"testing"

	"github.com/sparlab/spar/dialog/store/storetest"
)

// TestSharedKey: the first node to ask creates the key; every later ask (another node, a
// restart) gets the same one.
func TestSharedKey(t *testing.T) {
	rdb := storetest.Redis(t)
	key := storetest.Prefix(t) + "webrtc:guest-key"
	first, err := sharedKey(t.Context(), rdb, key)
	if err != nil {
		t.Fatal(err)
	}
	again, err := sharedKey(t.Context(), rdb, key)
	if err != nil || again != first || first == [32]byte{} {
		t.Fatalf("second ask: %x, %v; first %x", again, err, first)
	}
	if err := rdb.Set(t.Context(), key, "not hex", 0).Err(); err != nil {
		t.Fatal(err)
	}
	if _, err := sharedKey(t.Context(), rdb, key); err == nil {
		t.Fatal("a damaged key was accepted")
	}
}
