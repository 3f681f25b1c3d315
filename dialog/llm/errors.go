package llm

import (
	"context"
	"errors"
	"fmt"
)

var (
	// ErrFirstTokenTimeout cancels a request whose first words took longer than
	// Config.FirstTokenTimeout.
	ErrFirstTokenTimeout = errors.New("llm: no first token in time")
	// ErrTurnTimeout cancels a request still streaming after Config.TurnTimeout.
	ErrTurnTimeout = errors.New("llm: reply took too long")
	// ErrTruncated means the stream ended before [DONE] and before any finish_reason: the
	// server or the network dropped the connection mid-reply.
	ErrTruncated = errors.New("llm: stream ended mid-reply")
)

// APIError is an error the server reported, as an HTTP status with an OpenAI-style JSON body
// or as an error event inside the stream (Status 0).
type APIError struct {
	Status  int
	Type    string
	Message string
}

func (e *APIError) Error() string {
	if e.Status == 0 {
		return fmt.Sprintf("llm: stream error: %s (%s)", e.Message, e.Type)
	}
	return fmt.Sprintf("llm: http %d: %s (%s)", e.Status, e.Message, e.Type)
}

// Kind classifies err for the provider-error metric: auth, rate_limit, client, server,
// timeout, disconnect, cancelled or network.
func Kind(err error) string {
	var api *APIError
	switch {
	case err == nil:
		return ""
	case errors.As(err, &api):
		switch {
		case api.Status == 401 || api.Status == 403:
			return "auth"
		case api.Status == 429:
			return "rate_limit"
		case api.Status >= 400 && api.Status < 500:
			return "client"
		default:
			return "server"
		}
	case errors.Is(err, ErrFirstTokenTimeout), errors.Is(err, ErrTurnTimeout):
		return "timeout"
	case errors.Is(err, ErrTruncated):
		return "disconnect"
	case errors.Is(err, context.Canceled):
		return "cancelled"
	default:
		return "network"
	}
}
