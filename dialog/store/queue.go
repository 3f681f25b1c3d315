package store

import (
	"sync"

	"github.com/sparlab/spar/dialog"
)

// queue is a call's bounded FIFO of timeline events between the engine and the writer. Unlike
// a buffered channel of the same bound it holds memory only for what is queued: a call costs
// a few events' worth while Redis keeps up, and up to max while it is unreachable.
type queue struct {
	mu    sync.Mutex
	items []dialog.Event
	head  int
	max   int
	ready chan struct{} // capacity 1: signalled while events are queued
}

// spareCap is the capacity an emptied queue keeps; a bigger one (after an outage) is freed.
const spareCap = 64

func newQueue(max int) *queue { return &queue{max: max, ready: make(chan struct{}, 1)} }

// push adds e unless max events are queued; it never blocks.
func (q *queue) push(e dialog.Event) bool {
	q.mu.Lock()
	if len(q.items)-q.head >= q.max {
		q.mu.Unlock()
		return false
	}
	q.items = append(q.items, e)
	q.mu.Unlock()
	q.signal()
	return true
}

// popTo hands up to n queued events to fn in order, and signals ready again if any are left.
func (q *queue) popTo(n int, fn func(dialog.Event)) {
	q.mu.Lock()
	k := min(n, len(q.items)-q.head)
	for _, e := range q.items[q.head : q.head+k] {
		fn(e)
	}
	clear(q.items[q.head : q.head+k])
	q.head += k
	left := len(q.items) - q.head
	switch {
	case left == 0 && cap(q.items) > spareCap:
		q.items, q.head = nil, 0
	case left == 0:
		q.items, q.head = q.items[:0], 0
	case q.head > left: // mostly consumed: move the rest to the front
		n := copy(q.items, q.items[q.head:])
		clear(q.items[n:])
		q.items, q.head = q.items[:n], 0
	}
	q.mu.Unlock()
	if left > 0 {
		q.signal()
	}
}

// len returns how many events are queued.
func (q *queue) len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.items) - q.head
}

func (q *queue) signal() {
	select {
	case q.ready <- struct{}{}:
	default:
	}
}
