package store

import "errors"

var (
	// ErrNotFound means no sealed record (or timeline) exists for the call ID.
	ErrNotFound = errors.New("store: call not found")
	// ErrExists means Begin was given the ID of a call that already has keys in Redis.
	ErrExists = errors.New("store: call already exists")
	// ErrInvalidID means a call ID is empty or contains a brace (it would break the hash tag).
	ErrInvalidID = errors.New("store: invalid call ID")
	// ErrInvalidConfig wraps every Config.Validate failure.
	ErrInvalidConfig = errors.New("store: invalid config")
	// ErrLocked means another process held the call's seal lock for longer than Seal could wait.
	ErrLocked = errors.New("store: call is being sealed elsewhere")
)

var (
	// ErrLive means Delete was given a call that is not sealed yet.
	ErrLive = errors.New("store: call is still live")
	// ErrInvalidRetention means a retention period outside 0..MaxRetentionDays.
	ErrInvalidRetention = errors.New("store: invalid retention period")
	// ErrBusy means Follow already has Config.MaxFollowers timelines open on this process.
	ErrBusy = errors.New("store: too many timelines followed at once")
)
