package whisper

import (
	"errors"
	"fmt"
)

// ErrClosed is returned by Write and Flush after Close.
var ErrClosed = errors.New("whisper: stream closed")

// APIError is an error status from the server, with its message.
type APIError struct {
	Status  int
	Message string
}

func (e *APIError) Error() string { return fmt.Sprintf("whisper: http %d: %s", e.Status, e.Message) }
