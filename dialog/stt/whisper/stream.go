package whisper

import (
	"context"
	"sync"
	"time"

	"github.com/sparlab/spar/dialog"
	"github.com/sparlab/spar/media"
)

// stream keeps the current utterance and hands it to a worker goroutine on Flush.
type stream struct {
	t       *Transcriber
	prompt  string
	ctx     context.Context
	cancel  context.CancelFunc
	jobs    chan job
	results chan dialog.Transcript
	done    chan struct{}

	mu     sync.Mutex // guards cur and closed (Write and Flush vs Close)
	cur    []int16
	max    int
	spare  chan []int16 // utterance buffers handed back by the worker
	closed bool
	once   sync.Once
}

type job struct {
	pcm []int16
	at  time.Time
}

func newStream(ctx context.Context, t *Transcriber, prompt string) *stream {
	ctx, cancel := context.WithCancel(ctx)
	s := &stream{t: t, prompt: prompt, ctx: ctx, cancel: cancel, jobs: make(chan job, 8),
		results: make(chan dialog.Transcript, 8), done: make(chan struct{}), spare: make(chan []int16, 2),
		max: media.Samples(media.Rate16k, t.cfg.MaxUtterance)}
	go s.work()
	return s
}

// Write keeps audio for the current utterance, up to Config.MaxUtterance.
func (s *stream) Write(p []int16) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return ErrClosed
	}
	if room := s.max - len(s.cur); room > 0 {
		s.cur = append(s.cur, p[:min(room, len(p))]...)
	}
	return nil
}

// Flush sends the utterance for transcription; its final transcript follows on Results.
func (s *stream) Flush() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return ErrClosed
	}
	j := job{pcm: s.cur, at: time.Now()}
	select {
	case s.cur = <-s.spare:
	default:
		s.cur = nil
	}
	s.mu.Unlock()
	select {
	case s.jobs <- j:
		return nil
	case <-s.ctx.Done():
		return ErrClosed
	}
}

func (s *stream) Results() <-chan dialog.Transcript { return s.results }

// Close stops the worker, abandoning an utterance in flight, and closes Results.
func (s *stream) Close() error {
	s.once.Do(func() {
		s.mu.Lock()
		s.closed = true
		s.mu.Unlock()
		s.cancel()
		<-s.done
	})
	return nil
}

// work transcribes utterances in order. A failed request yields an empty final, so the
// engine counts the utterance as noise instead of waiting for it.
func (s *stream) work() {
	defer close(s.done)
	defer close(s.results)
	for {
		var j job
		select {
		case j = <-s.jobs:
		case <-s.ctx.Done():
			return
		}
		tr := dialog.Transcript{Final: true}
		if len(j.pcm) > 0 {
			var err error
			if tr.Text, tr.Confidence, err = s.t.transcribe(s.ctx, j.pcm, s.prompt); err != nil && s.ctx.Err() == nil {
				s.t.log.Warn("whisper: utterance lost", "err", err)
			}
		}
		if s.ctx.Err() != nil {
			return // closed while transcribing: nobody waits for this final
		}
		select {
		case s.spare <- j.pcm[:0]:
		default:
		}
		select {
		case s.results <- tr:
		case <-s.ctx.Done():
			return
		}
		if s.t.hooks.Final != nil {
			s.t.hooks.Final(time.Since(j.at))
		}
	}
}
