package dialog

import (
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/sparlab/spar/media"
)

// Turns holds the turn-taking settings of one call; scenarios set them.
type Turns struct {
	// EndSilence is the silence that ends a learner turn (the endpoint) while the recognizer's
	// partial transcript gives no reason to end it sooner: before any partial, and (stretched
	// by half) after one that trails off in "and", "so", "um", "because", "the".
	EndSilence time.Duration
	// EndSilenceComplete is the shorter silence that ends the turn once the latest partial
	// transcript reads as complete (it does not end in a trailing word). Zero keeps the older
	// rule: EndSilence, shortened by a fifth after a finished sentence.
	EndSilenceComplete time.Duration
	// ResumeWithin is how soon after an endpoint the learner may go on talking and still be
	// taken to be finishing the same line: the persona's reply, if it has played at most its
	// first moments (resumeHeard), is dropped, and the persona answers the whole line, which
	// the transcript shows as one. Zero turns this off: the learner's next words are a new
	// line (a reply not yet playing is still dropped and the persona still answers both).
	ResumeWithin time.Duration
	// ResumeByTimeOnly keeps the rule before going on was read from the learner's words:
	// within ResumeWithin, speech goes on with the line only while the reply has played at
	// most its first moments (resumeHeard). Off (the default), speech that begins by
	// continuing the line's sentence ("and", "because", "which"...) goes on with it while
	// the reply has played up to resumeWordsHeard and asked the learner nothing.
	// docs/BENCHMARKS.md compares the two.
	ResumeByTimeOnly bool
	// MinBargeIn is how long the learner must speak over the persona to interrupt it.
	MinBargeIn time.Duration
	// Backchannels are short acknowledgements ("okay", "right") that never interrupt.
	Backchannels []string
	// SilenceTimeout is how long the learner may stay silent after the persona spoke before
	// the persona prompts ("Hello? Are you still there?").
	SilenceTimeout time.Duration
	// MaxDuration ends the call.
	MaxDuration time.Duration
	// PersonaBargeIn lets the persona cut in when the learner talks longer than AfterTalk or
	// says one of Triggers.
	PersonaBargeIn bool
	AfterTalk      time.Duration
	Triggers       []string
}

// DefaultEndSilenceComplete is the end silence after a partial transcript that reads as
// complete. docs/BENCHMARKS.md ("Endpointing quality") has the trade against false cut-offs.
const DefaultEndSilenceComplete = 350 * time.Millisecond

// DefaultResumeWithin is how soon after an endpoint the learner's next words still continue
// the same line (Turns.ResumeWithin).
const DefaultResumeWithin = time.Second

// DefaultTurns are used where a scenario says nothing.
func DefaultTurns() Turns {
	return Turns{
		EndSilence:         700 * time.Millisecond,
		EndSilenceComplete: DefaultEndSilenceComplete,
		ResumeWithin:       DefaultResumeWithin,
		MinBargeIn:         300 * time.Millisecond,
		Backchannels:       []string{"okay", "ok", "right", "mm-hm", "mhm", "uh-huh", "yeah", "yes", "sure", "i see", "got it"},
		SilenceTimeout:     10 * time.Second,
		MaxDuration:        10 * time.Minute,
		AfterTalk:          30 * time.Second,
	}
}

// Validate reports settings that cannot work.
func (t Turns) Validate() error {
	switch {
	case t.EndSilence < 100*time.Millisecond || t.EndSilence > 5*time.Second:
		return fmt.Errorf("dialog: end_silence %v must be between 100ms and 5s", t.EndSilence)
	case t.EndSilenceComplete != 0 && (t.EndSilenceComplete < 100*time.Millisecond || t.EndSilenceComplete > t.EndSilence):
		return fmt.Errorf("dialog: end_silence_complete %v must be between 100ms and end_silence (%v)", t.EndSilenceComplete, t.EndSilence)
	case t.ResumeWithin < 0 || t.ResumeWithin > 5*time.Second:
		return fmt.Errorf("dialog: resume_within %v must be between 0 and 5s", t.ResumeWithin)
	case t.MinBargeIn < 0:
		return fmt.Errorf("dialog: min_barge_in %v must not be negative", t.MinBargeIn)
	case t.SilenceTimeout < time.Second:
		return fmt.Errorf("dialog: silence_timeout %v must be at least 1s", t.SilenceTimeout)
	case t.MaxDuration < 10*time.Second:
		return fmt.Errorf("dialog: max_duration %v must be at least 10s", t.MaxDuration)
	case t.PersonaBargeIn && t.AfterTalk <= 0 && len(t.Triggers) == 0:
		return fmt.Errorf("dialog: persona barge-in needs after_talk or triggers")
	}
	return nil
}

// Recording is the call's stereo recording: learner left, persona right, placed by sample
// position at 16 kHz since the call was answered. *media.Recorder satisfies it.
type Recording interface {
	WriteLeft(at int64, p []int16)
	WriteRight(at int64, p []int16)
	Flush(upTo int64) error
}

// Session is everything one call needs besides the engine's shared providers.
type Session struct {
	Transport  string // for the timeline
	Persona    Persona
	Voice      string
	Turns      Turns
	Phrases    []string // scenario phrases for recognition
	Narrowband bool     // phone audio
	Timeline   Timeline
	Recording  Recording // may be nil
	Log        *slog.Logger
}

var _ Recording = (*media.Recorder)(nil)

// endpointFor is the silence the endpointer waits for when the recognizer's latest partial
// asks for wanted (endSilenceAfter). When the final transcript decides (finalDecides), a
// partial that trails off no longer stretches it: the utterance ends after
// EndSilenceComplete (EndSilence when the partial is stale), and its final transcript, which
// pocketsphinx gives only once the utterance ends, says whether the reply waits longer
// (holdFor). A partial's last word is often the first sound of a word not yet recognised:
// "...three to five a" for "...days".
func (t Turns) endpointFor(wanted time.Duration, stale bool) time.Duration {
	if !t.finalDecides() || wanted <= t.EndSilence {
		return wanted
	}
	if stale {
		return t.EndSilence
	}
	return t.EndSilenceComplete
}

// finalDecides reports whether a line's final transcript, not its last partial, decides how
// long the silence after it must be: a line ended early can then be joined back when the
// learner goes on (ResumeWithin), and a complete one has its own shorter silence.
func (t Turns) finalDecides() bool { return t.ResumeWithin > 0 && t.EndSilenceComplete > 0 }

// holdFor is how much longer the reply to a line waits when its final transcript is text,
// ended the silence that ended its utterance and wanted the silence its last partial asked
// for (endSilenceAfter). The final may take back the longer silence a partial that trailed
// off asked for, not ask for one itself: a final that still trails off ("I was charged twice and") is held to
// what the partial asked (EndSilence x1.5 in all); one that reads as complete ("...three to
// five days", where the partial ended "...five a") is not held. A final that trails off after
// a complete-looking partial is not held either: pocketsphinx often hears a last "the" or
// "a" in the silence after a finished sentence. A learner who goes on within the hold
// continues the line, and the reply, not yet heard, is withdrawn.
func (t Turns) holdFor(text string, ended, wanted time.Duration) time.Duration {
	if !t.finalDecides() || strings.TrimSpace(text) == "" {
		return 0
	}
	return max(0, min(t.endSilenceAfter(text, false), wanted)-ended)
}

// endSilenceAfter is the silence that ends the turn once the recognizer's latest partial
// transcript is text: longer after a trailing word, EndSilenceComplete after text that reads
// as complete (with the older rule when it is zero). A stale partial (the recognizer is
// behind the audio) can lengthen the silence but never shorten it.
func (t Turns) endSilenceAfter(text string, stale bool) time.Duration {
	e := endsThought(text)
	switch {
	case strings.TrimSpace(text) == "":
		return t.EndSilence
	case e < 0:
		return t.EndSilence * 3 / 2
	case stale:
		return t.EndSilence
	case t.EndSilenceComplete > 0:
		return t.EndSilenceComplete
	case e > 0:
		return t.EndSilence * 4 / 5
	}
	return t.EndSilence
}
