package scoring

import "errors"

var (
	// ErrNoRubric means no rubric is loaded for the call's scenario.
	ErrNoRubric = errors.New("scoring: no rubric for scenario")
	// ErrNoScenario means the call's scenario is not loaded: a rubric grades its behaviours.
	ErrNoScenario = errors.New("scoring: scenario not loaded")
	// ErrInvalidRubric wraps every problem found while loading a rubric.
	ErrInvalidRubric = errors.New("scoring: invalid rubric")
	// ErrInvalidConfig wraps every Config.Validate failure.
	ErrInvalidConfig = errors.New("scoring: invalid config")
	// ErrNotScored means the call has no scorecard yet.
	ErrNotScored = errors.New("scoring: call not scored")
)

var (
	// ErrJudge wraps every failure of a Judge: the worker retries the call and, on its last
	// attempt, falls back to the deterministic judge (Fallback).
	ErrJudge = errors.New("scoring: judge failed")
	// ErrJudgeReply means an LLM judge's reply was not the JSON object asked for.
	ErrJudgeReply = errors.New("scoring: judge reply not usable")
	// ErrBadSignature means a webhook request's signature or timestamp did not check out.
	ErrBadSignature = errors.New("scoring: bad webhook signature")
)
