package store

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"

	"github.com/sparlab/spar/dialog"
	"github.com/sparlab/spar/telephony"
)

// CallLog is the storage side of one live call: its timeline and live state. Append and
// Update never block, so the engine may call them from the audio path; a writer goroutine
// (one per call, stopped by Seal) moves what they queue to Redis and keeps it queued in
// memory while Redis is unreachable.
type CallLog struct {
	s    *Store
	id   string
	base Record // descriptive fields, filled at Begin
	info telephony.Info
	rec  string // recording path
	log  *slog.Logger

	events  *queue
	closed  atomic.Bool  // set by Seal: later events are dropped
	dropped atomic.Int64 // events lost to a full buffer or to a sealed log

	umu     sync.Mutex
	updates map[string]any // live hash fields not yet written
	wake    chan struct{}  // capacity 1: updates are waiting

	cancel context.CancelFunc // stops the writer
	done   chan struct{}      // closed when the writer has returned
	w      writer             // owned by the writer goroutine until done, then by Seal

	sealMu sync.Mutex
	sealed *Record
}

func newCallLog(s *Store, info telephony.Info, recording string) *CallLog {
	ctx, cancel := context.WithCancel(context.Background())
	l := &CallLog{
		s:  s,
		id: info.ID,
		base: Record{
			ID: info.ID, Scenario: info.Scenario, Learner: info.Learner, Transport: info.Transport,
			ExternalID: info.ExternalID, From: info.From, To: info.To, Node: s.cfg.Node,
			Started: info.Started, Recording: recording,
			ScenarioVersion: scenarioVersion(info.Params[ParamScenarioVersion]),
			Trial:           info.Params[ParamTrial],
		},
		info:    info,
		rec:     recording,
		log:     s.log.With("call_id", info.ID, "scenario", info.Scenario, "transport", info.Transport),
		events:  newQueue(s.cfg.Buffer),
		updates: make(map[string]any),
		wake:    make(chan struct{}, 1),
		cancel:  cancel,
		done:    make(chan struct{}),
	}
	l.w = writer{l: l, ctx: ctx}
	return l
}

// ID returns the call's ID.
func (l *CallLog) ID() string { return l.id }

// Append queues one timeline event. It never blocks: when the buffer is full (Redis has been
// unreachable for a while) or the log is sealed, the event is dropped and counted in the
// record's Dropped.
func (l *CallLog) Append(e dialog.Event) {
	if l.closed.Load() {
		l.dropped.Add(1)
		return
	}
	if !l.events.push(e) {
		l.dropped.Add(1)
	}
}

// Update queues fields of the live hash (for example "mood" and "stage") for the next write.
// It never blocks; a later value for the same field replaces an unwritten earlier one.
func (l *CallLog) Update(fields map[string]any) {
	l.umu.Lock()
	for k, v := range fields {
		l.updates[k] = v
	}
	l.umu.Unlock()
	select {
	case l.wake <- struct{}{}:
	default:
	}
}

// takeUpdates returns the queued live fields and clears the queue.
func (l *CallLog) takeUpdates() map[string]any {
	l.umu.Lock()
	defer l.umu.Unlock()
	if len(l.updates) == 0 {
		return nil
	}
	u := l.updates
	l.updates = make(map[string]any)
	return u
}

// putBackUpdates requeues fields whose write failed, unless a newer value arrived meanwhile.
func (l *CallLog) putBackUpdates(u map[string]any) {
	l.umu.Lock()
	defer l.umu.Unlock()
	for k, v := range u {
		if _, newer := l.updates[k]; !newer {
			l.updates[k] = v
		}
	}
}

// stopWriter stops the writer goroutine and waits for it; later Appends are dropped.
func (l *CallLog) stopWriter() {
	l.closed.Store(true)
	l.cancel()
	<-l.done
}

// release ends this process's hold on the call: from now on Recover (or the replayer, for
// a call sealed to disk) may seal it.
func (l *CallLog) release() { l.s.active.Delete(l.id) }

// spillBegin is the first line of the call's spill file.
func (l *CallLog) spillBegin(begun bool) spillBegin {
	return spillBegin{Info: l.info, Recording: l.rec, Node: l.s.cfg.Node, Begun: begun}
}
