package material_test

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sparlab/spar/dialog"
	"github.com/sparlab/spar/dialog/studio/material"
	"github.com/sparlab/spar/media"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// TestHTMLText reads a help-centre page: the visible text only, one line per block, headings
// as Markdown, entities decoded; scripts, styles, the head, noscript, templates, buttons and
// comments gone.
func TestHTMLText(t *testing.T) {
	page, err := os.ReadFile("testdata/returns-page.html")
	if err != nil {
		t.Fatal(err)
	}
	got := material.HTMLText(page)
	for _, gone := range []string{"dataLayer", "font-family", "Northwind Home</title>", "enable JavaScript", "hidden template", "Chat with us", "comment", "99 days", "<"} {
		if strings.Contains(got, gone) {
			t.Errorf("text has %q:\n%s", gone, got)
		}
	}
	for _, want := range []string{"# Returns & refunds at Northwind Home\n", "Home > Help\n",
		"You can return any item within 30 days of delivery. Sofas and made-to-order items must be returned within 14 days, in their original packaging.\n",
		"Can I return a sofa after thirty days?\nNo. Sofas must come back within 14 days;", "Item Window\n", "Northwind Home Ltd, 12 Harbour Road.\nRegistered in England.\n"} {
		if !strings.Contains(got, want) {
			t.Errorf("text lacks %q:\n%s", want, got)
		}
	}
	golden(t, "testdata/returns-page.txt.golden", []byte(got))
}

// TestTextByType: each supported type gives its text, and the others a clear refusal.
func TestTextByType(t *testing.T) {
	r := material.Reader{}
	ctx := context.Background()
	for _, name := range []string{"faq.txt", "policy.md", "notes"} {
		if got, err := r.Text(ctx, name, []byte("Q: Why?\nA: Because.\n")); err != nil || got != "Q: Why?\nA: Because.\n" {
			t.Errorf("%s: %q, %v", name, got, err)
		}
	}
	if got, err := r.Text(ctx, "page.HTML", []byte("<p>One</p><p>Two<br>Three</p>")); err != nil || got != "One\nTwo\nThree\n" {
		t.Errorf("html: %q, %v", got, err)
	}
	for name, tc := range map[string]struct {
		data []byte
		err  error
		says string
	}{
		"sheet.docx":  {[]byte("PK\x03\x04"), material.ErrUnsupported, "plain text (.txt), Markdown (.md), HTML (.html), PDF (.pdf) or a call recording (.wav)"},
		"binary.txt":  {[]byte("a\x00b"), material.ErrUnreadable, "not UTF-8 text"},
		"latin1.md":   {[]byte("caf\xe9"), material.ErrUnreadable, "not UTF-8"},
		"call.wav":    {[]byte("RIFF...."), material.ErrNoSTT, "paste the call's transcript"},
		"huge.txt":    {make([]byte, material.MaxFile+1), material.ErrTooLarge, "at most 16 MiB"},
		"nofile.html": {[]byte("\xff<p>"), material.ErrUnreadable, "not UTF-8 HTML"},
	} {
		_, err := r.Text(ctx, name, tc.data)
		if !errors.Is(err, tc.err) || !strings.Contains(err.Error(), tc.says) {
			t.Errorf("%s: %v, want %v saying %q", name, err, tc.err, tc.says)
		}
	}
	r.STT = &fakeSTT{}
	if _, err := r.Text(ctx, "call.wav", []byte("RIFF....WAVEjunk")); !errors.Is(err, material.ErrUnreadable) {
		t.Errorf("broken wav: %v, want ErrUnreadable", err)
	}
}

// TestTranscribeRecording: a recording (mono or stereo, at the common rates) of three "utterances" (tone bursts
// between silences) becomes three Speaker lines, each utterance recognized on its own, the
// long one in chunks the recognizer's queue holds.
func TestTranscribeRecording(t *testing.T) {
	for _, tc := range []struct{ rate, channels int }{{8000, 1}, {16000, 2}, {22050, 1}, {44100, 2}, {48000, 2}} {
		rate, channels := tc.rate, tc.channels
		{
			t.Run(fmt.Sprintf("%dHz-%dch", rate, channels), func(t *testing.T) {
				wav := recording(t, rate, channels, []float64{1.2, 0, 0.8, 0, 11})
				stt := &fakeSTT{}
				got, err := material.Reader{STT: stt}.Text(context.Background(), "call.WAV", wav)
				if err != nil {
					t.Fatal(err)
				}
				want := "Speaker: utterance 1\nSpeaker: utterance 2\nSpeaker: utterance 3 utterance 4\n"
				if got != want {
					t.Errorf("transcript %q, want %q", got, want)
				}
				for i, n := range stt.lens {
					if d := media.Duration(media.Rate16k, n); d > 8500e6 || d < 700e6 {
						t.Errorf("utterance %d: %v of audio written before a flush", i+1, d)
					}
				}
			})
		}
	}
}

// recording writes a WAV of tone bursts: each entry of secs is a burst of that many seconds,
// with a short dip each second (0: a second of silence), with half a second of silence at both ends.
func recording(t testing.TB, rate, channels int, secs []float64) []byte {
	t.Helper()
	var pcm []int16
	silence := func(s float64) { pcm = append(pcm, make([]int16, int(s*float64(rate))*channels)...) }
	silence(0.5)
	for _, s := range secs {
		if s == 0 {
			silence(1)
			continue
		}
		n := int(s * float64(rate))
		for i := range n {
			v := int16(8000 * math.Sin(2*math.Pi*300*float64(i)/float64(rate)))
			if i%rate > rate*85/100 { // a breath each second, as speech has
				v = 0
			}
			for range channels {
				pcm = append(pcm, v)
			}
		}
	}
	silence(0.5)
	return wavOf(t, pcm, rate, channels)
}

// wavOf is pcm as a WAV file.
func wavOf(t testing.TB, pcm []int16, rate, channels int) []byte {
	t.Helper()
	b, err := media.EncodeWAV(pcm, rate, channels)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// fakeSTT recognizes each flushed piece of audio as "utterance N", N counting from 1, and
// records how much audio each had.
type fakeSTT struct {
	n    int
	lens []int
}

func (f *fakeSTT) Stream(context.Context, dialog.STTOptions) (dialog.RecognizeStream, error) {
	return &fakeStream{f: f, out: make(chan dialog.Transcript, 4)}, nil
}

type fakeStream struct {
	f   *fakeSTT
	cur int
	out chan dialog.Transcript
}

func (s *fakeStream) Write(p []int16) error { s.cur += len(p); return nil }
func (s *fakeStream) Flush() error {
	s.f.n++
	s.f.lens = append(s.f.lens, s.cur)
	s.cur = 0
	s.out <- dialog.Transcript{Text: "partial"}
	s.out <- dialog.Transcript{Text: fmt.Sprintf("utterance %d", s.f.n), Final: true}
	return nil
}
func (s *fakeStream) Results() <-chan dialog.Transcript { return s.out }
func (s *fakeStream) Close() error                      { return nil }

func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(filepath.Clean(path))
	if err != nil {
		t.Fatalf("%v (run with -update to write it)", err)
	}
	if !bytes.Equal(want, got) {
		t.Errorf("%s differs:\n%s\n(run with -update after checking the change)", path, got)
	}
}

// TestTranscribeTwoSides: a stereo recording with the agent on the left and the customer on
// the right (as Spar records calls) is transcribed side by side, in the order they spoke,
// each line labelled with its side.
func TestTranscribeTwoSides(t *testing.T) {
	const rate = media.Rate16k
	var pcm []int16
	gap := func() { pcm = append(pcm, make([]int16, 2*rate)...) }
	gap()
	for i, side := range []int{0, 1, 0, 1} {
		for j := range rate * (1 + i%2) {
			v := int16(8000 * math.Sin(2*math.Pi*250*float64(j)/rate))
			if side == 0 {
				pcm = append(pcm, v, 0)
			} else {
				pcm = append(pcm, 0, v/2) // the customer quieter, as a phone line is
			}
		}
		gap()
	}
	got, err := material.Reader{STT: &fakeSTT{}}.Text(context.Background(), "spar-call.wav", wavOf(t, pcm, rate, 2))
	if want := "Agent: utterance 1\nCustomer: utterance 2\nAgent: utterance 3\nCustomer: utterance 4\n"; err != nil || got != want {
		t.Errorf("transcript %q, %v; want %q", got, err, want)
	}
}
