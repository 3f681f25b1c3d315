package material

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// PDFToText is the command that reads the text of a PDF: pdftotext, from Debian's
// poppler-utils.
const PDFToText = "pdftotext"

// PDFTimeout bounds one pdftotext run.
const PDFTimeout = 30 * time.Second

// maxText bounds the text read out of a PDF: four times what the drafter reads
// (draft.MaxMaterial), so that the console can say how much too long it is.
const maxText = 1 << 20

// maxStderr bounds what is kept of pdftotext's complaints.
const maxStderr = 4 << 10

// pdfText runs pdftotext on the PDF in data (stdin to stdout, UTF-8, reading order rather
// than -layout, which keeps columns side by side and so cuts sentences) and returns its text
// with the lines the PDF wrapped joined (Unwrap).
func (r Reader) pdfText(ctx context.Context, name string, data []byte) (string, error) {
	cmdName := r.PDFToText
	if cmdName == "" {
		cmdName = PDFToText
	}
	bin, err := exec.LookPath(cmdName)
	if err != nil {
		return "", fmt.Errorf("%w: %s: this server cannot read PDF files yet: its administrator must install pdftotext (Debian's poppler-utils); paste the text instead", ErrNoPDF, name)
	}
	run, cancel := context.WithTimeout(ctx, PDFTimeout)
	defer cancel()
	cmd := exec.CommandContext(run, bin, "-enc", "UTF-8", "-eol", "unix", "-", "-")
	cmd.Stdin = bytes.NewReader(data)
	out := &capped{max: maxText}
	stderr := &capped{max: maxStderr, drop: true}
	cmd.Stdout, cmd.Stderr = out, stderr
	cmd.WaitDelay = time.Second
	start := time.Now()
	err = cmd.Run()
	log := r.logger()
	var exit *exec.ExitError
	switch {
	case ctx.Err() != nil:
		return "", ctx.Err()
	case run.Err() != nil:
		return "", fmt.Errorf("%w: reading %s took over %v: paste the text instead", ErrUnreadable, name, PDFTimeout)
	case out.over:
		return "", fmt.Errorf("%w: the text of %s is over %d MiB: upload or paste the part to draft from", ErrTooLarge, name, maxText>>20)
	case errors.As(err, &exit):
		log.Info("studio material: pdftotext failed", "file", name, "exit", exit.ExitCode(), "stderr", strings.TrimSpace(stderr.buf.String()))
		if exit.ExitCode() == 3 || strings.Contains(strings.ToLower(stderr.buf.String()), "password") {
			return "", fmt.Errorf("%w: %s is password-protected: remove the password (or save an unprotected copy) and upload that, or paste the text", ErrUnreadable, name)
		}
		return "", fmt.Errorf("%w: %s is damaged or not a PDF: paste the text instead", ErrUnreadable, name)
	case err != nil:
		return "", fmt.Errorf("material: pdftotext: %w", err)
	}
	text := Unwrap(strings.ToValidUTF8(out.buf.String(), "\uFFFD"))
	log.Info("studio material read", "file", name, "bytes", len(data), "text", len(text), "took", time.Since(start).Round(time.Millisecond))
	if text == "" {
		return "", fmt.Errorf("%w: %s has no text in it: it looks like a scanned PDF (pictures of pages); paste the text instead", ErrUnreadable, name)
	}
	return text, nil
}

// capped is a buffer that takes up to max bytes, then fails the write (ending pdftotext), or
// with drop drops the rest. It is not an io.ReaderFrom, so that the copy from the command's
// pipe goes through Write.
type capped struct {
	buf  bytes.Buffer
	max  int
	drop bool
	over bool
}

func (c *capped) Write(p []byte) (int, error) {
	if room := c.max - c.buf.Len(); len(p) > room {
		c.over = true
		if !c.drop {
			return 0, errors.New("material: output over its limit")
		}
		c.buf.Write(p[:room])
		return len(p), nil
	}
	return c.buf.Write(p)
}

// marker starts a line that is never the rest of the line before: a bullet, a number, a
// speaker's or a Q:/A: label.
var marker = regexp.MustCompile(`^([-*•–]\s|\d+[.)]\s|[A-Za-z][A-Za-z .'-]{0,30}:\s)`)

// Unwrap tidies the text of a PDF: pages (form feeds) become blank lines, spaces are
// trimmed, blank lines collapsed, and a line the PDF wrapped is joined to the one before,
// so that each sentence is on one line as the drafter reads it. A line continues the one
// before when that one ends without a full stop, colon or semicolon (ends in a letter, digit,
// comma or hyphen) and it starts in lower case, with a digit or a currency sign, and with no
// bullet or label. Only white space changes.
func Unwrap(text string) string {
	var out []string
	blank := false
	for _, l := range strings.Split(strings.ReplaceAll(text, "\f", "\n"), "\n") {
		l = strings.TrimSpace(l)
		if l == "" {
			blank = len(out) > 0
			continue
		}
		if n := len(out); n > 0 && !blank && continues(out[n-1], l) {
			if strings.HasSuffix(out[n-1], "-") {
				out[n-1] += l // "made-to-" "order"
			} else {
				out[n-1] += " " + l
			}
			continue
		}
		if blank {
			out = append(out, "")
			blank = false
		}
		out = append(out, l)
	}
	if len(out) == 0 {
		return ""
	}
	return strings.Join(out, "\n") + "\n"
}

// continues reports whether next carries on the sentence prev was cut in.
func continues(prev, next string) bool {
	last, _ := utf8.DecodeLastRuneInString(prev)
	first, _ := utf8.DecodeRuneInString(next)
	if !(unicode.IsLetter(last) || unicode.IsDigit(last) || last == ',' || last == '-') || marker.MatchString(next) {
		return false
	}
	return unicode.IsLower(first) || unicode.IsDigit(first) || unicode.Is(unicode.Sc, first)
}
