package store

import (
	"time"

	"testing"

	"github.com/sparlab/spar/dialog"
)

func TestQueueOrderBoundAndMemory(t *testing.T) {
	q := newQueue(100)
	var got []int
	take := func(e dialog.Event) { got = append(got, int(e.At)) }
	for i := range 150 {
		if ok := q.push(dialog.Event{At: timeOf(i)}); ok != (i < 100) {
			t.Fatalf("push %d = %v with %d queued, max 100", i, ok, q.len())
		}
	}
	select {
	case <-q.ready:
	default:
		t.Fatal("no ready signal with events queued")
	}
	q.popTo(30, take)
	select {
	case <-q.ready: // 70 left: signalled again so the writer comes back for them
	default:
		t.Fatal("no ready signal after a partial pop")
	}
	for i := 100; i < 130; i++ { // room again for 30
		if !q.push(dialog.Event{At: timeOf(i)}) {
			t.Fatalf("push %d refused with %d queued", i, q.len())
		}
	}
	q.popTo(1000, take)
	if len(got) != 130 {
		t.Fatalf("took %d events, want 130", len(got))
	}
	for i, v := range got {
		if v != i {
			t.Fatalf("event %d is %d: order lost", i, v)
		}
	}
	if q.len() != 0 || q.items != nil {
		t.Errorf("emptied after an outage-sized backlog: len %d cap %d, want the memory freed", q.len(), cap(q.items))
	}
	// Steady state: push one, pop one, no growth.
	for i := range 1000 {
		q.push(dialog.Event{At: timeOf(i)})
		q.popTo(1, func(dialog.Event) {})
	}
	if c := cap(q.items); c > spareCap {
		t.Errorf("capacity %d after a steady trickle, want <= %d", c, spareCap)
	}
}

func timeOf(i int) (d time.Duration) { return time.Duration(i) }
