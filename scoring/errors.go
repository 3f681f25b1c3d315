package scoring

import "errors"

var (
	// ErrNoRubric means no rubric is loaded for the call's scenario.
	ErrNoRubric = errors.New("scoring: no rubric for scenario")
	// ErrInvalidRubric wraps every problem found while loading a rubric.
	ErrInvalidRubric = errors.New("scoring: invalid rubric")
	// ErrInvalidConfig wraps every Config.Validate failure.
	ErrInvalidConfig = errors.New("scoring: invalid config")
	// ErrNotScored means the call has no scorecard yet.
	ErrNotScored = errors.New("scoring: call not scored")
)
