package twilio

import (
	"fmt"
	"strings"

	"github.com/twilio/twilio-go/twiml"
)

// What callers hear when Spar cannot connect them.
const (
	sayDraining        = "Spar is restarting; please call again in a minute."
	sayBusy            = "All practice lines are busy, please try again in a few minutes. Goodbye."
	sayUnknownCaller   = "Sorry, this number isn't registered for practice. Goodbye."
	sayUnknownScenario = "Sorry, this practice line is not set up correctly. Please tell your trainer. Goodbye."
	sayNoChoice        = "No choice was made. Goodbye."
	sayUnavailable     = "Sorry, Spar cannot take practice calls right now. Please try again later. Goodbye."
	menuAttempts       = 3 // menu readings before giving up
)

// paramToken names the <Parameter> carrying the call's one-time ticket token: Twilio sends
// it back in start.customParameters, and only a stream that has it becomes a call.
const paramToken = "token"

// param is one <Parameter> of the stream; a slice keeps them in a stable order.
type param struct{ name, value string }

// connectTwiML connects the call to a bidirectional media stream.
// https://www.twilio.com/docs/voice/twiml/stream
func connectTwiML(streamURL, statusURL string, params []param) (string, error) {
	inner := make([]twiml.Element, 0, len(params))
	for _, p := range params {
		inner = append(inner, &twiml.VoiceParameter{Name: p.name, Value: p.value})
	}
	return twiml.Voice([]twiml.Element{
		&twiml.VoiceConnect{InnerElements: []twiml.Element{
			&twiml.VoiceStream{
				Url:                  streamURL,
				StatusCallback:       statusURL,
				StatusCallbackMethod: "POST",
				InnerElements:        inner,
			},
		}},
	})
}

// sayHangupTwiML says msg and hangs up.
func sayHangupTwiML(msg string) (string, error) {
	return twiml.Voice([]twiml.Element{&twiml.VoiceSay{Message: msg}, &twiml.VoiceHangup{}})
}

// menuChoice is one spoken option.
type menuChoice struct{ digit, title string }

// menuTwiML reads the options and gathers one key, posted to action as Digits. If nothing is
// pressed Twilio follows the redirect, which reads the menu again (attempt+1).
// https://www.twilio.com/docs/voice/twiml/gather
func menuTwiML(action, prefix string, choices []menuChoice, attempt int) (string, error) {
	if attempt >= menuAttempts {
		return sayHangupTwiML(sayNoChoice)
	}
	var b strings.Builder
	b.WriteString(prefix)
	b.WriteString("Welcome to Spar practice.")
	for _, c := range choices {
		fmt.Fprintf(&b, " For %s, press %s.", c.title, spokenKey(c.digit))
	}
	return twiml.Voice([]twiml.Element{
		&twiml.VoiceGather{
			NumDigits:     "1",
			Action:        action,
			Method:        "POST",
			InnerElements: []twiml.Element{&twiml.VoiceSay{Message: b.String()}},
		},
		&twiml.VoiceRedirect{Url: fmt.Sprintf("%s?attempt=%d", action, attempt+1), Method: "POST"},
	})
}

func spokenKey(d string) string {
	switch d {
	case "*":
		return "star"
	case "#":
		return "pound"
	}
	return d
}
