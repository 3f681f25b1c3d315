package store

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/sparlab/spar/dialog"
	"github.com/sparlab/spar/dialog/store/storetest"
)

func TestTimelineCap(t *testing.T) {
	ctx := context.Background()
	rdb := storetest.Redis(t)
	s := newTestStore(t, rdb, storetest.Prefix(t), "node-a")
	s.cfg.TimelineMax = 100
	l, err := s.Begin(ctx, testInfo("cap", "alice", "billing", time.Now()), "")
	if err != nil {
		t.Fatal(err)
	}
	events := script(400) // 1202 events
	appendAll(l, events)
	rec, err := l.Seal(ctx, dialog.Result{})
	if err != nil {
		t.Fatal(err)
	}
	tl, err := s.Timeline(ctx, "cap")
	if err != nil {
		t.Fatal(err)
	}
	if rec.Events != int64(len(events)) || len(tl) >= len(events) || len(tl) < 100 {
		t.Errorf("record counts %d events, stream keeps %d; want %d counted and about 100 kept", rec.Events, len(tl), len(events))
	}
	if last := tl[len(tl)-1]; last.Kind != dialog.EventCallEnd {
		t.Errorf("trimming lost the newest event: last is %+v", last)
	}
}

// BenchmarkAppend measures what the audio path pays per timeline event.
func BenchmarkAppend(b *testing.B) {
	s, err := New(nil, Config{Prefix: "bench:", Node: "node-a"}, nil)
	if err != nil {
		b.Fatal(err)
	}
	l := newCallLog(s, testInfo("bench", "a", "b", time.Now()), "")
	e := dialog.Event{Kind: dialog.EventInterim, At: time.Second, Text: "I was charged"}
	discard := func(dialog.Event) {}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N { // no writer goroutine: this loop drains as one that keeps up would
		l.Append(e)
		if i%32 == 31 {
			l.events.popTo(32, discard)
		}
	}
	if d := l.dropped.Load(); d != 0 {
		b.Fatalf("%d events dropped", d)
	}
}

// BenchmarkWrite measures events written to Redis per second by one call's writer.
func BenchmarkWrite(b *testing.B) {
	ctx := context.Background()
	rdb := storetest.Redis(b)
	prefix := storetest.Prefix(b)
	s, err := New(rdb, Config{Prefix: prefix, Node: "node-a", Buffer: 1 << 20}, nil)
	if err != nil {
		b.Fatal(err)
	}
	events := script(1000)
	b.ResetTimer()
	n := 0
	for i := 0; b.Loop(); i++ {
		l, err := s.Begin(ctx, testInfo(fmt.Sprint("w", i), "a", "b", time.Now()), "")
		if err != nil {
			b.Fatal(err)
		}
		appendAll(l, events)
		if _, err := l.Seal(ctx, dialog.Result{}); err != nil {
			b.Fatal(err)
		}
		n += len(events)
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "events/s")
}
