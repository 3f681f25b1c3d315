package console

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/sparlab/spar/dialog/store"
)

// recording serves the call's WAV with range requests (http.ServeContent), to those who may
// see the call only.
func (c *Console) recording(w http.ResponseWriter, r *http.Request) {
	f, rec, err := c.openRecording(r)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		c.fail(w, r, fmt.Errorf("%w: %w", ErrNoRecording, err))
		return
	}
	w.Header().Set("Content-Type", "audio/wav")
	w.Header().Set("Cache-Control", "private, no-cache")
	http.ServeContent(w, r, rec.ID+".wav", st.ModTime(), f)
}

// openRecording opens the recording of the request's call after the access check.
func (c *Console) openRecording(r *http.Request) (*os.File, *store.Record, error) {
	rec, err := c.call(r)
	if err != nil {
		return nil, nil, err
	}
	path := filepath.Clean(rec.Recording)
	if rec.Recording == "" || !c.inRecordingDir(path) {
		return nil, nil, fmt.Errorf("%w: call %s", ErrNoRecording, rec.ID)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %w", ErrNoRecording, err)
	}
	return f, rec, nil
}

func (c *Console) inRecordingDir(path string) bool {
	if c.cfg.RecordingDir == "" {
		return true
	}
	rel, err := filepath.Rel(c.cfg.RecordingDir, path)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}
