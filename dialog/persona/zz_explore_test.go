package persona_test

import (
	"os"
	"testing"

	"github.com/sparlab/spar/dialog"
)

func TestZZExplore(t *testing.T) {
	if os.Getenv("EXPLORE") == "" {
		t.Skip()
	}
	call1 := says(
		"on your suitability that is that how can i help you today",
		"i'm really sorry about that being charged what is frustrating and that's all most likely look into it or you try to",
		"i refunded the duplicate charge you'll see it back on your card within three to five business days is there anything else i can help with",
		"yes you'll get a confirmation email with a reference number",
		"we flagged the account so it won't happen again",
	)
	call2 := []turn{{say: "thank you for calling bright wave this is sam how can i help you"},
		{in: dialog.Input{Kind: dialog.InputSpeech, Interrupted: true, Text: "i am so sorry being charged what is really frustrating that is a mistake"}},
		{say: "i have refunded the duplicate charge the money will be back on your card and three to five days"},
		{say: "yes you will get a confirmation email today"},
		{say: "i've made a note on your account so it won't happen again"},
		{say: "is there anything else i can help you with"},
	}
	for seed := int64(1); seed <= 3; seed++ {
		t.Logf("call1 seed %d\n%s", seed, transcript(play(t, shipped(t, "double-charge", ""), seed, call1)))
		t.Logf("call2 seed %d\n%s", seed, transcript(play(t, shipped(t, "double-charge", ""), seed, call2)))
	}
}
