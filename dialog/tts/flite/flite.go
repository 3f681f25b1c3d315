// Package flite speaks persona lines offline by running the flite binary (CMU Flite 2.2, voices
// slt, rms, awb, kal, kal16) or, for voices named "espeak:<voice>", espeak-ng. Each Synthesize
// call runs one short-lived process per sentence (about 5 ms of start-up), converts its output
// to 16 kHz mono, drops leading silence beyond 50 ms and writes 20 ms frames as they are read.
package flite

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"slices"
	"strings"
	"time"

	"github.com/sparlab/spar/dialog"
	"github.com/sparlab/spar/dialog/sentence"
	"github.com/sparlab/spar/media"
)

var _ dialog.Synthesizer = (*Synth)(nil)

// Synth is an offline Synthesizer. It is safe for concurrent use: each call runs its own
// processes.
type Synth struct {
	cfg    Config
	flite  string   // resolved flite path
	espeak string   // resolved espeak-ng path, "" when not installed
	voices []string // flite voices reported by `flite -lv`
}

// New finds the binaries and lists flite's voices. A missing flite is an error naming the
// Debian package; a missing espeak-ng only disables the "espeak:" voices.
func New(cfg Config) (*Synth, error) {
	cfg = cfg.withDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	s := &Synth{cfg: cfg}
	var err error
	if s.flite, err = exec.LookPath(cfg.Flite); err != nil {
		return nil, fmt.Errorf("flite: %w: %q not found (apt-get install flite): %v", ErrNotInstalled, cfg.Flite, err)
	}
	if p, err := exec.LookPath(cfg.Espeak); err == nil {
		s.espeak = p
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, s.flite, "-lv").Output()
	if err != nil {
		return nil, fmt.Errorf("flite: list voices: %w", err)
	}
	s.voices = parseFliteVoices(string(out))
	if len(s.voices) == 0 {
		return nil, fmt.Errorf("flite: list voices: %w: none in %q", ErrNotInstalled, out)
	}
	if _, err := s.resolve(cfg.DefaultVoice); err != nil {
		return nil, fmt.Errorf("flite: default voice: %w", err)
	}
	return s, nil
}

// Voices lists the flite voices installed and, when espeak-ng is installed, a few English
// espeak-ng voices; any espeak-ng voice name works after "espeak:" (`espeak-ng --voices`).
func (s *Synth) Voices() []string {
	v := slices.Clone(s.voices)
	if s.espeak != "" {
		v = append(v, "espeak:en-us", "espeak:en-us+f3", "espeak:en-gb")
	}
	return v
}

// command builds the process arguments for one sentence, without the context.
type command struct {
	path  string
	args  []string
	stdin string
}

// resolve checks voice and returns a function building the command for a piece of text.
func (s *Synth) resolve(voice string) (func(text string) command, error) {
	espeak, name, err := parseVoice(voice)
	if err != nil {
		return nil, err
	}
	if espeak {
		if s.espeak == "" {
			return nil, fmt.Errorf("%w: voice %q needs espeak-ng (apt-get install espeak-ng)", ErrNotInstalled, voice)
		}
		return func(text string) command {
			return command{path: s.espeak, args: []string{"--stdout", "--stdin", "-v", name}, stdin: text}
		}, nil
	}
	if !slices.Contains(s.voices, name) {
		return nil, fmt.Errorf("%w: %q (installed: %s)", ErrUnknownVoice, voice, strings.Join(s.Voices(), ", "))
	}
	return func(text string) command {
		return command{path: s.flite, args: []string{"-voice", name, "-t", text, "-o", "/dev/stdout"}}
	}, nil
}

// Synthesize speaks text with voice ("" for the default) and writes 16 kHz mono PCM to w in
// 20 ms frames (the last one padded with silence). It returns when all audio is written, w
// fails, or ctx ends; no process outlives the call.
func (s *Synth) Synthesize(ctx context.Context, text, voice string, w media.Writer) error {
	if voice == "" {
		voice = s.cfg.DefaultVoice
	}
	build, err := s.resolve(voice)
	if err != nil {
		return fmt.Errorf("flite: synthesize: %w", err)
	}
	espeak := strings.HasPrefix(voice, espeakPrefix)
	var parts []string
	if espeak {
		// espeak-ng streams sentence by sentence on its own.
		parts = []string{strings.TrimSpace(text)}
	} else {
		parts = sentence.Split(text) // flite renders a whole text before writing any: speak the first sentence sooner
	}
	f := media.NewFramer(w, frameSamples)
	t := &trimmer{next: f}
	for _, part := range parts {
		if part == "" {
			continue
		}
		if err := s.run(ctx, build(part), t); err != nil {
			return fmt.Errorf("flite: synthesize %q: %w", voice, err)
		}
	}
	if err := f.Flush(); err != nil {
		return fmt.Errorf("flite: synthesize %q: %w", voice, err)
	}
	return nil
}

// run executes one synthesis process and streams its WAV output into w at 16 kHz.
func (s *Synth) run(parent context.Context, c command, w media.Writer) error {
	ctx, cancel := context.WithCancel(parent)
	defer cancel()
	cmd := exec.CommandContext(ctx, c.path, c.args...)
	cmd.WaitDelay = time.Second
	if c.stdin != "" {
		cmd.Stdin = strings.NewReader(c.stdin)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &limited{buf: &stderr, n: 4096}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	serr := stream(bufio.NewReaderSize(stdout, 8192), w)
	if serr != nil {
		cancel() // we stopped reading (w failed): do not leave the process behind
	}
	werr := cmd.Wait()
	switch {
	case parent.Err() != nil:
		return parent.Err()
	case errors.Is(serr, ErrNoAudio):
		// espeak-ng says "voice does not exist" on stderr and exits 0.
		return fmt.Errorf("%w: %s", serr, strings.TrimSpace(stderr.String()))
	case serr != nil:
		return serr
	case werr != nil:
		return fmt.Errorf("%s: %w: %s", c.path, werr, strings.TrimSpace(stderr.String()))
	}
	return nil
}

// stream reads a WAV header then PCM until EOF, converting to 16 kHz on the way.
func stream(r io.Reader, w media.Writer) error {
	rate, err := readWAVHeader(r)
	if errors.Is(err, io.EOF) {
		return ErrNoAudio
	}
	if err != nil {
		return err
	}
	out, err := to16k(w, rate)
	if err != nil {
		return err
	}
	var raw [4096]byte
	var pcm [2048]int16
	carry := 0 // an odd byte left from the previous read sits in raw[0]
	for {
		n, rerr := r.Read(raw[carry:])
		n += carry
		k := n / 2
		for i := range k {
			pcm[i] = int16(binary.LittleEndian.Uint16(raw[2*i:]))
		}
		if k > 0 {
			if err := out.WriteSample(pcm[:k]); err != nil {
				return fmt.Errorf("write audio: %w", err)
			}
		}
		carry = n % 2
		if carry == 1 {
			raw[0] = raw[n-1]
		}
		if rerr == io.EOF {
			return nil
		}
		if rerr != nil {
			return fmt.Errorf("read audio: %w", rerr)
		}
	}
}

// limited keeps the first n bytes written to it and drops the rest.
type limited struct {
	buf *bytes.Buffer
	n   int
}

func (l *limited) Write(p []byte) (int, error) {
	if room := l.n - l.buf.Len(); room > 0 {
		l.buf.Write(p[:min(room, len(p))])
	}
	return len(p), nil
}
