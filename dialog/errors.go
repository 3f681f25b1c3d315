package dialog

import "errors"

// Reasons a turn or a call ends, used as context causes.
var (
	// ErrBargeIn cancels a persona turn when the learner talks over it.
	ErrBargeIn = errors.New("dialog: learner barged in")
	// ErrLearnerContinued cancels a persona turn that had not started speaking when the
	// learner went on talking: the learner was only pausing to think.
	ErrLearnerContinued = errors.New("dialog: learner continued before the persona spoke")
	// ErrCallOver cancels the turns of a call that is ending.
	ErrCallOver = errors.New("dialog: call over")
	// ErrMaxDuration ends a call at the scenario's maximum length.
	ErrMaxDuration = errors.New("max duration reached")
)
