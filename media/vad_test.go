package media

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// signal builds test audio at a rate from segments of tone, noise, speech-like sound and silence.
type signal struct {
	rate int
	p    []int16
	rng  *rand.Rand
}

func newSignal(rate int) *signal {
	return &signal{rate: rate, rng: rand.New(rand.NewPCG(1, 2))}
}

// amp converts an RMS level in dBFS to a peak amplitude for a sine (or an RMS for noise).
func amp(dbfs float64) float64 { return 32768 * math.Pow(10, dbfs/20) }

func (s *signal) add(d time.Duration, f func(i int, t float64) float64) *signal {
	n := Samples(s.rate, d)
	for i := range n {
		v := f(i, float64(len(s.p))/float64(s.rate))
		s.p = append(s.p, int16(max(-32768, min(32767, math.Round(v)))))
	}
	return s
}

func (s *signal) silence(d time.Duration) *signal {
	return s.add(d, func(int, float64) float64 { return 0 })
}

func (s *signal) tone(d time.Duration, dbfs float64) *signal {
	a := amp(dbfs) * math.Sqrt2
	return s.add(d, func(_ int, t float64) float64 { return a * math.Sin(2*math.Pi*440*t) })
}

func (s *signal) noise(d time.Duration, dbfs float64) *signal {
	a := amp(dbfs)
	return s.add(d, func(int, float64) float64 { return a * s.rng.NormFloat64() })
}

// speech is noise amplitude-modulated at a syllable rate of 4 Hz (deep dips between
// syllables, never silent), mixed over background noise at bg dBFS.
func (s *signal) speech(d time.Duration, dbfs, bg float64) *signal {
	a, b := amp(dbfs), amp(bg)
	return s.add(d, func(i int, t float64) float64 {
		env := 0.15 + 0.85*math.Abs(math.Sin(2*math.Pi*4*float64(i)/float64(s.rate)))
		return a*1.4*env*s.rng.NormFloat64() + b*s.rng.NormFloat64()
	})
}

// runVAD feeds p in frames of frame samples and returns the events with the media time at
// which each fired.
type firedEvent struct {
	VADEvent
	fired time.Duration
}

func runVAD(t *testing.T, cfg VADConfig, rate int, p []int16, frame int) ([]firedEvent, *Endpointer) {
	t.Helper()
	var got []firedEvent
	var e *Endpointer
	e = NewEndpointer(cfg, rate, func(ev VADEvent) { got = append(got, firedEvent{ev, e.Now()}) })
	for off := 0; off < len(p); off += frame {
		if err := e.WriteSample(p[off:min(off+frame, len(p))]); err != nil {
			t.Fatal(err)
		}
	}
	return got, e
}

const ms = time.Millisecond

func near(a, b, tol time.Duration) bool { return a-b <= tol && b-a <= tol }

func TestEndpointerEvents(t *testing.T) {
	type want struct {
		kind VADEventKind
		at   time.Duration
		dur  time.Duration // SpeechStop only
	}
	tests := []struct {
		name  string
		sig   *signal
		tol   time.Duration
		wants []want
	}{
		{
			name:  "tone burst",
			sig:   newSignal(16000).noise(500*ms, -70).tone(time.Second, -20).noise(1500*ms, -70),
			tol:   20 * ms,
			wants: []want{{SpeechStart, 500 * ms, 0}, {SpeechStop, 1500 * ms, time.Second}},
		},
		{
			name:  "click shorter than StartDuration is ignored",
			sig:   newSignal(16000).noise(300*ms, -70).tone(40*ms, -10).noise(time.Second, -70),
			wants: nil,
		},
		{
			name:  "quiet tone below MinLevel is not speech",
			sig:   newSignal(16000).silence(300*ms).tone(time.Second, -56).silence(time.Second),
			wants: nil,
		},
		{
			name: "words with short pauses stay one utterance",
			sig: newSignal(16000).noise(400*ms, -60).
				speech(600*ms, -22, -60).noise(250*ms, -60).
				speech(400*ms, -22, -60).noise(350*ms, -60).
				speech(500*ms, -22, -60).noise(time.Second, -60),
			tol:   40 * ms,
			wants: []want{{SpeechStart, 400 * ms, 0}, {SpeechStop, 2500 * ms, 2100 * ms}},
		},
		{
			name: "a long pause splits utterances",
			sig: newSignal(16000).noise(400*ms, -60).
				speech(500*ms, -22, -60).noise(900*ms, -60).
				speech(500*ms, -22, -60).noise(time.Second, -60),
			tol: 40 * ms,
			wants: []want{
				{SpeechStart, 400 * ms, 0}, {SpeechStop, 900 * ms, 500 * ms},
				{SpeechStart, 1800 * ms, 0}, {SpeechStop, 2300 * ms, 500 * ms},
			},
		},
		{
			name: "speech over steady background noise",
			sig: newSignal(16000).noise(2*time.Second, -42).
				speech(time.Second, -20, -42).noise(1500*ms, -42),
			tol:   40 * ms,
			wants: []want{{SpeechStart, 2000 * ms, 0}, {SpeechStop, 3000 * ms, time.Second}},
		},
	}
	for _, tt := range tests {
		for _, frame := range []int{320, 160, 7, 1000} {
			t.Run(fmt.Sprintf("%s/frame=%d", tt.name, frame), func(t *testing.T) {
				cfg := DefaultVADConfig()
				got, _ := runVAD(t, cfg, 16000, tt.sig.p, frame)
				if len(got) != len(tt.wants) {
					t.Fatalf("frame %d: got %d events %+v, want %d", frame, len(got), got, len(tt.wants))
				}
				for i, w := range tt.wants {
					g := got[i]
					if g.Kind != w.kind || !near(g.At, w.at, tt.tol) || (w.kind == SpeechStop && !near(g.Dur, w.dur, 2*tt.tol)) {
						t.Errorf("frame %d: event %d = %v at %v dur %v, want %v at %v dur %v",
							frame, i, g.Kind, g.At, g.Dur, w.kind, w.at, w.dur)
					}
					// Decisions fire exactly when they can: StartDuration after onset, Hangover after the end.
					wait := cfg.StartDuration
					if g.Kind == SpeechStop {
						wait = cfg.Hangover
					}
					if !near(g.fired-g.At, wait, 10*ms+Duration(16000, frame)) {
						t.Errorf("frame %d: %v at %v fired at %v, want %v later", frame, g.Kind, g.At, g.fired, wait)
					}
				}
			})
		}
	}
}

func TestEndpointerNoiseFloorAdapts(t *testing.T) {
	sig := newSignal(16000).silence(200*ms).noise(300*ms, -60).noise(3*time.Second, -54)
	got, e := runVAD(t, DefaultVADConfig(), 16000, sig.p, 320)
	if len(got) != 0 {
		t.Fatalf("noise taken for speech: %+v", got)
	}
	// Fast down, slow up makes the estimate ride the quieter frames: a little under the mean.
	t.Logf("floor %.1f", e.NoiseFloor())
	if f := e.NoiseFloor(); f < -56.5 || f > -53.5 {
		t.Errorf("noise floor %.1f dBFS after 3 s of -54 dBFS noise, want -56.5..-53.5", f)
	}
	// And back down quickly when the noise stops.
	_ = e.WriteSample(newSignal(16000).noise(100*ms, -75).p)
	if f := e.NoiseFloor(); f < -77.5 || f > -73.5 {
		t.Errorf("noise floor %.1f dBFS 100 ms into -75 dBFS noise, want about -75", f)
	}
	if e.Speaking() || e.SpeechFor() != 0 {
		t.Error("speaking in noise")
	}
	if l := e.Level(); math.Abs(l-(-75)) > 2 {
		t.Errorf("Level %.1f, want about -75", l)
	}
	if e.Now() != 3600*ms {
		t.Errorf("Now = %v, want 3.6s", e.Now())
	}
}

func TestEndpointerSetHangover(t *testing.T) {
	sig := newSignal(16000).noise(300*ms, -65).speech(400*ms, -20, -65).noise(700*ms, -65).
		speech(400*ms, -20, -65).noise(1500*ms, -65)
	t.Run("long hangover keeps a 700 ms pause inside the utterance", func(t *testing.T) {
		got, _ := runVAD(t, VADConfig{Hangover: time.Second}, 16000, sig.p, 320)
		if len(got) != 2 || !near(got[1].Dur, 1500*ms, 60*ms) {
			t.Fatalf("got %+v, want one 1.5 s utterance", got)
		}
	})
	t.Run("shortened mid-silence", func(t *testing.T) {
		var got []VADEvent
		e := NewEndpointer(DefaultVADConfig(), 16000, func(ev VADEvent) { got = append(got, ev) })
		_ = e.WriteSample(sig.p[:Samples(16000, 800*ms)]) // 100 ms into the pause
		if !e.Speaking() || !near(e.SpeechFor(), 500*ms, 30*ms) {
			t.Fatalf("Speaking %v SpeechFor %v, want speaking for ~500 ms", e.Speaking(), e.SpeechFor())
		}
		e.SetHangover(150 * ms)
		_ = e.WriteSample(sig.p[Samples(16000, 800*ms):Samples(16000, 900*ms)])
		if e.Speaking() || len(got) != 2 || got[1].Kind != SpeechStop || !near(got[1].At, 700*ms, 30*ms) {
			t.Fatalf("after SetHangover(150ms): speaking=%v events %+v", e.Speaking(), got)
		}
	})
}

// Phone audio: 8 kHz, through mu-law and the upsampler, must endpoint like the original.
func TestEndpointerPhoneAudio(t *testing.T) {
	sig := newSignal(8000).noise(500*ms, -55).speech(800*ms, -24, -55).noise(200*ms, -55).
		speech(600*ms, -24, -55).noise(time.Second, -55)
	var got []VADEvent
	e := NewEndpointer(DefaultVADConfig(), 16000, func(ev VADEvent) { got = append(got, ev) })
	r, err := NewResampler(e, 8000, 16000)
	if err != nil {
		t.Fatal(err)
	}
	var ulaw []byte
	var pcm []int16
	for off := 0; off < len(sig.p); off += 160 {
		ulaw = EncodeMulaw(ulaw, sig.p[off:off+160])
		pcm = DecodeMulaw(pcm, ulaw)
		if err := r.WriteSample(pcm); err != nil {
			t.Fatal(err)
		}
	}
	if len(got) != 2 || !near(got[0].At, 500*ms, 40*ms) || !near(got[1].At, 2100*ms, 40*ms) {
		t.Fatalf("events %+v, want one utterance 0.5 s .. 2.1 s", got)
	}
}

func TestEndpointerReset(t *testing.T) {
	sig := newSignal(16000).noise(200*ms, -70).tone(300*ms, -20)
	got, e := runVAD(t, DefaultVADConfig(), 16000, sig.p, 320)
	if len(got) != 1 || !e.Speaking() {
		t.Fatalf("want speaking, got %+v", got)
	}
	e.SetHangover(2 * time.Second)
	e.Reset()
	if e.Speaking() || e.Now() != 0 || e.SpeechFor() != 0 {
		t.Error("Reset kept state")
	}
	_ = e.WriteSample(newSignal(16000).noise(200*ms, -70).tone(300*ms, -20).noise(600*ms, -70).p)
	if e.Speaking() {
		t.Error("Reset did not restore the configured 500 ms hangover")
	}
}

func TestVADConfigValidate(t *testing.T) {
	tests := []struct {
		name string
		mod  func(*VADConfig)
		ok   bool
	}{
		{"defaults", func(*VADConfig) {}, true},
		{"zero value", func(c *VADConfig) { *c = VADConfig{} }, true},
		{"negative hangover", func(c *VADConfig) { c.Hangover = -time.Second }, false},
		{"huge start", func(c *VADConfig) { c.StartDuration = time.Minute }, false},
		{"negative snr", func(c *VADConfig) { c.MinSNR = -3 }, false},
		{"positive level", func(c *VADConfig) { c.MinLevel = 3 }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := DefaultVADConfig()
			tt.mod(&c)
			err := c.Validate()
			if (err == nil) != tt.ok || (err != nil && !errors.Is(err, ErrInvalidConfig)) {
				t.Errorf("Validate() = %v, want ok=%v", err, tt.ok)
			}
		})
	}
}

func TestLevelDBFS(t *testing.T) {
	tests := []struct {
		name string
		p    []int16
		want float64
	}{
		{"empty", nil, -120},
		{"silence", make([]int16, 160), -120},
		{"full-scale square", []int16{32767, -32768, 32767, -32768}, 0},
		{"full-scale sine", sine(16000, 1000, 32767, 1600), -3.01},
		{"-20 dB square", []int16{3277, -3277}, -20},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := LevelDBFS(tt.p); math.Abs(got-tt.want) > 0.05 {
				t.Errorf("LevelDBFS = %.2f, want %.2f", got, tt.want)
			}
		})
	}
}

func BenchmarkEndpointer20ms(b *testing.B) {
	sig := newSignal(16000).noise(time.Second, -60).speech(2*time.Second, -20, -60).noise(time.Second, -60)
	e := NewEndpointer(DefaultVADConfig(), 16000, func(VADEvent) {})
	frames := len(sig.p) / 320
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		off := (i % frames) * 320
		_ = e.WriteSample(sig.p[off : off+320])
		i++
	}
}

// A fan switched on mid-call looks like speech at first; it must not hold the floor forever.
func TestEndpointerNoiseStep(t *testing.T) {
	sig := newSignal(16000).noise(time.Second, -70).noise(8*time.Second, -38).
		speech(time.Second, -18, -38).noise(2*time.Second, -38)
	got, e := runVAD(t, DefaultVADConfig(), 16000, sig.p, 320)
	want := []struct {
		kind VADEventKind
		at   time.Duration
	}{
		{SpeechStart, time.Second}, {SpeechStop, 5 * time.Second}, // the noise, given up on
		{SpeechStart, 9 * time.Second}, {SpeechStop, 10 * time.Second}, // the speech over it
	}
	if len(got) != len(want) {
		t.Fatalf("events %+v, want %d", got, len(want))
	}
	for i, w := range want {
		if got[i].Kind != w.kind || !near(got[i].At, w.at, 60*ms) {
			t.Errorf("event %d = %v at %v, want %v at %v", i, got[i].Kind, got[i].At, w.kind, w.at)
		}
	}
	if f := e.NoiseFloor(); f < -42 || f > -36 {
		t.Errorf("noise floor %.1f, want about -38", f)
	}
}

// voicedSpan returns where p is above -45 dBFS in 10 ms frames: a plain reference that does not
// share the endpointer's logic.
func voicedSpan(p []int16, rate int) (first, last time.Duration) {
	n := rate / 100
	first = -1
	for i := 0; i+n <= len(p); i += n {
		if LevelDBFS(p[i:i+n]) > -45 {
			if first < 0 {
				first = Duration(rate, i)
			}
			last = Duration(rate, i+n)
		}
	}
	return first, last
}

func readTestWAV(t *testing.T, name string) WAV {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w, err := ReadWAV(f)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// Real synthetic speech (flite): each sentence, with its commas and short pauses between words,
// is one utterance; a second of silence splits sentences.
func TestEndpointerTTS(t *testing.T) {
	tests := []struct {
		file  string
		phone bool // 8 kHz through mu-law and the upsampler, as on a phone call
	}{
		{"tts_awb16k.wav", false},
		{"tts_kal8k.wav", true},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			w := readTestWAV(t, tt.file)
			sentence := w.Samples
			if tt.phone {
				var u []byte
				u = EncodeMulaw(u, sentence)
				up := &collector{}
				r, _ := NewResampler(up, w.Rate, 16000)
				_ = r.WriteSample(DecodeMulaw(nil, u))
				sentence = up.got
			}
			first, last := voicedSpan(sentence, 16000)
			gap := make([]int16, 16000)
			var call []int16
			call = append(call, gap[:4800]...)
			call = append(call, sentence...)
			call = append(call, gap...)
			second := Duration(16000, len(call))
			call = append(call, sentence...)
			call = append(call, gap...)

			got, _ := runVAD(t, DefaultVADConfig(), 16000, call, 320)
			t.Logf("voiced %v..%v; events %+v", first, last, got)
			if len(got) != 4 {
				t.Fatalf("events %+v, want two utterances", got)
			}
			for i, base := range []time.Duration{300 * ms, second} {
				start, stop := got[2*i], got[2*i+1]
				if start.Kind != SpeechStart || !near(start.At, base+first, 50*ms) {
					t.Errorf("utterance %d starts at %v, want %v", i, start.At, base+first)
				}
				if stop.Kind != SpeechStop || !near(stop.At, base+last, 80*ms) {
					t.Errorf("utterance %d stops at %v, want %v", i, stop.At, base+last)
				}
			}
		})
	}
}
