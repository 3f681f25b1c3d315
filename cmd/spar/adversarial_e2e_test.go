package main

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/sparlab/spar/dialog"
	"github.com/sparlab/spar/dialog/store"
	"github.com/sparlab/spar/telephony/twilio/sim"
	"github.com/sparlab/spar/web/webtest"
)

// adversarialScripts are learners who say the right words and mean the wrong thing, played
// over the phone path (flite, 8 kHz mu-law, pocketsphinx) against the real server.
var adversarialScripts = map[string]string{
	"refusal in refund words": `
- say: "Thank you for calling Brightwave billing, my name is Sam. How can I help you today?"
- say: "There is no refund. You will not get your money back in three to five business days."
- say: "I am not going to apologise. A refund? Dream on."
- hangup: true
`,
	"keyword stuffing": `
- say: "Thank you for calling Brightwave billing, my name is Sam. How can I help you today?"
- say: "I understand how frustrating being charged twice is, I am so sorry, that is our mistake, can I have your email, let me check, you will get a refund in three to five business days with a confirmation email, is there anything else, thank you for your patience."
- hangup: true
`,
}

// TestEndToEndAdversarialCalls: over a real phone call, neither the persona nor the scorer
// is fooled by words alone. The persona does not thank a learner who refuses, and the
// scorecard fails the call.
func TestEndToEndAdversarialCalls(t *testing.T) {
	e := newEnv(t)
	srv := e.start(t)
	st := openStore(t, e)
	for name, src := range adversarialScripts {
		t.Run(name, func(t *testing.T) {
			script, synth := caller(t, src)
			ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
			defer cancel()
			res, err := sim.Run(ctx, sim.Config{BaseURL: srv.base, AuthToken: e2eToken, Script: script},
				synth, slog.New(slog.DiscardHandler))
			if err != nil {
				t.Fatal(err)
			}
			var rec *store.Record
			webtest.Poll(t, "the sealed call record", 30*time.Second, func() bool {
				rec, err = st.Get(t.Context(), res.CallID)
				return err == nil
			})
			learner := 0
			for _, u := range rec.Transcript {
				switch {
				case u.Speaker == dialog.SpeakerLearner && strings.TrimSpace(u.Text) != "":
					learner++
				case u.Speaker == dialog.SpeakerPersona && (strings.Contains(u.Text, "thank goodness") || strings.Contains(u.Text, "Okay, good")):
					t.Errorf("the persona was relieved by %q: %+v", name, rec.Transcript)
				}
			}
			if learner < 2 {
				t.Fatalf("the recognizer heard %d learner lines, want the script's: %+v", learner, rec.Transcript)
			}
			var card struct {
				Overall int  `json:"overall"`
				Pass    bool `json:"pass"`
			}
			pollScorecard(t, srv, res.CallID, &card)
			if card.Pass || card.Overall >= 50 {
				t.Errorf("%s scored %d (pass %v), want a clear fail\ntranscript: %+v", name, card.Overall, card.Pass, rec.Transcript)
			}
		})
	}
}
