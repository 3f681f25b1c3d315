package media

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// frameSink records each frame written and the fake time it went out.
type frameSink struct {
	mu     sync.Mutex
	start  time.Time
	at     []time.Duration
	frames [][]int16
	err    error
}

func (s *frameSink) WriteSample(p []int16) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.at = append(s.at, time.Since(s.start))
	s.frames = append(s.frames, append([]int16(nil), p...))
	return s.err
}

func (s *frameSink) times() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.at...)
}

// startPlayout runs p in the bubble until the test's cleanup.
func startPlayout(t *testing.T, p *Playout) *frameSink {
	sink := &frameSink{start: time.Now()}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx, sink) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Errorf("Run returned %v, want context.Canceled", err)
		}
	})
	return sink
}

func ramp(n int, from int16) []int16 {
	p := make([]int16, n)
	for i := range p {
		p[i] = from + int16(i)
	}
	return p
}

func TestPlayoutPacing(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := NewPlayout(16000, 20*time.Millisecond)
		sink := startPlayout(t, p)
		// 10 frames at once, in odd-sized pieces, plus half a frame.
		audio := ramp(10*320+160, 0)
		for off := 0; off < len(audio); off += 1000 {
			_ = p.WriteSample(audio[off:min(off+1000, len(audio))])
		}
		synctest.Wait()
		time.Sleep(time.Second) // fake time: lets the ticker run
		at := sink.times()
		if len(at) != 11 {
			t.Fatalf("sent %d frames, want 11", len(at))
		}
		for i, d := range at {
			if want := time.Duration(i) * 20 * time.Millisecond; d != want {
				t.Errorf("frame %d sent at %v, want %v", i, d, want)
			}
		}
		last := sink.frames[10]
		if len(last) != 320 || last[159] != audio[len(audio)-1] || last[160] != 0 || last[319] != 0 {
			t.Errorf("last frame not padded with silence: %v...", last[155:165])
		}
		var got []int16
		for _, f := range sink.frames {
			got = append(got, f...)
		}
		for i, v := range audio {
			if got[i] != v {
				t.Fatalf("sample %d = %d, want %d: audio reordered", i, got[i], v)
			}
		}
		if p.Sent() != int64(len(audio)) || p.Queued() != 0 || p.Enqueued() != int64(len(audio)) {
			t.Errorf("Sent %d Queued %d Enqueued %d", p.Sent(), p.Queued(), p.Enqueued())
		}
		if p.Late() != 0 {
			t.Errorf("Late = %d on an unhurried sink, want 0", p.Late())
		}
	})
}

// stallSink takes stall (fake time) to write frame number at; every other frame is instant.
type stallSink struct {
	n, at int
	stall time.Duration
}

func (s *stallSink) WriteSample([]int16) error {
	if s.n++; s.n == s.at {
		time.Sleep(s.stall)
	}
	return nil
}

func TestPlayoutCountsLateFrames(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := NewPlayout(8000, 20*time.Millisecond)
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		go p.Run(ctx, &stallSink{at: 2, stall: 50 * time.Millisecond})
		_ = p.WriteSample(make([]int16, 10*160))
		time.Sleep(time.Second)
		// Frame 2 blocked the sink through two tick times: at least one tick was lost.
		if late := p.Late(); late < 1 || late > 2 {
			t.Errorf("Late = %d after a 50 ms stall of a 20 ms pacer, want 1 or 2", late)
		}
		if p.Sent() != 10*160 {
			t.Errorf("Sent %d, want every sample (late is not lost)", p.Sent())
		}
		// An idle gap between sentences is not lateness.
		time.Sleep(time.Second)
		before := p.Late()
		_ = p.WriteSample(make([]int16, 3*160))
		time.Sleep(time.Second)
		if p.Late() != before {
			t.Errorf("Late grew from %d to %d across an idle gap", before, p.Late())
		}
	})
}

// stallAtSink records send times like frameSink and takes stall (fake time) to write frame
// number at (1-based).
type stallAtSink struct {
	frameSink
	at    int
	stall time.Duration
}

func (s *stallAtSink) WriteSample(p []int16) error {
	_ = s.frameSink.WriteSample(p)
	if len(s.times()) == s.at {
		time.Sleep(s.stall)
	}
	return nil
}

// A stall shorter than the send-ahead budget costs the far end nothing: the run catches up
// on its schedule, one extra frame per tick, never in a burst.
func TestPlayoutCatchesUpWithoutBurst(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const lead, frames = 10, 60
		frame := 20 * time.Millisecond
		p := NewPlayout(8000, frame)
		p.SetLead(lead)
		sink := &stallAtSink{frameSink: frameSink{start: time.Now()}, at: 13, stall: 100 * time.Millisecond}
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		go p.Run(ctx, sink)
		_ = p.WriteSample(make([]int16, frames*160))
		time.Sleep(2 * time.Second)
		at := sink.times()
		if len(at) != frames {
			t.Fatalf("sent %d frames, want %d", len(at), frames)
		}
		perTime := map[time.Duration]int{}
		for _, d := range at[lead:] {
			perTime[d]++
		}
		for d, n := range perTime {
			if n > maxPerTick {
				t.Errorf("%d frames sent at %v after the lead, want at most %d per tick", n, d, maxPerTick)
			}
		}
		// The caller plays frame k at k frames after the first arrived: none may come later.
		for k, d := range at {
			if play := time.Duration(k) * frame; d > play {
				t.Errorf("frame %d sent at %v, after it should have played at %v", k, d, play)
			}
		}
		// Back on the schedule: the last frame goes when it would have without the stall.
		if want := time.Duration(frames-lead) * frame; at[frames-1] != want {
			t.Errorf("last frame sent at %v, want %v (schedule regained)", at[frames-1], want)
		}
		if p.Late() < 1 {
			t.Errorf("Late = %d after a 100 ms stall, want the missed ticks counted", p.Late())
		}
	})
}

func TestPlayoutLeadAndIdle(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := NewPlayout(8000, 20*time.Millisecond)
		p.SetLead(3)
		sink := startPlayout(t, p)
		_ = p.WriteSample(make([]int16, 6*160))
		synctest.Wait()
		if n := len(sink.times()); n != 3 {
			t.Fatalf("%d frames at once, want the lead of 3", n)
		}
		time.Sleep(200 * time.Millisecond)
		at := sink.times()
		want := []time.Duration{0, 0, 0, 20 * time.Millisecond, 40 * time.Millisecond, 60 * time.Millisecond}
		if len(at) != len(want) {
			t.Fatalf("sent at %v, want %v", at, want)
		}
		for i := range want {
			if at[i] != want[i] {
				t.Fatalf("sent at %v, want %v", at, want)
			}
		}
		// Idle now; a new sentence starts a new run with a lead again, right away.
		_ = p.WriteSample(make([]int16, 4*160))
		synctest.Wait()
		if n := len(sink.times()); n != 9 {
			t.Fatalf("after idle: %d frames sent, want 6+3", n)
		}
		time.Sleep(100 * time.Millisecond)
		if n := len(sink.times()); n != 10 {
			t.Fatalf("%d frames sent, want 10", n)
		}
	})
}

func TestPlayoutFlushAndWaitSent(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := NewPlayout(16000, 20*time.Millisecond)
		sink := startPlayout(t, p)
		ctx := t.Context()

		_ = p.WriteSample(make([]int16, 5*320)) // sentence 1: 5 frames
		end1 := p.Enqueued()
		_ = p.WriteSample(make([]int16, 5*320)) // sentence 2: fits the ring with sentence 1
		end2 := p.Enqueued()

		res := make(chan error, 2)
		go func() { res <- p.WaitSent(ctx, end1) }()
		go func() { res <- p.WaitSent(ctx, end2) }()
		time.Sleep(130 * time.Millisecond) // 7 frames out: 0, 20, ..., 120 ms
		synctest.Wait()
		if err := <-res; err != nil {
			t.Fatalf("sentence 1: %v, want nil (played)", err)
		}
		dropped := p.Flush()
		if want := 10*320 - 7*320; dropped != want {
			t.Errorf("Flush dropped %d samples, want %d", dropped, want)
		}
		if err := <-res; !errors.Is(err, ErrFlushed) {
			t.Errorf("sentence 2: %v, want ErrFlushed", err)
		}
		if p.Sent()+p.Dropped() != p.Enqueued() || p.Dropped() != int64(dropped) || p.Queued() != 0 {
			t.Errorf("Sent %d + Dropped %d != Enqueued %d", p.Sent(), p.Dropped(), p.Enqueued())
		}
		time.Sleep(100 * time.Millisecond)
		if n := len(sink.times()); n != 7 {
			t.Errorf("%d frames sent after the flush, want none past 7", n)
		}
		// Positions already settled answer at once, with their fate.
		if err := p.WaitSent(ctx, end1); err != nil {
			t.Errorf("WaitSent(end1) later = %v", err)
		}
		if err := p.WaitSent(ctx, end2); !errors.Is(err, ErrFlushed) {
			t.Errorf("WaitSent(end2) later = %v", err)
		}
		if p.Flush() != 0 {
			t.Error("second Flush dropped audio")
		}
		// After the flush, new audio plays and its wait succeeds.
		_ = p.WriteSample(make([]int16, 320))
		if err := p.WaitSent(ctx, p.Enqueued()); err != nil {
			t.Errorf("WaitSent after flush = %v", err)
		}
		// A cancelled wait returns the context's error and leaves no waiter behind.
		_ = p.WriteSample(make([]int16, 10*320))
		wctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
		defer cancel()
		if err := p.WaitSent(wctx, p.Enqueued()); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("WaitSent with timeout = %v", err)
		}
		p.mu.Lock()
		n := len(p.waiters)
		p.mu.Unlock()
		if n != 0 {
			t.Errorf("%d waiters left after cancel", n)
		}
	})
}

func TestPlayoutSinkError(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := NewPlayout(16000, 20*time.Millisecond)
		boom := errors.New("socket closed")
		sink := &frameSink{start: time.Now(), err: boom}
		_ = p.WriteSample(make([]int16, 320))
		if err := p.Run(t.Context(), sink); !errors.Is(err, boom) {
			t.Errorf("Run = %v, want the sink's error", err)
		}
	})
}

// The writer, Run and a flusher race; the accounting must stay exact (run with -race).
func TestPlayoutConcurrent(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := NewPlayout(16000, 20*time.Millisecond)
		startPlayout(t, p)
		var wg sync.WaitGroup
		wg.Go(func() {
			chunk := make([]int16, 777)
			for range 200 {
				_ = p.WriteSample(chunk)
				time.Sleep(7 * time.Millisecond)
			}
		})
		wg.Go(func() {
			for range 20 {
				time.Sleep(66 * time.Millisecond)
				p.Flush()
			}
		})
		wg.Wait()
		if err := p.WaitSent(t.Context(), p.Enqueued()); err != nil && !errors.Is(err, ErrFlushed) {
			t.Fatal(err)
		}
		if p.Sent()+p.Dropped() != 200*777 {
			t.Errorf("Sent %d + Dropped %d, want %d", p.Sent(), p.Dropped(), 200*777)
		}
	})
}

// A writer ahead of the pacing waits for room: the ring never grows past its few hundred ms,
// and the audio still goes out whole, in order and on time.
func TestPlayoutWriterWaitsForRoom(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := NewPlayout(16000, 20*time.Millisecond)
		p.SetLead(15)
		ring := len(p.ring)
		if want := (15 + 2*roomFrames) * 320; ring != want {
			t.Fatalf("ring of %d samples, want %d (lead + 2 x roomFrames frames)", ring, want)
		}
		sink := startPlayout(t, p)
		audio := ramp(100*320, 0) // 2 s, far more than the ring
		done := make(chan error, 1)
		go func() {
			var err error
			for off := 0; off < len(audio) && err == nil; off += 2048 {
				err = p.WriteSample(audio[off:min(off+2048, len(audio))])
			}
			done <- err
		}()
		most := 0
		for range 150 {
			time.Sleep(20 * time.Millisecond)
			most = max(most, p.Queued())
		}
		if err := <-done; err != nil {
			t.Fatalf("WriteSample = %v", err)
		}
		if len(p.ring) != ring || most > ring {
			t.Errorf("ring grew to %d samples (%d queued at most), want it fixed at %d", len(p.ring), most, ring)
		}
		at := sink.times()
		if len(at) != 100 {
			t.Fatalf("sent %d frames, want 100", len(at))
		}
		for k, d := range at[15:] {
			if want := time.Duration(k+1) * 20 * time.Millisecond; d != want {
				t.Fatalf("frame %d sent at %v, want %v: the writer's waits delayed the pacing", k+15, d, want)
			}
		}
		var got []int16
		for _, f := range sink.frames {
			got = append(got, f...)
		}
		for i, v := range audio {
			if got[i] != v {
				t.Fatalf("sample %d = %d, want %d", i, got[i], v)
			}
		}
	})
}

// A writer waiting for room is released by a flush (barge-in) and by its context at once,
// and fails once Run has returned.
func TestPlayoutRoom(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := NewPlayout(16000, 20*time.Millisecond)
		full := make([]int16, len(p.ring))
		_ = p.WriteSample(full) // fits without Run
		got := make(chan error, 1)
		go func() {
			free, err := p.Room(t.Context())
			if err == nil && free != len(p.ring) {
				err = fmt.Errorf("free %d after a flush, want %d", free, len(p.ring))
			}
			got <- err
		}()
		synctest.Wait()
		select {
		case err := <-got:
			t.Fatalf("Room returned %v on a full ring", err)
		default:
		}
		p.Flush()
		if err := <-got; err != nil {
			t.Errorf("Room after Flush: %v", err)
		}

		_ = p.WriteSample(full)
		ctx, cancel := context.WithCancelCause(t.Context())
		barge := errors.New("barge-in")
		go func() { _, err := p.Room(ctx); got <- err }()
		synctest.Wait()
		cancel(barge)
		if err := <-got; !errors.Is(err, barge) {
			t.Errorf("Room after cancel = %v, want the cause", err)
		}

		rctx, stop := context.WithCancel(t.Context())
		ran := make(chan error, 1)
		go func() { ran <- p.Run(rctx, &stallSink{at: 1, stall: time.Hour}) }()
		go func() { got <- p.WriteSample(full) }()
		synctest.Wait()
		stop()
		<-ran
		if err := <-got; !errors.Is(err, ErrClosed) {
			t.Errorf("WriteSample waiting when Run returned = %v, want ErrClosed", err)
		}
	})
}

func BenchmarkPlayoutFrame(b *testing.B) {
	p := NewPlayout(16000, 20*time.Millisecond)
	frame := make([]int16, 320)
	buf := make([]int16, 320)
	sent := 0
	b.ReportAllocs()
	for b.Loop() {
		_ = p.WriteSample(frame)
		if err := p.send(Discard, buf, 1, true, &sent); err != nil {
			b.Fatal(err)
		}
	}
}
