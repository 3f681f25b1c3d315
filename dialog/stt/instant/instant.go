package instant

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/sparlab/spar/dialog"
	"github.com/sparlab/spar/media"
)

// rate is the engine's audio rate.
const rate = media.Rate16k

// Recognizer opens scripted recognition streams.
type Recognizer struct {
	cfg   Config
	lines [][]string // cfg.Lines split into words
}

var _ dialog.Transcriber = (*Recognizer)(nil)

// New checks cfg and returns a Recognizer.
func New(cfg Config) (*Recognizer, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	r := &Recognizer{cfg: cfg}
	for _, l := range cfg.Lines {
		// A word of the script is one word heard, as a synthesizer speaks it: plain, a
		// hyphenated "thirty-five" is heard as "thirty five" in one go.
		var words []string
		for _, w := range strings.Fields(l) {
			if cfg.Plain {
				if w = plain(w); w == "" {
					continue
				}
			}
			words = append(words, w)
		}
		r.lines = append(r.lines, words)
	}
	return r, nil
}

// confidence is the scripted confidence of line i, 0 when the script gives none.
func (r *Recognizer) confidence(i int) float64 {
	if i < len(r.cfg.Confidences) {
		return r.cfg.Confidences[i]
	}
	return 0
}

// Stream starts one call's stream; each call plays the script from its first line.
func (r *Recognizer) Stream(ctx context.Context, _ dialog.STTOptions) (dialog.RecognizeStream, error) {
	block := media.Samples(rate, 10*time.Millisecond)
	return &Stream{
		r:       r,
		ctx:     ctx,
		out:     make(chan dialog.Transcript, 32),
		block:   block,
		gapBlks: max(1, int(r.cfg.WordGap/(10*time.Millisecond))),
		every:   media.Samples(rate, r.cfg.InterimEvery),
	}, nil
}

// Stream is one call's recognition stream.
type Stream struct {
	r   *Recognizer
	ctx context.Context

	mu     sync.Mutex
	out    chan dialog.Transcript
	closed bool

	line, word int      // script position: next word is r.lines[line][word]
	heard      []string // words of the current utterance (Words mode)
	first      int      // the line of heard[0]

	// word detector, 10 ms blocks
	block, gapBlks int
	sum, n         int // mean-abs accumulator of the current block
	voiced         bool
	quiet          int // unvoiced blocks since the last voiced one

	// interim pacing (InterimEvery): samples per interim, samples since the last, last sent
	every, since int
	sent         int // words in the last interim sent
	utt          int // samples of the utterance written, for Transcript.Heard
}

var _ dialog.RecognizeStream = (*Stream)(nil)

// Results delivers interims (Words mode) and one final per Flush.
func (s *Stream) Results() <-chan dialog.Transcript { return s.out }

// Write takes 16 kHz audio. Without Words it only checks the stream is open.
func (s *Stream) Write(p []int16) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return ErrClosed
	}
	if !s.r.cfg.Words {
		return nil
	}
	for _, v := range p {
		a := int(v) // negated as int: -32768 has no int16 opposite
		if a < 0 {
			a = -a
		}
		s.sum += a
		if s.n++; s.n == s.block {
			s.endBlock(s.sum/s.n >= s.r.cfg.Threshold)
			s.sum, s.n = 0, 0
		}
		if s.every > 0 {
			s.utt++
			if s.since++; s.since == s.every {
				s.since = 0
				if len(s.heard) != s.sent {
					s.sent = len(s.heard)
					s.send(dialog.Transcript{Text: strings.Join(s.heard, " "), Heard: media.Duration(rate, s.utt)}, false)
				}
			}
		}
	}
	return nil
}

// endBlock advances the word detector by one 10 ms block.
func (s *Stream) endBlock(voiced bool) {
	switch {
	case voiced && !s.voiced:
		s.voiced, s.quiet = true, 0
		if len(s.heard) == 0 {
			s.first = s.line
		}
		s.heard = append(s.heard, s.nextWord())
		if s.every == 0 {
			s.send(dialog.Transcript{Text: strings.Join(s.heard, " ")}, false)
		}
	case voiced:
		s.quiet = 0
	case s.voiced:
		if s.quiet++; s.quiet >= s.gapBlks {
			s.voiced = false
		}
	}
}

// nextWord takes the script's next word, moving to the next line at a line's end.
func (s *Stream) nextWord() string {
	l := s.r.lines[s.line]
	w := l[s.word]
	if s.word++; s.word == len(l) {
		s.line, s.word = (s.line+1)%len(s.r.lines), 0
	}
	return w
}

// Flush ends the utterance: its final transcript goes out at once.
func (s *Stream) Flush() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return ErrClosed
	}
	tr := dialog.Transcript{Final: true}
	if s.r.cfg.Words {
		tr.Text = strings.Join(s.heard, " ")
		if len(s.heard) > 0 {
			tr.Confidence = s.r.confidence(s.first)
		}
		s.heard = s.heard[:0]
		s.voiced, s.quiet, s.sum, s.n = false, 0, 0, 0
		s.since, s.sent, s.utt = 0, 0, 0
	} else {
		tr.Text, tr.Confidence = strings.Join(s.r.lines[s.line], " "), s.r.confidence(s.line)
		s.line = (s.line + 1) % len(s.r.lines)
	}
	s.send(tr, true)
	return nil
}

// send delivers t. Interims are dropped when the reader is behind; a final waits for room,
// or for the call to end. Called with s.mu held.
func (s *Stream) send(t dialog.Transcript, wait bool) {
	select {
	case s.out <- t:
		return
	default:
	}
	if !wait {
		return
	}
	select {
	case s.out <- t:
	case <-s.ctx.Done():
	}
}

// Close ends the stream and its Results channel.
func (s *Stream) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.closed {
		s.closed = true
		close(s.out)
	}
	return nil
}

// plain writes text as pocketsphinx gives it: lower case words, no punctuation.
func plain(text string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(text) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '\'':
			b.WriteRune(r)
		default:
			b.WriteByte(' ')
		}
	}
	return strings.Join(strings.Fields(b.String()), " ")
}
