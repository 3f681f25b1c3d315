package dialog

import (
	"slices"
	"testing"
)

func TestPrerollKeepsTheLastSamplesInOrder(t *testing.T) {
	r := newPreroll(5)
	r.push([]int16{1, 2, 3})
	if got := r.contents(); !slices.Equal(got, []int16{1, 2, 3}) {
		t.Errorf("before wrapping: %v", got)
	}
	r.reset()
	for i := range int16(12) { // wraps twice, in pieces of 1
		r.push([]int16{i})
	}
	r.push([]int16{12, 13})
	if got := r.contents(); !slices.Equal(got, []int16{9, 10, 11, 12, 13}) {
		t.Errorf("after wrapping: %v, want 9..13", got)
	}
	r.reset()
	r.push([]int16{7})
	if got := r.contents(); !slices.Equal(got, []int16{7}) {
		t.Errorf("after reset: %v", got)
	}
}
