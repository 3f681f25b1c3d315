package scenario

import "errors"

// ErrInvalid is wrapped by every error about a scenario file's content.
var ErrInvalid = errors.New("scenario: invalid")

// ErrDuplicateID is wrapped when two files in a catalog share an id.
var ErrDuplicateID = errors.New("scenario: duplicate id")
