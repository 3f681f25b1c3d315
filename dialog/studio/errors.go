package studio

import "errors"

var (
	// ErrNotFound means no studio scenario (or version) has that ID.
	ErrNotFound = errors.New("studio: scenario not found")
	// ErrExists means the ID is taken, by a studio scenario or by a file scenario.
	ErrExists = errors.New("studio: scenario ID already used")
	// ErrInvalidID means an ID that is not 1-64 lower-case letters, digits and dashes.
	ErrInvalidID = errors.New("studio: invalid scenario ID")
	// ErrReadOnly means an edit of a file scenario: duplicate it instead.
	ErrReadOnly = errors.New("studio: file scenarios are read-only")
	// ErrProblems means publishing a version that lint found problems in.
	ErrProblems = errors.New("studio: version has lint problems")
	// ErrTooLarge means a scenario or rubric over MaxYAML bytes.
	ErrTooLarge = errors.New("studio: YAML too large")
	// ErrNoTrial means a trial ticket that does not exist (never given, or expired).
	ErrNoTrial = errors.New("studio: no such trial ticket (it may have expired: press Try it again)")
)
