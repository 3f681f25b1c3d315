//go:build pocketsphinx

package sphinx

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sparlab/spar/configs"
	"github.com/sparlab/spar/dialog"
	"github.com/sparlab/spar/dialog/scenario"
	"github.com/sparlab/spar/dialog/tts/flite"
	"github.com/sparlab/spar/media"
)

// phoneHalves are the folders of the labeled set that get phone copies.
var phoneHalves = []string{"tune", "heldout"}

// phonePreRoll is the audio before speech onset the engine hands to recognition
// (dialog.DefaultConfig().PreRoll).
var phonePreRoll = dialog.DefaultConfig().PreRoll

// phoneJob is one labeled file to hear.
type phoneJob struct {
	half, path string
}

// phoneResult is what one file gave.
type phoneResult struct {
	voice       string
	learner     int     // learner lines
	words       int     // reference words in them
	errs        float64 // word errors (edit distance) over them
	empty       int     // lines heard as nothing
	out         []byte
	said, heard []string
	conf        []float64 // the recognizer's confidence in each heard line, 0 for none
}

// TestPhoneLabeled writes scoring/testdata/labeled/phone: see phone_labeled_test.go.
func TestPhoneLabeled(t *testing.T) {
	if !*phoneLabeled {
		t.Skip(phoneHowTo)
	}
	root := *phoneDir
	out := *phoneOut
	if out == "" {
		out = filepath.Join(root, "phone")
	}
	var jobs []phoneJob
	names := map[string]string{}
	for _, half := range phoneHalves {
		files, err := filepath.Glob(filepath.Join(root, half, *phoneFiles))
		if err != nil {
			t.Fatal(err)
		}
		slices.Sort(files)
		for _, f := range files {
			if !strings.HasSuffix(f, ".yaml") {
				continue
			}
			base := filepath.Base(f)
			if other, ok := names[base]; ok {
				t.Fatalf("%s and %s would both be phone/%s: rename one", other, filepath.Join(half, base), base)
			}
			names[base] = filepath.Join(half, base)
			jobs = append(jobs, phoneJob{half: half, path: f})
		}
	}
	if len(jobs) == 0 {
		t.Fatalf("no labeled files under %s/{%s} matching %q", root, strings.Join(phoneHalves, ","), *phoneFiles)
	}
	cat, err := scenario.Load(configs.Scenarios, "scenarios")
	if err != nil {
		t.Fatal(err)
	}
	synth, err := flite.New(flite.Config{})
	if err != nil {
		t.Fatalf("flite: %v", err)
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d labeled files under %s -> %s (learner voice %s, %d at once)", len(jobs), root, out, *phoneVoice, max(*phoneJobs, 1))

	start := time.Now()
	results := make([]*phoneResult, len(jobs))
	errs := make([]error, len(jobs))
	var (
		mu   sync.Mutex
		done int
		wg   sync.WaitGroup
	)
	next := make(chan int)
	for range max(*phoneJobs, 1) {
		wg.Go(func() {
			for i := range next {
				j := jobs[i]
				rel := filepath.Join(j.half, filepath.Base(j.path))
				r, err := hearLabeled(t.Context(), synth, cat, j, rel)
				if err == nil {
					err = os.WriteFile(filepath.Join(out, filepath.Base(j.path)), r.out, 0o644)
				}
				results[i], errs[i] = r, err
				mu.Lock()
				done++
				if err != nil {
					t.Errorf("file %d of %d: %s: %v", done, len(jobs), rel, err)
				} else {
					t.Logf("file %d of %d: %s (voice %s): %d learner lines, %d words, %d heard as nothing, WER %.1f %%",
						done, len(jobs), rel, r.voice, r.learner, r.words, r.empty, 100*ratio(r.errs, r.words))
					if *phoneShow {
						for k := range r.said {
							t.Logf("    said  %q\n    heard %q", r.said[k], r.heard[k])
						}
					}
				}
				mu.Unlock()
			}
		})
	}
	for i := range jobs {
		next <- i
	}
	close(next)
	wg.Wait()

	if *phoneFiles == "*.yaml" {
		removeStalePhone(t, out, names)
	}
	type sum struct {
		files, lines, words, empty int
		errs                       float64
	}
	sums := map[string]*sum{"all": {}}
	for i, r := range results {
		if errs[i] != nil {
			continue
		}
		for _, k := range []string{jobs[i].half, "all"} {
			if sums[k] == nil {
				sums[k] = &sum{}
			}
			s := sums[k]
			s.files++
			s.lines += r.learner
			s.words += r.words
			s.empty += r.empty
			s.errs += r.errs
		}
	}
	for _, k := range phoneHalves {
		if s := sums[k]; s != nil && s.files > 0 {
			t.Logf("%-7s %3d files, %4d learner lines, %5d words, %3d heard as nothing: WER %.1f %%",
				k, s.files, s.lines, s.words, s.empty, 100*ratio(s.errs, s.words))
		}
	}
	t.Logf("overall WER %.1f %% over %d learner words in %d files (%v)", 100*ratio(sums["all"].errs, sums["all"].words),
		sums["all"].words, sums["all"].files, time.Since(start).Round(time.Second))
}

func ratio(errs float64, words int) float64 {
	if words == 0 {
		return 0
	}
	return errs / float64(words)
}

// removeStalePhone removes generated copies whose original is gone.
func removeStalePhone(t *testing.T, out string, names map[string]string) {
	files, _ := filepath.Glob(filepath.Join(out, "*.yaml"))
	for _, f := range files {
		if _, ok := names[filepath.Base(f)]; ok {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil || !strings.HasPrefix(string(b), phoneHeader) {
			continue
		}
		if err := os.Remove(f); err != nil {
			t.Error(err)
			continue
		}
		t.Logf("removed %s: its original is gone", f)
	}
}

// learnerVoice is the voice a learner speaks with in a scenario: the chosen one, or the first
// of rms, awb, kal the persona does not speak with.
func learnerVoice(personaVoice string) string {
	if *phoneVoice != personaVoice {
		return *phoneVoice
	}
	for _, v := range []string{"rms", "awb", "kal"} {
		if v != personaVoice {
			return v
		}
	}
	return *phoneVoice
}

// hearLabeled makes the phone copy of one labeled file.
func hearLabeled(ctx context.Context, synth *flite.Synth, cat *scenario.Catalog, j phoneJob, rel string) (*phoneResult, error) {
	src, err := os.ReadFile(j.path)
	if err != nil {
		return nil, err
	}
	f, err := parseLabeled(src)
	if err != nil {
		return nil, err
	}
	sc, ok := cat.Get(f.scenario)
	if !ok {
		return nil, fmt.Errorf("unknown scenario %q", f.scenario)
	}
	r := &phoneResult{voice: learnerVoice(sc.Persona.Voice)}
	// A fresh recognizer per file: decoders adapt to what they heard, so sharing them would
	// make a file's result depend on the files heard before it.
	// -sphinx-args (one setting) replaces the decoders' argument of the same name, to see
	// what a setting does to whole calls' words and scores.
	rec, err := New(Config{PoolSize: 1, Mode: *phoneMode, AdaptWeight: *adaptWeight, args: oneSetting()}, nil)
	if err != nil {
		return nil, err
	}
	defer rec.Close()
	st, err := rec.Stream(ctx, dialog.STTOptions{Phrases: sc.Phrases(), Narrowband: true})
	if err != nil {
		return nil, err
	}
	defer st.Close()
	pre := make([]int16, int(phonePreRoll.Seconds()*16000))
	post := make([]int16, int(sc.Turns.EndSilence.Seconds()*16000))
	for _, i := range f.learner() {
		said := f.lines[i].text
		heard, conf := "", 0.0
		if strings.TrimSpace(said) != "" {
			var speech samples
			if err := synth.Synthesize(ctx, said, r.voice, &speech); err != nil {
				return nil, err
			}
			audio, err := phonePath(slices.Concat(pre, speech, post))
			if err != nil {
				return nil, err
			}
			if heard, conf, err = hearUtterance(st, audio); err != nil {
				return nil, fmt.Errorf("line %q: %w", f.lines[i].prefix, err)
			}
		}
		n := len(strings.Fields(normalize(said)))
		r.learner++
		r.words += n
		r.errs += WER(said, heard) * float64(n)
		if n > 0 && strings.TrimSpace(heard) == "" {
			r.empty++
		}
		r.said, r.heard, r.conf = append(r.said, said), append(r.heard, heard), append(r.conf, conf)
	}
	r.out, err = phoneCopy(src, r.heard, r.conf, j.half, rel)
	return r, err
}

// hearUtterance writes one utterance to st in 20 ms frames, never faster than the decoder
// takes them, and returns its final transcript and the recognizer's confidence in it. A
// live call must never block on recognition, so the stream has no back-pressure and drops
// audio when its queue is full; this offline feeder, many times faster than real time, waits
// for the queue to drain instead, so that no timing can change what is heard.
func hearUtterance(st dialog.RecognizeStream, audio []int16) (string, float64, error) {
	s, _ := st.(*stream)
	for off := 0; off < len(audio); off += 320 {
		for s != nil && len(s.queue) >= queueFrames/2 {
			time.Sleep(time.Millisecond)
		}
		if err := st.Write(audio[off:min(off+320, len(audio))]); err != nil {
			return "", 0, err
		}
	}
	if s != nil && s.dropped.Load() > 0 {
		return "", 0, fmt.Errorf("%d writes dropped", s.dropped.Load())
	}
	if err := st.Flush(); err != nil {
		return "", 0, err
	}
	for tr := range st.Results() {
		if tr.Final {
			return tr.Text, tr.Confidence, nil
		}
	}
	return "", 0, fmt.Errorf("stream closed before the final transcript")
}

// phonePath sends 16 kHz audio the way a Twilio call carries it: down to 8 kHz and G.711
// mu-law (telephony/twilio's sink), then decoded and up to 16 kHz (its inbound side), with
// media's resampler and codec. phone() in the helpers wraps it for tests.
func phonePath(in []int16) ([]int16, error) {
	var out samples
	up, err := media.NewResampler(&out, media.Rate8k, media.Rate16k)
	if err != nil {
		return nil, err
	}
	var ulaw []byte
	var pcm []int16
	down, err := media.NewResampler(media.WriterFunc(func(p []int16) error {
		ulaw = media.EncodeMulaw(ulaw[:0], p)
		pcm = media.DecodeMulaw(pcm[:0], ulaw)
		return up.WriteSample(pcm)
	}), media.Rate16k, media.Rate8k)
	if err != nil {
		return nil, err
	}
	for off := 0; off < len(in); off += 320 {
		if err := down.WriteSample(in[off:min(off+320, len(in))]); err != nil {
			return nil, err
		}
	}
	return out, nil
}
