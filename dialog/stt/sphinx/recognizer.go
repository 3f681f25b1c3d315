// Package sphinx recognizes the learner's speech offline with CMU pocketsphinx through cgo
// (build tag pocketsphinx; without it New returns ErrNotBuilt and everything else still
// builds). The model is loaded once; decoders, which are not goroutine-safe and take about
// 185 ms to create, are pooled per band and checked out for one utterance at a time.
//
// Phone audio (STTOptions.Narrowband) goes to separate decoders whose cepstral-mean prior is
// set for 8 kHz mu-law speech: with the model's wideband prior a fresh decoder loses its first
// utterances on phone audio. Mode "grammar" decodes with a JSGF grammar of the scenario's
// phrases plus common words; docs/BENCHMARKS.md has the measurements (the LM is better).
// Mode "adapt" (opt-in) interpolates the LM with a Witten-Bell trigram model written per call
// from the scenario's phrases (arpa.go), a one-word phrase beside its denial ("no refund") so
// that the bias toward the rubric's words does not erase a learner's "no". Per-call searches
// are built once per decoder and kept: eight grammars, or four adapted LMs of about 40 MB
// each.
//
// A final's confidence is the mean posterior probability of its words in the decoder's word
// lattice (LM and adapt mode; a grammar search computes no posteriors, so its finals carry
// none).
package sphinx

import (
	"context"
	"log/slog"
	"sync/atomic"

	"github.com/sparlab/spar/dialog"
)

var _ dialog.Transcriber = (*Recognizer)(nil)

// Recognizer is the offline Transcriber. It is safe for concurrent use; close it after the
// streams it opened.
type Recognizer struct {
	cfg     Config
	log     *slog.Logger
	pool    *pool
	closed  atomic.Bool
	cleanup func() // removes New's temporary files; nil in tests
}

func newRecognizer(cfg Config, log *slog.Logger, newDecoder func(band) (decoder, error)) *Recognizer {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Recognizer{cfg: cfg, log: log, pool: newPool(cfg.PoolSize, newDecoder)}
}

// Stream opens a recognition stream for one call. Its goroutine ends on Close or when ctx ends.
func (r *Recognizer) Stream(ctx context.Context, opts dialog.STTOptions) (dialog.RecognizeStream, error) {
	if r.closed.Load() {
		return nil, ErrClosed
	}
	b := wideband
	if opts.Narrowband {
		b = narrowband
	}
	g := newGrammar(r.cfg.Mode, opts.Phrases) // nil in LM mode or without phrases: the LM
	s := newStream(ctx, r.log, r.pool, b, g)
	go s.run()
	return s, nil
}

// Close frees the pooled decoders. Decoders still in use by open streams are freed when those
// streams close.
func (r *Recognizer) Close() error {
	if r.closed.Swap(true) {
		return nil
	}
	r.pool.close()
	if r.cleanup != nil {
		r.cleanup()
	}
	return nil
}
