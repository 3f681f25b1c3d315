// Package material reads a file a trainer uploads to draft a studio scenario from, and gives
// the text the drafter reads (dialog/studio/draft):
//
//   - plain text and Markdown (.txt, .md, .markdown) as they are, when they are UTF-8;
//   - HTML (.html, .htm) as its visible text: scripts, styles and other invisible elements
//     dropped, one line per block (paragraph, heading, list item, table row, line break);
//   - a call recording in WAV (.wav: 8 or 16-bit PCM, mono or stereo, any rate), resampled
//     to 16 kHz, cut into utterances by the media package's endpointer and transcribed with
//     the configured speech recognizer, one line per utterance: "Agent: ..." (left) and
//     "Customer: ..." (right) when the two channels carry the two sides of the call (as Spar
//     records them), else mixed to mono and "Speaker: ..." (who spoke is not known);
//   - PDF (.pdf) as its text in reading order, read by pdftotext (Debian's poppler-utils,
//     which the server needs for PDF: without it PDF is refused with ErrNoPDF), with the
//     lines the PDF wrapped joined again (Unwrap). A PDF with no text (a scanned one), a
//     password-protected or a damaged one is refused with ErrUnreadable and what to do.
//
// Anything else is refused with ErrUnsupported. Files larger than MaxFile are refused.
package material

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/sparlab/spar/dialog"
	"github.com/sparlab/spar/media"
)

// MaxFile bounds an uploaded file: about four minutes of 16 kHz stereo WAV, or far more text
// than the drafter reads (draft.MaxMaterial).
const MaxFile = 16 << 20

// MaxAudio bounds the speech transcribed from one recording.
const MaxAudio = 10 * time.Minute

var (
	// ErrUnsupported is returned for a file type the studio cannot read.
	ErrUnsupported = errors.New("material: unsupported file type")
	// ErrTooLarge is returned for a file over MaxFile.
	ErrTooLarge = errors.New("material: file too large")
	// ErrUnreadable is returned for a file whose content does not match its type.
	ErrUnreadable = errors.New("material: file cannot be read")
	// ErrNoSTT is returned for a recording when no speech recognizer is configured.
	ErrNoSTT = errors.New("material: no speech recognizer to transcribe the recording")
	// ErrNoPDF is returned for a PDF when pdftotext is not installed.
	ErrNoPDF = errors.New("material: no pdftotext to read the PDF")
)

// SpeakerLabel starts each line of a one-channel recording's transcript: who spoke is not
// known.
const SpeakerLabel = "Speaker"

// SideLabels start the lines of a recording with each side on its own channel: the agent
// (Spar's learner) left, the customer (the persona) right.
var SideLabels = [2]string{"Agent", "Customer"}

// Reader extracts text from uploaded files.
type Reader struct {
	// STT transcribes recordings; nil: recordings are refused with ErrNoSTT.
	STT dialog.Transcriber
	// PDFToText is the pdftotext command that reads PDF files; "" is PDFToText, found on
	// the PATH.
	PDFToText string
	// Log gets one line per transcription and PDF read; nil discards.
	Log *slog.Logger
}

func (r Reader) logger() *slog.Logger {
	if r.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return r.Log
}

// Text returns the material in the file called name (only its extension is used, and the
// content is checked against it).
func (r Reader) Text(ctx context.Context, name string, data []byte) (string, error) {
	if len(data) > MaxFile {
		return "", fmt.Errorf("%w: %s is %d MiB, at most %d MiB", ErrTooLarge, name, len(data)>>20, MaxFile>>20)
	}
	ext := strings.ToLower(path.Ext(name))
	switch {
	case ext == "" && bytes.HasPrefix(data, []byte("RIFF")):
		ext = ".wav"
	case ext == "" && bytes.HasPrefix(data, []byte("%PDF-")):
		ext = ".pdf"
	}
	switch ext {
	case ".txt", ".text", ".md", ".markdown", "":
		if !utf8.Valid(data) || bytes.IndexByte(data, 0) >= 0 {
			return "", fmt.Errorf("%w: %s is not UTF-8 text", ErrUnreadable, name)
		}
		return string(data), nil
	case ".html", ".htm", ".xhtml":
		if !utf8.Valid(data) {
			return "", fmt.Errorf("%w: %s is not UTF-8 HTML", ErrUnreadable, name)
		}
		return HTMLText(data), nil
	case ".wav", ".wave":
		return r.transcribe(ctx, name, data)
	case ".pdf":
		return r.pdfText(ctx, name, data)
	default:
		return "", fmt.Errorf("%w: %s: upload plain text (.txt), Markdown (.md), HTML (.html), PDF (.pdf) or a call recording (.wav), or paste the text", ErrUnsupported, name)
	}
}

// transcribe decodes a WAV recording and transcribes it, one line per utterance.
func (r Reader) transcribe(ctx context.Context, name string, data []byte) (string, error) {
	if r.STT == nil {
		return "", fmt.Errorf("%w: paste the call's transcript instead", ErrNoSTT)
	}
	sides, err := DecodeSides(data)
	if err != nil {
		return "", fmt.Errorf("%w: %s: %v", ErrUnreadable, name, err)
	}
	if len(sides[0]) > media.Samples(media.Rate16k, MaxAudio) {
		return "", fmt.Errorf("%w: %s is longer than %v", ErrTooLarge, name, MaxAudio)
	}
	start := time.Now()
	lines, err := Transcribe(ctx, r.STT, sides)
	if err != nil {
		return "", err
	}
	r.logger().Info("studio material transcribed", "file", name, "audio", media.Duration(media.Rate16k, len(sides[0])),
		"sides", len(sides), "utterances", len(lines), "took", time.Since(start).Round(time.Millisecond))
	if len(lines) == 0 {
		return "", fmt.Errorf("%w: no speech was recognized in %s", ErrUnreadable, name)
	}
	var b strings.Builder
	for _, l := range lines {
		label := SpeakerLabel
		if len(sides) == 2 {
			label = SideLabels[l.Side]
		}
		b.WriteString(label + ": " + l.Text + "\n")
	}
	return b.String(), nil
}
