package store_test

import (
	"fmt"
	"time"

	"github.com/sparlab/spar/dialog"
	"github.com/sparlab/spar/dialog/store"
)

func ExampleEncodeEvent() {
	f := store.EncodeEvent(dialog.Event{
		Kind: dialog.EventLearnerSaid, At: 4250 * time.Millisecond, Speaker: dialog.SpeakerLearner,
		Text: "I was charged twice", Dur: 1800 * time.Millisecond,
	})
	fmt.Println(f["kind"], f["at_ms"], f["dur_ms"], f["speaker"], f["text"])
	// Output: learner.said 4250 1800 learner I was charged twice
}
