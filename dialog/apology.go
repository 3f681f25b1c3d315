package dialog

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/sparlab/spar/media"
)

// Apology is what a caller hears when a call cannot be held (the server cannot record it):
// a spoken line instead of dead air, then the line hangs up.
const Apology = "Sorry, practice calls are not available right now. Please try again in a few minutes. Goodbye."

// Apologize speaks text on line with the engine's synthesizer, paced like a persona turn,
// and returns once it has been played (or ctx ends, or apologyMax passes). It is for a call
// the server answered but cannot run; the caller hangs up afterwards.
func (e *Engine) Apologize(ctx context.Context, line Line, voice, text string) error {
	ctx, cancel := context.WithTimeout(ctx, apologyMax)
	defer cancel()
	play := media.NewPlayout(rate, media.FrameDuration)
	lead := e.leadFor(line)
	play.SetLead(lead)
	playCtx, stopPlay := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Go(func() { _ = play.Run(playCtx, media.WriterFunc(line.WriteSample)) })
	defer func() { stopPlay(); wg.Wait() }()

	if err := e.tts.Synthesize(ctx, text, voice, play); err != nil {
		return fmt.Errorf("dialog: apologize: %w", err)
	}
	if err := play.WaitSent(ctx, play.Enqueued()); err != nil && !errors.Is(err, media.ErrFlushed) {
		return fmt.Errorf("dialog: apologize: %w", err)
	}
	// The far end holds the lead: let it play before the caller hangs up.
	wait := time.NewTimer(time.Duration(lead+1) * media.FrameDuration)
	defer wait.Stop()
	select {
	case <-wait.C:
	case <-ctx.Done():
	}
	return nil
}

// apologyMax bounds an apology, whatever the synthesizer does.
const apologyMax = 20 * time.Second
