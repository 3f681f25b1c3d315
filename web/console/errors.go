package console

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"

	"github.com/sparlab/spar/dialog/store"
	"github.com/sparlab/spar/web/account"
)

var (
	// ErrInvalidConfig wraps every Config.Validate failure.
	ErrInvalidConfig = errors.New("console: invalid config")
	// ErrNoComment means the comment does not exist on this call.
	ErrNoComment = errors.New("console: no such comment")
	// ErrNoRecording means the call's recording is missing or outside the recording directory.
	ErrNoRecording = errors.New("console: recording not available")
)

// badRequest is an error the client can fix.
type badRequest string

func (b badRequest) Error() string { return string(b) }

// fail maps an error to its HTTP status and a JSON body: the one place that does.
func (c *Console) fail(w http.ResponseWriter, r *http.Request, err error) {
	var br badRequest
	status, msg := http.StatusServiceUnavailable, "storage unavailable, try again shortly"
	switch {
	case errors.Is(err, store.ErrNotFound):
		status, msg = http.StatusNotFound, "no such call"
	case errors.Is(err, ErrNoComment):
		status, msg = http.StatusNotFound, "no such comment"
	case errors.Is(err, ErrNoAssignment):
		status, msg = http.StatusNotFound, "no such assignment"
	case errors.Is(err, ErrNoRecording):
		status, msg = http.StatusNotFound, "recording not available"
	case errors.Is(err, account.ErrForbidden):
		status, msg = http.StatusForbidden, "not allowed"
	case errors.As(err, &br):
		status, msg = http.StatusBadRequest, br.Error()
	case errors.Is(err, context.Canceled):
		return
	default:
		c.log.Error("request failed", "path", r.URL.Path, "err", err)
	}
	writeJSON(w, status, map[string]string{"error": msg})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// ErrNoAssignment means the assignment does not exist (or the user may not see it).
var ErrNoAssignment = errors.New("console: no such assignment")
