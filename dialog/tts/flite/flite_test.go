package flite

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sparlab/spar/dialog"
	"github.com/sparlab/spar/dialog/tts/cache"
	"github.com/sparlab/spar/media"
)

// capture records what Synthesize writes.
type capture struct {
	samples  []int16
	frames   int
	badSizes int
}

func (c *capture) WriteSample(p []int16) error {
	if len(p) != frameSamples {
		c.badSizes++
	}
	c.frames++
	c.samples = append(c.samples, p...)
	return nil
}

func newSynth(t testing.TB) *Synth {
	t.Helper()
	s, err := New(Config{})
	if err != nil {
		t.Skipf("flite not usable here: %v", err)
	}
	return s
}

func firstSound(p []int16) int {
	for i, s := range p {
		if s > silenceLevel || s < -silenceLevel {
			return i
		}
	}
	return -1
}

func TestSynthesizeEachVoice(t *testing.T) {
	s := newSynth(t)
	const text = "Thank you for calling, how can I help you today?"
	durs := map[string]time.Duration{}
	for _, voice := range s.Voices() {
		t.Run(voice, func(t *testing.T) {
			var c capture
			if err := s.Synthesize(t.Context(), text, voice, &c); err != nil {
				t.Fatal(err)
			}
			if c.badSizes != 0 {
				t.Errorf("%d of %d writes were not %d samples", c.badSizes, c.frames, frameSamples)
			}
			d := media.Duration(media.Rate16k, len(c.samples))
			durs[voice] = d
			if d < 500*time.Millisecond || d > 5*time.Second {
				t.Errorf("duration %v, want 0.5-5 s of 16 kHz audio", d)
			}
			if db := media.LevelDBFS(c.samples); db < -35 {
				t.Errorf("level %.1f dBFS: no speech energy", db)
			}
			if i := firstSound(c.samples); i < 0 || i > keepLead {
				t.Errorf("first sound at sample %d, want leading silence trimmed to <= %d", i, keepLead)
			}
		})
	}
	// kal is an 8 kHz voice: if it were not resampled it would last half as long as kal16.
	if k, k16 := durs["kal"], durs["kal16"]; k > 0 && k16 > 0 {
		if r := float64(k) / float64(k16); r < 0.7 || r > 1.4 {
			t.Errorf("kal lasts %v, kal16 %v: kal was not converted to 16 kHz", k, k16)
		}
	}
}

func TestSynthesizeSentencesInOrder(t *testing.T) {
	s := newSynth(t)
	var one, two capture
	if err := s.Synthesize(t.Context(), "I can help with that.", "slt", &one); err != nil {
		t.Fatal(err)
	}
	if err := s.Synthesize(t.Context(), "I can help with that. Let me check your account!", "slt", &two); err != nil {
		t.Fatal(err)
	}
	if len(two.samples) < len(one.samples)*3/2 {
		t.Errorf("two sentences gave %d samples, one gave %d", len(two.samples), len(one.samples))
	}
}

func TestSynthesizeEmptyText(t *testing.T) {
	s := newSynth(t)
	var c capture
	if err := s.Synthesize(t.Context(), "   ", "", &c); err != nil {
		t.Fatal(err)
	}
	if c.frames != 0 {
		t.Errorf("wrote %d frames for blank text", c.frames)
	}
}

func TestVoiceErrors(t *testing.T) {
	s := newSynth(t)
	cases := []struct {
		name, voice string
		want        error
	}{
		{"unknown flite voice", "nosuch", ErrUnknownVoice},
		{"path as voice", "../x", ErrUnknownVoice},
		{"option as voice", "-lv", ErrUnknownVoice},
		{"time-only voice", "awb_time", ErrUnknownVoice},
		{"empty espeak voice", "espeak:", ErrUnknownVoice},
	}
	if s.espeak != "" {
		cases = append(cases, struct {
			name, voice string
			want        error
		}{"unknown espeak voice", "espeak:nosuchvoice", ErrNoAudio})
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := s.Synthesize(t.Context(), "hello", tc.voice, media.Discard)
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
		})
	}
	err := s.Synthesize(t.Context(), "hello", "nosuch", media.Discard)
	if !strings.Contains(err.Error(), "slt") {
		t.Errorf("error %q does not list the voices", err)
	}
}

func TestNewMissingBinary(t *testing.T) {
	_, err := New(Config{Flite: "/nonexistent/flite"})
	if !errors.Is(err, ErrNotInstalled) || !strings.Contains(err.Error(), "apt-get install flite") {
		t.Fatalf("err = %v, want ErrNotInstalled naming the package", err)
	}
}

// writerFunc lets a test act on each frame.
type writerFunc func(p []int16) error

func (f writerFunc) WriteSample(p []int16) error { return f(p) }

func TestWriterErrorStopsSynthesis(t *testing.T) {
	s := newSynth(t)
	stop := errors.New("playout flushed")
	n := 0
	err := s.Synthesize(t.Context(), "One. Two. Three. Four. Five.", "slt", writerFunc(func([]int16) error {
		n++
		if n == 2 {
			return stop
		}
		return nil
	}))
	if !errors.Is(err, stop) {
		t.Fatalf("err = %v, want the writer's error", err)
	}
	if n != 2 {
		t.Errorf("%d writes after the writer failed at write 2", n)
	}
}

// TestCancelKillsProcess runs a stand-in flite that hangs after its first frame: cancelling
// must return the context error and leave no process behind.
func TestCancelKillsProcess(t *testing.T) {
	pidfile := filepath.Join(t.TempDir(), "pid")
	t.Setenv("HANGFLITE_PIDFILE", pidfile)
	s, err := New(Config{Flite: "testdata/hangflite.sh"})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	err = s.Synthesize(ctx, "hello", "slt", writerFunc(func([]int16) error {
		cancel()
		return nil
	}))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	b, err := os.ReadFile(pidfile)
	if err != nil {
		t.Fatal(err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(pid, 0); !errors.Is(err, syscall.ESRCH) {
		t.Errorf("process %d still exists after Synthesize returned (kill 0: %v)", pid, err)
	}
}

func TestCancelledBeforeStart(t *testing.T) {
	s := newSynth(t)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	var c capture
	if err := s.Synthesize(ctx, "hello there", "slt", &c); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

func TestConfigValidate(t *testing.T) {
	cases := []struct {
		name string
		cfg  Config
		ok   bool
	}{
		{"defaults", Config{}, true},
		{"espeak default voice", Config{DefaultVoice: "espeak:en-us+f3"}, true},
		{"bad voice", Config{DefaultVoice: "a/b"}, false},
		{"newline in path", Config{Flite: "fl\nite"}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.cfg.Validate(); (err == nil) != tc.ok {
				t.Errorf("Validate() = %v, want ok=%v", err, tc.ok)
			}
		})
	}
}

// BenchmarkSynthesize reports the time to the first 20 ms frame and to the end for a
// ten-word sentence.
func BenchmarkSynthesize(b *testing.B) {
	benchSynthesize(b, newSynth(b), "slt", "awb", "kal", "espeak:en-us")
}

// BenchmarkSynthesizeCached is the same sentence through the persona line cache that spar
// serve puts in front of every voice (dialog/tts/cache): after the first call it plays from
// memory.
func BenchmarkSynthesizeCached(b *testing.B) {
	benchSynthesize(b, cache.New(newSynth(b), 1<<20), "slt", "awb")
}

func benchSynthesize(b *testing.B, s dialog.Synthesizer, voices ...string) {
	const text = "I am so sorry you were charged twice this month."
	for _, voice := range voices {
		b.Run(voice, func(b *testing.B) {
			var first time.Duration
			for b.Loop() {
				start := time.Now()
				got := false
				err := s.Synthesize(b.Context(), text, voice, writerFunc(func([]int16) error {
					if !got {
						got = true
						first += time.Since(start)
					}
					return nil
				}))
				if err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(first.Microseconds())/1000/float64(b.N), "ms-first-frame")
		})
	}
}
