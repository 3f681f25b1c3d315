package media

import (
	"bytes"
	"errors"
	"io"
	"sync"
	"testing"
	"time"
)

// nonzero returns the frame positions where channel ch of interleaved stereo is not silent.
func nonzero(s []int16, ch int) []int {
	var at []int
	for i := ch; i < len(s); i += 2 {
		if s[i] != 0 {
			at = append(at, i/2)
		}
	}
	return at
}

func TestRecorderAlignment(t *testing.T) {
	f := &memFile{}
	r, err := NewRecorder(f, 16000, 0)
	if err != nil {
		t.Fatal(err)
	}
	const clickL, clickR = 3217, 5001
	frame := make([]int16, 320)
	// The persona's click arrives first, far ahead of the learner's side.
	right := make([]int16, 320)
	right[clickR%320] = -9000
	r.WriteRight(clickR-clickR%320, right)
	// Learner frames arrive slightly out of order.
	order := []int{0, 2, 1, 3, 5, 4, 6, 7, 8, 9, 10, 11}
	for _, i := range order {
		p := frame
		if i == clickL/320 {
			p = make([]int16, 320)
			p[clickL%320] = 12000
		}
		r.WriteLeft(int64(i*320), p)
		if i == 5 {
			if err := r.Flush(4 * 320); err != nil { // mid-stream flush
				t.Fatal(err)
			}
		}
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	w, err := ReadWAV(bytes.NewReader(f.b))
	if err != nil {
		t.Fatal(err)
	}
	if w.Channels != 2 || w.Rate != 16000 || len(w.Samples) != 2*16*320 {
		t.Fatalf("%d ch %d Hz %d frames, want stereo 16 kHz 5120 (to the end of the persona's frame)", w.Channels, w.Rate, len(w.Samples)/2)
	}
	if l := nonzero(w.Samples, 0); len(l) != 1 || l[0] != clickL || w.Samples[2*clickL] != 12000 {
		t.Errorf("left click at %v, want [%d]", l, clickL)
	}
	if rr := nonzero(w.Samples, 1); len(rr) != 1 || rr[0] != clickR || w.Samples[2*clickR+1] != -9000 {
		t.Errorf("right click at %v, want [%d]", rr, clickR)
	}
	if r.Late() != 0 {
		t.Errorf("Late = %d, want 0", r.Late())
	}
}

// A process killed after Flush leaves a file that reads back to the flushed position.
func TestRecorderCrashAfterFlush(t *testing.T) {
	f := &memFile{}
	r, _ := NewRecorder(f, 8000, 0)
	tone := sine(8000, 440, 5000, 8000)
	for i := 0; i < 8000; i += 160 {
		r.WriteLeft(int64(i), tone[i:i+160])
		r.WriteRight(int64(i+80), tone[i:i+160]) // persona echo 10 ms late
	}
	if err := r.Flush(6000); err != nil {
		t.Fatal(err)
	}
	disk := f.snapshot() // no Close: the process dies here
	w, err := ReadWAV(bytes.NewReader(disk))
	if err != nil {
		t.Fatal(err)
	}
	if len(w.Samples) != 2*6000 {
		t.Fatalf("%d frames on disk, want 6000", len(w.Samples)/2)
	}
	for i := 0; i < 6000; i++ {
		if w.Samples[2*i] != tone[i] {
			t.Fatalf("left frame %d = %d, want %d", i, w.Samples[2*i], tone[i])
		}
		want := int16(0)
		if i >= 80 {
			want = tone[i-80]
		}
		if w.Samples[2*i+1] != want {
			t.Fatalf("right frame %d = %d, want %d", i, w.Samples[2*i+1], want)
		}
	}
	// Flushing past what was written pads with silence.
	if err := r.Flush(9000); err != nil {
		t.Fatal(err)
	}
	w, _ = ReadWAV(bytes.NewReader(f.snapshot()))
	if len(w.Samples) != 2*9000 || w.Samples[2*8500] != 0 || w.Samples[2*7999] != tone[7999] {
		t.Errorf("after Flush(9000): %d frames", len(w.Samples)/2)
	}
}

func TestRecorderLateAndMix(t *testing.T) {
	f := &memFile{}
	r, _ := NewRecorder(f, 16000, 0)
	r.WriteLeft(0, []int16{100, 200, 300, 400})
	r.WriteLeft(2, []int16{32500, 32500}) // overlaps: mixed, saturating
	if err := r.Flush(3); err != nil {
		t.Fatal(err)
	}
	r.WriteLeft(1, []int16{7, 7, 7, 7}) // positions 1, 2 already flushed
	r.WriteRight(-5, []int16{1})        // nonsense position
	if r.Late() != 3 {
		t.Errorf("Late = %d, want 3", r.Late())
	}
	_ = r.Close()
	w, _ := ReadWAV(bytes.NewReader(f.b))
	want := []int16{100, 0, 200, 0, 32767, 0, 32767, 0, 7, 0}
	if len(w.Samples) != len(want) {
		t.Fatalf("samples %v, want %v", w.Samples, want)
	}
	for i := range want {
		if w.Samples[i] != want[i] {
			t.Fatalf("samples %v, want %v", w.Samples, want)
		}
	}
	r.WriteLeft(10, []int16{1})
	if err := r.Flush(20); !errors.Is(err, ErrClosed) || r.Late() != 4 {
		t.Errorf("after Close: Flush = %v, Late = %d", err, r.Late())
	}
}

// Left from the network reader, right from playout, flushes from a third goroutine (-race).
func TestRecorderConcurrent(t *testing.T) {
	f := &memFile{}
	r, _ := NewRecorder(f, 16000, 0)
	frame := make([]int16, 320)
	for i := range frame {
		frame[i] = 1
	}
	var wg sync.WaitGroup
	for ch := range 2 {
		wg.Go(func() {
			for i := range 200 {
				if ch == 0 {
					r.WriteLeft(int64(i*320), frame)
				} else {
					r.WriteRight(int64(i*320), frame)
				}
			}
		})
	}
	wg.Go(func() {
		for i := range 20 {
			_ = r.Flush(int64(i * 320)) // well behind the writers' start: may still race them
		}
	})
	wg.Wait()
	_ = r.Close()
	w, _ := ReadWAV(bytes.NewReader(f.b))
	var ones int64
	for _, s := range w.Samples {
		ones += int64(s)
	}
	if ones+r.Late() != 2*200*320 {
		t.Errorf("%d samples recorded + %d late, want %d", ones, r.Late(), 2*200*320)
	}
}

// discardSeeker is a file that forgets what is written: the benchmark measures the recorder.
type discardSeeker struct{ pos, end int64 }

func (d *discardSeeker) Write(p []byte) (int, error) {
	d.pos += int64(len(p))
	d.end = max(d.end, d.pos)
	return len(p), nil
}

func (d *discardSeeker) Seek(off int64, whence int) (int64, error) {
	switch whence {
	case io.SeekStart:
		d.pos = off
	case io.SeekEnd:
		d.pos = d.end + off
	}
	return d.pos, nil
}

func BenchmarkRecorderFrame(b *testing.B) {
	// A call's span: the dialog loop's 650 ms (dialog.RecordingSpan) with no send-ahead.
	r, _ := NewRecorder(&discardSeeker{}, 16000, 650*time.Millisecond)
	frame := sine(16000, 300, 8000, 320)
	var pos int64
	b.ReportAllocs()
	for b.Loop() {
		r.WriteLeft(pos, frame)
		r.WriteRight(pos+40, frame)
		pos += 320
		if pos%(50*320) == 0 { // flush once a second, 100 ms behind
			if err := r.Flush(pos - 5*320); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// After a barge-in, the persona audio sent ahead but dropped by the far end leaves the
// recording; the learner's side and the persona audio before it stay.
func TestRecorderClearRight(t *testing.T) {
	f := &memFile{}
	r, err := NewRecorder(f, 8000, 0)
	if err != nil {
		t.Fatal(err)
	}
	tone := make([]int16, 160)
	for i := range tone {
		tone[i] = 1000
	}
	for i := range 10 {
		r.WriteLeft(int64(i*160), tone)
		r.WriteRight(int64(i*160), tone)
	}
	if err := r.Flush(2 * 160); err != nil {
		t.Fatal(err)
	}
	r.ClearRight(160)       // partly flushed already: only the pending part clears
	r.ClearRight(6*160 + 5) // later and narrower: no effect beyond the first
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	w, err := ReadWAV(bytes.NewReader(f.b))
	if err != nil {
		t.Fatal(err)
	}
	if got := len(nonzero(w.Samples, 0)); got != 10*160 {
		t.Errorf("learner channel has %d samples of audio, want all %d", got, 10*160)
	}
	right := nonzero(w.Samples, 1)
	if len(right) != 2*160 || right[len(right)-1] != 2*160-1 {
		t.Errorf("persona channel has audio at %d positions ending at %v, want the 320 flushed before the clear", len(right), right[len(right)-1:])
	}
}

// TestRecorderHoldsItsSpan: audio placed up to the span the recorder was made for fits its
// buffer as it is, and audio placed further ahead (a larger send-ahead, a stalled learner
// side) grows it rather than being lost.
func TestRecorderHoldsItsSpan(t *testing.T) {
	f := &memFile{}
	r, _ := NewRecorder(f, 16000, 500*time.Millisecond)
	size := cap(r.pending)
	r.WriteLeft(0, make([]int16, 320))
	r.WriteRight(8000-320, make([]int16, 320)) // ends at the span
	if cap(r.pending) != size {
		t.Errorf("pending buffer grew from %d to %d within its span", size, cap(r.pending))
	}
	const clickR = 2*16000 + 7 // two seconds ahead of the learner
	right := make([]int16, 320)
	right[clickR%320] = 7000
	r.WriteRight(clickR-clickR%320, right)
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	w, err := ReadWAV(bytes.NewReader(f.b))
	if err != nil {
		t.Fatal(err)
	}
	if rr := nonzero(w.Samples, 1); len(rr) != 1 || rr[0] != clickR || r.Late() != 0 {
		t.Errorf("right click at %v (late %d), want [%d]", rr, r.Late(), clickR)
	}
}
