package console

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/sparlab/spar/dialog/studio/draft"
	"github.com/sparlab/spar/dialog/studio/material"
)

// materialUpload is a file the trainer chose to draft from. The page sends it as JSON (data
// base64, as encoding/json gives []byte): the CSRF check reads only urlencoded forms, so
// uploads go through the script, like the YAML import.
type materialUpload struct {
	Name string `json:"name"`
	Data []byte `json:"data"`
}

// materialView is the file's text for the draft form's material box, and how it reads.
type materialView struct {
	Material string `json:"material"`
	// Call is true when the text reads as a call transcript (drafted from the customer's side).
	Call  bool `json:"call"`
	Lines int  `json:"lines"`
}

// studioMaterial reads an uploaded file (text, Markdown, HTML, PDF through pdftotext, or a
// WAV call recording, transcribed with the server's speech recognizer) and returns its text; the trainer sees it
// in the material box, edits it if need be, and drafts. Nothing is stored.
func (c *Console) studioMaterial(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, material.MaxFile/3*4+8<<10)
	var in materialUpload
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			writeJSON(w, http.StatusRequestEntityTooLarge, map[string]string{"error": fmt.Sprintf("the file is too large: at most %d MiB", material.MaxFile>>20)})
			return
		}
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "the upload could not be read: " + err.Error()})
		return
	}
	text, err := c.material.Text(r.Context(), in.Name, in.Data)
	switch {
	case errors.Is(err, material.ErrTooLarge):
		writeJSON(w, http.StatusRequestEntityTooLarge, map[string]string{"error": err.Error()})
		return
	case errors.Is(err, material.ErrUnsupported), errors.Is(err, material.ErrUnreadable), errors.Is(err, material.ErrNoSTT), errors.Is(err, material.ErrNoPDF):
		writeJSON(w, http.StatusUnsupportedMediaType, map[string]string{"error": err.Error()})
		return
	case err != nil:
		c.log.Error("studio material", "file", in.Name, "err", err)
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"error": "the file could not be read: " + err.Error()})
		return
	}
	if len(text) > draft.MaxMaterial {
		writeJSON(w, http.StatusRequestEntityTooLarge, map[string]string{"error": fmt.Sprintf("the file's text is over %d KiB: upload or paste the part to draft from", draft.MaxMaterial>>10)})
		return
	}
	turns := draft.CallTurns(text)
	writeJSON(w, http.StatusOK, materialView{Material: text, Call: turns != nil, Lines: len(turns)})
}
