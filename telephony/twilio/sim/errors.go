package sim

import "errors"

var (
	// ErrRefused is returned by Run when the server answered the call without connecting a
	// media stream (<Say> then <Hangup>, <Reject>, or a menu that led nowhere).
	// Result.Refused holds what the server said.
	ErrRefused = errors.New("sim: call refused")
	// ErrInvalidConfig is wrapped by Config.Validate.
	ErrInvalidConfig = errors.New("sim: invalid config")
	// ErrInvalidScript is wrapped by ParseScript for steps that do not make sense.
	ErrInvalidScript = errors.New("sim: invalid script")
	// ErrWebhook is wrapped when the voice webhook answers with something Twilio would reject:
	// a non-2xx status or a body that is not TwiML.
	ErrWebhook = errors.New("sim: bad webhook answer")
)
