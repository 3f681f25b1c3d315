package material

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/sparlab/spar/dialog"
	"github.com/sparlab/spar/media"
)

const (
	minRate = 4000
	maxRate = 192000
	// maxChunk bounds the audio written to the recognizer before a flush: its stream queues
	// about ten seconds and drops what does not fit.
	maxChunk = 8 * time.Second
	// pad is the audio kept on each side of an utterance the endpointer found.
	pad = 200 * time.Millisecond
	// turnGap is the silence that ends an utterance: longer than a pause between words, about
	// the gap when the other person starts to speak.
	turnGap = 700 * time.Millisecond
)

// Decode reads a WAV file (8 or 16-bit PCM, any channel count up to 8, 4-192 kHz) as 16 kHz
// mono: channels averaged, 8, 24 and 48 kHz resampled with the media package's Resampler,
// other rates (11.025, 22.05, 32, 44.1 kHz...) by low-pass and linear interpolation.
func Decode(data []byte) ([]int16, error) {
	w, err := readWAV(data)
	if err != nil {
		return nil, err
	}
	return media.Convert(media.Downmix(w.Samples, w.Channels), w.Rate, media.Rate16k)
}

// DecodeSides reads a WAV file as Decode does, but a stereo file with a different voice on
// each channel (a call recorded one side per channel, as Spar records its calls: the learner
// left, the persona right) comes back as its two channels; any other file as one.
func DecodeSides(data []byte) ([][]int16, error) {
	w, err := readWAV(data)
	if err != nil {
		return nil, err
	}
	if w.Channels == 2 && sidesDiffer(w.Samples) {
		var out [][]int16
		for c := range 2 {
			ch := make([]int16, len(w.Samples)/2)
			for i := range ch {
				ch[i] = w.Samples[2*i+c]
			}
			pcm, err := media.Convert(ch, w.Rate, media.Rate16k)
			if err != nil {
				return nil, err
			}
			out = append(out, pcm)
		}
		return out, nil
	}
	pcm, err := media.Convert(media.Downmix(w.Samples, w.Channels), w.Rate, media.Rate16k)
	if err != nil {
		return nil, err
	}
	return [][]int16{pcm}, nil
}

// sidesDiffer: the two channels of interleaved stereo carry different signals (their
// difference holds over half their energy), not one mix on both.
func sidesDiffer(s []int16) bool {
	var diff, tot float64
	for i := 0; i+1 < len(s); i += 2 {
		l, r := float64(s[i]), float64(s[i+1])
		diff += (l - r) * (l - r)
		tot += l*l + r*r
	}
	return tot > 0 && diff > 0.5*tot
}

func readWAV(data []byte) (media.WAV, error) {
	w, err := media.ReadWAV(bytes.NewReader(data))
	if err != nil {
		return w, err
	}
	switch {
	case w.Channels < 1 || w.Channels > 8:
		return w, fmt.Errorf("%d channels: want mono or stereo", w.Channels)
	case w.Rate < minRate || w.Rate > maxRate:
		return w, fmt.Errorf("%d Hz: want %d-%d Hz", w.Rate, minRate, maxRate)
	case len(w.Samples) == 0:
		return w, errors.New("no audio in the file")
	}
	return w, nil
}

// span is an utterance's samples [from, to).
type span struct{ from, to int }

// utterances finds the utterances in 16 kHz audio with the media package's endpointer, each
// padded a little on both sides.
func utterances(pcm []int16) []span {
	var out []span
	start := -1
	cfg := media.DefaultVADConfig()
	cfg.Hangover = turnGap
	ep := media.NewEndpointer(cfg, media.Rate16k, func(e media.VADEvent) {
		at := media.Samples(media.Rate16k, e.At)
		switch e.Kind {
		case media.SpeechStart:
			start = at
		case media.SpeechStop:
			if start >= 0 {
				out = append(out, span{start, at})
			}
			start = -1
		}
	})
	frame := media.Samples(media.Rate16k, media.FrameDuration)
	for i := 0; i < len(pcm); i += frame {
		_ = ep.WriteSample(pcm[i:min(i+frame, len(pcm))])
	}
	if start >= 0 { // the recording ends mid-utterance
		out = append(out, span{start, len(pcm)})
	}
	p := media.Samples(media.Rate16k, pad)
	for i := range out {
		out[i].from = max(0, out[i].from-p)
		out[i].to = min(len(pcm), out[i].to+p)
	}
	return out
}

// Line is one recognized utterance and the channel it was heard on.
type Line struct {
	Side int // the channel: 0 left (or mono), 1 right
	Text string
}

// Transcribe recognizes each utterance of 16 kHz audio (one or two sides of a call) with stt,
// in the order they start, and returns the non-empty finals. It writes one utterance (at
// most maxChunk of it) at a time and waits for its final before the next, so the
// recognizer's queue never overflows.
func Transcribe(ctx context.Context, stt dialog.Transcriber, sides [][]int16) ([]Line, error) {
	type utt struct {
		side int
		span
	}
	var us []utt
	for i, pcm := range sides {
		for _, u := range utterances(pcm) {
			us = append(us, utt{i, u})
		}
	}
	slices.SortStableFunc(us, func(a, b utt) int { return a.from - b.from })
	st, err := stt.Stream(ctx, dialog.STTOptions{})
	if err != nil {
		return nil, fmt.Errorf("material: transcribe: %w", err)
	}
	defer st.Close()
	frame := media.Samples(media.Rate16k, media.FrameDuration)
	chunk := media.Samples(media.Rate16k, maxChunk)
	var lines []Line
	for _, u := range us {
		pcm := sides[u.side]
		var parts []string
		for from := u.from; from < u.to; from += chunk {
			end := min(from+chunk, u.to)
			for i := from; i < end; i += frame {
				if err := st.Write(pcm[i:min(i+frame, end)]); err != nil {
					return nil, fmt.Errorf("material: transcribe: %w", err)
				}
			}
			if err := st.Flush(); err != nil {
				return nil, fmt.Errorf("material: transcribe: %w", err)
			}
			text, err := final(ctx, st)
			if err != nil {
				return nil, err
			}
			if text = strings.TrimSpace(text); text != "" {
				parts = append(parts, text)
			}
		}
		if len(parts) > 0 {
			lines = append(lines, Line{Side: u.side, Text: strings.Join(parts, " ")})
		}
	}
	return lines, nil
}

// final waits for the next final transcript, skipping interims.
func final(ctx context.Context, st dialog.RecognizeStream) (string, error) {
	for {
		select {
		case <-ctx.Done():
			return "", ctx.Err()
		case tr, ok := <-st.Results():
			if !ok {
				return "", errors.New("material: transcribe: the recognizer stopped")
			}
			if tr.Final {
				return tr.Text, nil
			}
		}
	}
}
