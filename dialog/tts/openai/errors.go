package openai

import (
	"errors"
	"fmt"
)

var (
	// ErrFirstByteTimeout means no audio arrived within Config.FirstByteTimeout.
	ErrFirstByteTimeout = errors.New("openai tts: no audio in time")
	// ErrNoAudio means the server answered without any audio.
	ErrNoAudio = errors.New("openai tts: empty audio")
)

// APIError is an error status from the server, with its message.
type APIError struct {
	Status  int
	Message string
}

func (e *APIError) Error() string { return fmt.Sprintf("openai tts: http %d: %s", e.Status, e.Message) }
