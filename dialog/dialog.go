// Package dialog runs the conversation of one practice call: endpointing and turn-taking,
// barge-in both ways, the persona, speech in and out, and the call's timeline. It declares the
// small interfaces it needs from a call and from providers; implementations live in
// subpackages (dialog/stt/..., dialog/tts/..., dialog/persona) and in telephony.
package dialog

import (
	"context"
	"time"

	"github.com/sparlab/spar/media"
	"github.com/sparlab/spar/telephony"
)

// Line is what the engine needs from a live call. *telephony.Call satisfies it.
type Line interface {
	Listen(l telephony.Listener)
	WriteSample(p []int16) error // one paced 20 ms frame of 16 kHz persona audio
	Clear() error                // drop persona audio buffered at the far end
	Played() time.Duration       // persona audio the far end confirmed as played
	Hangup(cause error)
}

var _ Line = (*telephony.Call)(nil)

// Transcriber opens one recognition stream per call.
type Transcriber interface {
	Stream(ctx context.Context, opts STTOptions) (RecognizeStream, error)
}

// STTOptions tunes recognition for one call.
type STTOptions struct {
	// Phrases the scenario expects (intent phrases, names, product words); recognizers that
	// support grammars or keyword boosting use them.
	Phrases []string
	// Narrowband is true when the audio came from the phone network (8 kHz, upsampled).
	Narrowband bool
}

// RecognizeStream receives the learner's speech, one utterance at a time. The engine writes
// audio only while the learner speaks (plus a short pre-roll) and calls Flush at the endpoint.
type RecognizeStream interface {
	// Write takes 16 kHz PCM. It must not block the caller for long: recognizers queue.
	Write(p []int16) error
	// Flush ends the current utterance; its final Transcript follows on Results.
	Flush() error
	// Results delivers interim and final transcripts, in order, until the stream closes.
	Results() <-chan Transcript
	Close() error
}

// Transcript is a recognition result.
type Transcript struct {
	Text  string
	Final bool // false: interim, replaces the previous interim
	// Confidence is the recognizer's confidence in a final's Text, 0..1; 0 means it gave
	// none. Each recognizer documents how it maps its own score (docs/PROVIDERS.md). It
	// reaches the learner's Utterance and the learner.said event.
	Confidence float64
	// Heard, on an interim, is how much of the utterance's audio (from the first sample the
	// engine wrote for it) the hypothesis covers; 0 when the recognizer does not say. A
	// recognizer running behind the audio gives stale interims: the engine does not end a
	// turn early on one (Turns.EndSilenceComplete).
	Heard time.Duration
	// DoubtfulLast, on a final, says the recognizer doubts its last word was spoken: it was
	// likely heard in the breath or silence after the speech (pocketsphinx's "...right now
	// the"). The engine does not let that word decide whether the line trails off.
	DoubtfulLast bool
}

// Synthesizer speaks text as 16 kHz PCM, streaming it to w as it is produced.
type Synthesizer interface {
	Synthesize(ctx context.Context, text, voice string, w media.Writer) error
}

// Timeline records what happened on a call. Append must not block the audio path.
type Timeline interface {
	Append(e Event)
}

// TimelineFunc adapts a function to a Timeline.
type TimelineFunc func(Event)

// Append calls f(e).
func (f TimelineFunc) Append(e Event) { f(e) }
