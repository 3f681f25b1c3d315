package sim

import (
	"slices"
	"testing"
)

func TestPlayout(t *testing.T) {
	var p playout
	var echoed []string
	echo := func(name string) { echoed = append(echoed, name) }
	frame := make([]byte, frameBytes)
	tick := func() int { return p.tick(frame, echo) }

	if !p.mark("empty") {
		t.Error("a mark with nothing queued is not echoed at once")
	}
	p.write(make([]byte, 300)) // 1.875 frames
	if p.mark("a") {
		t.Error("mark a echoed before its audio played")
	}
	p.write(make([]byte, 20))
	p.mark("b")
	if n := tick(); n != 160 || len(echoed) != 0 {
		t.Fatalf("tick 1: took %d, echoed %v", n, echoed)
	}
	if n := tick(); n != 160 || len(echoed) != 0 {
		t.Fatalf("tick 2: took %d, echoed %v (audio still playing)", n, echoed)
	}
	if n := tick(); n != 0 || !slices.Equal(echoed, []string{"a", "b"}) {
		t.Fatalf("tick 3: took %d, echoed %v, want a b once both frames finished", n, echoed)
	}

	echoed = nil
	p.write(make([]byte, 1600))
	p.mark("c")
	p.write(make([]byte, 1600))
	p.mark("d")
	tick()
	if dropped := p.clear(echo); dropped != 3040 || !slices.Equal(echoed, []string{"c", "d"}) {
		t.Fatalf("clear dropped %d, echoed %v", dropped, echoed)
	}
	if n := tick(); n != 0 || p.pending() != 0 {
		t.Errorf("after clear: took %d, %d pending", n, p.pending())
	}
	if !p.mark("e") {
		t.Error("mark after clear with nothing queued not echoed at once")
	}
}
