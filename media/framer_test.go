package media

import (
	"errors"
	"slices"
	"testing"
)

func TestFramer(t *testing.T) {
	ramp := make([]int16, 1000)
	for i := range ramp {
		ramp[i] = int16(i)
	}
	tests := []struct {
		name   string
		writes []int // lengths written in turn, cut from ramp
		frames int   // whole frames expected out
	}{
		{"exact frames", []int{160, 160}, 2},
		{"small pieces", []int{50, 50, 50, 50}, 1},
		{"straddling", []int{100, 300, 100}, 3},
		{"one long write", []int{1000}, 6},
		{"nothing whole", []int{159}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out []int16
			var sizes []int
			f := NewFramer(WriterFunc(func(p []int16) error {
				sizes = append(sizes, len(p))
				out = append(out, p...)
				return nil
			}), 160)
			off := 0
			for _, n := range tt.writes {
				if err := f.WriteSample(ramp[off : off+n]); err != nil {
					t.Fatal(err)
				}
				off += n
			}
			if len(sizes) != tt.frames || slices.ContainsFunc(sizes, func(n int) bool { return n != 160 }) {
				t.Fatalf("frame sizes %v, want %d frames of 160", sizes, tt.frames)
			}
			if !slices.Equal(out, ramp[:len(out)]) {
				t.Fatal("frames do not carry the input in order")
			}
		})
	}
}

func TestFramerResetAndError(t *testing.T) {
	boom := errors.New("boom")
	var got [][]int16
	fail := true
	f := NewFramer(WriterFunc(func(p []int16) error {
		got = append(got, slices.Clone(p))
		if fail {
			return boom
		}
		return nil
	}), 4)
	if err := f.WriteSample([]int16{1, 2, 3, 4, 5}); !errors.Is(err, boom) {
		t.Fatalf("err = %v, want boom", err)
	}
	fail = false // the 5 after the failed frame was not taken
	if err := f.WriteSample([]int16{10, 11}); err != nil {
		t.Fatal(err)
	}
	f.Reset() // drops the partial 10, 11
	if err := f.WriteSample([]int16{6, 7}); err != nil {
		t.Fatal(err)
	}
	if err := f.WriteSample([]int16{8, 9}); err != nil {
		t.Fatal(err)
	}
	want := [][]int16{{1, 2, 3, 4}, {6, 7, 8, 9}}
	if !slices.EqualFunc(got, want, slices.Equal) {
		t.Fatalf("frames %v, want %v", got, want)
	}
}

func TestFramerAllocs(t *testing.T) {
	f := NewFramer(Discard, 320)
	p := make([]int16, 100)
	if n := testing.AllocsPerRun(100, func() { _ = f.WriteSample(p) }); n != 0 {
		t.Fatalf("%v allocations per write, want 0", n)
	}
}

func TestFramerFlushPads(t *testing.T) {
	var got [][]int16
	f := NewFramer(WriterFunc(func(p []int16) error { got = append(got, append([]int16(nil), p...)); return nil }), 4)
	if err := f.WriteSample([]int16{1, 2, 3, 4, 5, 6}); err != nil {
		t.Fatal(err)
	}
	if err := f.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.Flush(); err != nil { // nothing left: writes nothing
		t.Fatal(err)
	}
	want := [][]int16{{1, 2, 3, 4}, {5, 6, 0, 0}}
	if len(got) != len(want) || !slices.Equal(got[0], want[0]) || !slices.Equal(got[1], want[1]) {
		t.Errorf("frames = %v, want %v", got, want)
	}
}

// TestFramerWriteSilence: silence fills the partial frame and whole frames as zeros would.
func TestFramerWriteSilence(t *testing.T) {
	var got [][]int16
	f := NewFramer(WriterFunc(func(p []int16) error { got = append(got, slices.Clone(p)); return nil }), 4)
	if err := f.WriteSample([]int16{1, 2}); err != nil {
		t.Fatal(err)
	}
	if err := f.WriteSilence(7); err != nil {
		t.Fatal(err)
	}
	if err := f.WriteSample([]int16{3}); err != nil {
		t.Fatal(err)
	}
	want := [][]int16{{1, 2, 0, 0}, {0, 0, 0, 0}, {0, 3, 0, 0}}
	if err := f.Flush(); err != nil {
		t.Fatal(err)
	}
	if !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("frames %v, want %v", got, want)
	}
}
