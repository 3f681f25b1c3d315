//go:build pocketsphinx

package sphinx

/*
#cgo pkg-config: pocketsphinx sphinxbase
#cgo LDFLAGS: -lm
#include <math.h>
#include <stdlib.h>
#include <stdio.h>
#include <pocketsphinx.h>
#include <sphinxbase/err.h>
#include <sphinxbase/ckd_alloc.h>
#include <sphinxbase/logmath.h>

// spar_init builds a config from argv (cmd_ln_init is variadic: cgo cannot call it).
static ps_decoder_t *spar_init(int argc, char **argv) {
	cmd_ln_t *cfg = cmd_ln_parse_r(NULL, ps_args(), argc, argv, TRUE);
	if (cfg == NULL) return NULL;
	ps_decoder_t *ps = ps_init(cfg);
	cmd_ln_free_r(cfg);
	return ps;
}

// spar_confidence is the mean posterior probability of the words on the best path of the
// utterance just ended, fillers and sentence markers left out, or -1 when there is none: no
// words, or a search that computes no posteriors (a JSGF grammar, or a lattice with a single
// path: both report a sentence posterior of exactly 1).
static double spar_confidence(ps_decoder_t *ps) {
	if (ps_get_prob(ps) == 0) return -1;
	logmath_t *lmath = ps_get_logmath(ps);
	int32 ascr, lscr, lback;
	double sum = 0;
	int n = 0;
	for (ps_seg_t *seg = ps_seg_iter(ps); seg != NULL; seg = ps_seg_next(seg)) {
		const char *w = ps_seg_word(seg);
		if (w[0] == '<' || w[0] == '[' || w[0] == '+') continue;
		sum += logmath_exp(lmath, ps_seg_prob(seg, &ascr, &lscr, &lback));
		n++;
	}
	return n == 0 ? -1 : sum / n;
}

// spar_last_word gives the posterior probability (-1 when the search computes none, as
// spar_confidence) and the length in frames of the last word of the utterance just ended,
// fillers and sentence markers left out; 0 when it has no word.
static int spar_last_word(ps_decoder_t *ps, double *post, int *frames) {
	logmath_t *lmath = ps_get_logmath(ps);
	int has_post = ps_get_prob(ps) != 0;
	int32 ascr, lscr, lback;
	int found = 0, sf, ef;
	for (ps_seg_t *seg = ps_seg_iter(ps); seg != NULL; seg = ps_seg_next(seg)) {
		const char *w = ps_seg_word(seg);
		if (w[0] == '<' || w[0] == '[' || w[0] == '+') continue;
		ps_seg_frames(seg, &sf, &ef);
		*frames = ef - sf + 1;
		*post = has_post ? logmath_exp(lmath, ps_seg_prob(seg, &ascr, &lscr, &lback)) : -1;
		found = 1;
	}
	return found;
}

// spar_set_adapted adds the search name: the LM of the search lmsearch interpolated with the
// ARPA model at path, weights 1-w and w. A set interpolates its models' scores, which carry
// the language weight lw (P^lw), so the weights it gets are raised to lw: it then scores
// ((1-w)P1)^lw + (w P2)^lw, the interpolation of probabilities it stands for wherever one
// model dominates (and within a factor 2^lw of it where the two agree).
// pocketsphinx wraps every search's LM in a set of one model; the general model is taken out
// of it, so the new set does not nest the old one. ngram_model_set_init and ps_set_lm take
// their own references: the ones this function got (reading the domain model, building the
// set) are released before it returns.
static int spar_set_adapted(ps_decoder_t *ps, const char *lmsearch, const char *name,
                            const char *path, double w) {
	ngram_model_t *lmset = ps_get_lm(ps, lmsearch);
	if (lmset == NULL) return -1;
	ngram_model_t *general = ngram_model_set_lookup(lmset, NULL);
	if (general == NULL) return -1;
	ngram_model_t *domain = ngram_model_read(ps_get_config(ps), path, NGRAM_ARPA, ps_get_logmath(ps));
	if (domain == NULL) return -1;
	ngram_model_t *models[2] = {general, domain};
	char *names[2] = {"general", "domain"};
	double lw = cmd_ln_float32_r(ps_get_config(ps), "-lw");
	float32 weights[2] = {pow(1 - w, lw), pow(w, lw)};
	ngram_model_t *set = ngram_model_set_init(ps_get_config(ps), models, names, weights, 2);
	ngram_model_free(domain);
	if (set == NULL) return -1;
	int rv = ps_set_lm(ps, name, set);
	ngram_model_free(set);
	return rv;
}

static int spar_in_dict(ps_decoder_t *ps, const char *w) {
	char *p = ps_lookup_word(ps, w);
	if (p == NULL) return 0;
	ckd_free(p);
	return 1;
}
*/
import "C"

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"
	"unsafe"

	"github.com/sparlab/spar/dialog"
)

// narrowbandCMN is the cepstral mean pocketsphinx converges to on 8 kHz mu-law speech
// upsampled to 16 kHz (flite voices through the phone path). With the model's wideband prior
// the first utterance of a fresh decoder on phone audio comes out as one word or nothing.
// It depends on the resampler's response near 4 kHz, so it is re-measured when that
// changes: the mean of the live CMN's updates ("Update to" in pocketsphinx's log) over the
// 20 learner lines of BenchmarkWER in awb then rms on one fresh LM decoder, measured with
// media's half-band filter (docs/BENCHMARKS.md).
const narrowbandCMN = "48,28,-27,60,-22,14,7,-20,11,-23,18,-3,-4"

// narrowbandFeatParams writes the model's feat.params with the phone prior into dir. It must
// be a file: pocketsphinx lets feat.params override -cmninit (and -upperf) given as arguments.
func narrowbandFeatParams(modelDir, dir string) (string, error) {
	b, err := os.ReadFile(filepath.Join(modelDir, "feat.params"))
	if err != nil {
		return "", err
	}
	var out []string
	for _, line := range strings.Split(string(b), "\n") {
		if !strings.HasPrefix(line, "-cmninit ") {
			out = append(out, line)
		}
	}
	out = append(out, "-cmninit "+narrowbandCMN, "")
	p := filepath.Join(dir, "feat.params")
	return p, os.WriteFile(p, []byte(strings.Join(out, "\n")), 0o644)
}

// maxGrammars is how many per-call grammars a decoder keeps compiled, maxAdapted how many
// adapted LMs: each of those holds a lexicon tree over the whole vocabulary, about 40 MB,
// and takes 0.35-0.5 s to build (docs/BENCHMARKS.md).
const (
	maxGrammars = 8
	maxAdapted  = 4
)

// quietOnce silences pocketsphinx's global logger before the first decoder logs its config.
var quietOnce sync.Once

// initMu makes decoders one at a time: ps_init sets the process-wide log file (-logfn),
// closing the one before, so two decoders made at once (two calls starting together, two
// labeled files heard in parallel) close the same file twice and corrupt the heap. Seen: one
// init failed and the next two hung.
var initMu sync.Mutex

// New loads the model once (the first wideband decoder) and returns a Recognizer whose
// decoders are created lazily up to cfg.PoolSize per band.
func New(cfg Config, log *slog.Logger) (*Recognizer, error) {
	cfg = cfg.withDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	for _, f := range []string{cfg.ModelDir, cfg.LM, cfg.Dict} {
		if _, err := os.Stat(f); err != nil {
			return nil, fmt.Errorf("sphinx: model: %w (apt-get install pocketsphinx-en-us)", err)
		}
	}
	dir, err := os.MkdirTemp("", "spar-sphinx-")
	if err != nil {
		return nil, fmt.Errorf("sphinx: %w", err)
	}
	featParams, err := narrowbandFeatParams(cfg.ModelDir, dir)
	if err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("sphinx: narrowband features: %w", err)
	}
	newDecoder := func(b band) (decoder, error) { return newPSDecoder(cfg, dir, featParams, b) }
	r := newRecognizer(cfg, log, newDecoder)
	r.cleanup = func() { os.RemoveAll(dir) }
	d, err := r.pool.get(context.Background(), wideband)
	if err != nil {
		r.Close()
		return nil, err
	}
	r.pool.put(wideband, d)
	return r, nil
}

// psDecoder wraps one ps_decoder_t.
type psDecoder struct {
	ps          *C.ps_decoder_t
	lmSearch    *C.char  // name of the LM search set up by ps_init
	grammars    []string // per-call searches built, oldest first
	current     string   // search in use, "" for the LM
	dir         string   // where adapt mode writes a domain model for pocketsphinx to read
	adaptWeight float64
}

func newPSDecoder(cfg Config, dir, featParams string, b band) (*psDecoder, error) {
	quietOnce.Do(func() { C.err_set_logfp(nil) })
	args := decoderArgs(cfg, featParams, b)
	argv := make([]*C.char, len(args))
	for i, a := range args {
		argv[i] = C.CString(a)
		defer C.free(unsafe.Pointer(argv[i]))
	}
	cargv := (**C.char)(C.malloc(C.size_t(len(argv)) * C.size_t(unsafe.Sizeof(argv[0]))))
	defer C.free(unsafe.Pointer(cargv))
	copy(unsafe.Slice(cargv, len(argv)), argv)
	initMu.Lock()
	ps := C.spar_init(C.int(len(argv)), cargv)
	initMu.Unlock()
	if ps == nil {
		return nil, fmt.Errorf("sphinx: init decoder (model %s)", cfg.ModelDir)
	}
	return &psDecoder{ps: ps, lmSearch: C.CString(C.GoString(C.ps_get_search(ps))), dir: dir, adaptWeight: cfg.AdaptWeight}, nil
}

func (d *psDecoder) use(g *grammar) error {
	if g == nil {
		if d.current != "" {
			if C.ps_set_search(d.ps, d.lmSearch) < 0 {
				return fmt.Errorf("sphinx: select language model")
			}
			d.current = ""
		}
		return nil
	}
	if d.current == g.key {
		return nil
	}
	key := C.CString(g.key)
	defer C.free(unsafe.Pointer(key))
	if !slices.Contains(d.grammars, g.key) {
		build := d.setJSGF
		if g.adapt {
			build = d.setAdapted
		}
		if err := build(key, g); err != nil {
			return fmt.Errorf("sphinx: %w", err)
		}
		d.grammars = append(d.grammars, g.key)
	}
	if C.ps_set_search(d.ps, key) < 0 {
		return fmt.Errorf("sphinx: select grammar %s", g.key)
	}
	d.current = g.key
	limit := maxGrammars
	if g.adapt {
		limit = maxAdapted
	}
	if len(d.grammars) > limit {
		old := C.CString(d.grammars[0])
		C.ps_unset_search(d.ps, old)
		C.free(unsafe.Pointer(old))
		d.grammars = d.grammars[1:]
	}
	return nil
}

func (d *psDecoder) setJSGF(key *C.char, g *grammar) error {
	text, err := g.jsgf(d.inDict)
	if err != nil {
		return err
	}
	ctext := C.CString(text)
	defer C.free(unsafe.Pointer(ctext))
	if C.ps_set_jsgf_string(d.ps, key, ctext) < 0 {
		return fmt.Errorf("compile grammar %s", g.key)
	}
	return nil
}

// setAdapted writes the phrases' trigram model where pocketsphinx can read it, and adds the
// search interpolating it with the LM. The file goes once read.
func (d *psDecoder) setAdapted(key *C.char, g *grammar) error {
	text := arpa(g.sentences(d.inDict))
	if text == "" {
		return fmt.Errorf("adapt: no phrase word is in the dictionary")
	}
	f, err := os.CreateTemp(d.dir, g.key+"-*.arpa")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if _, err := f.WriteString(text); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	path := C.CString(f.Name())
	defer C.free(unsafe.Pointer(path))
	if C.spar_set_adapted(d.ps, d.lmSearch, key, path, C.double(d.adaptWeight)) < 0 {
		return fmt.Errorf("adapt language model %s", g.key)
	}
	return nil
}

func (d *psDecoder) inDict(word string) bool {
	w := C.CString(word)
	defer C.free(unsafe.Pointer(w))
	return C.spar_in_dict(d.ps, w) != 0
}

func (d *psDecoder) start() error {
	if C.ps_start_utt(d.ps) < 0 {
		return fmt.Errorf("sphinx: start utterance")
	}
	return nil
}

func (d *psDecoder) process(p []int16) error {
	if len(p) == 0 {
		return nil
	}
	if C.ps_process_raw(d.ps, (*C.int16)(unsafe.Pointer(&p[0])), C.size_t(len(p)), 0, 0) < 0 {
		return fmt.Errorf("sphinx: process audio")
	}
	return nil
}

func (d *psDecoder) hyp() string {
	h := C.ps_get_hyp(d.ps, nil)
	if h == nil {
		return ""
	}
	return C.GoString(h)
}

func (d *psDecoder) end() (string, error) {
	if C.ps_end_utt(d.ps) < 0 {
		return "", fmt.Errorf("sphinx: end utterance")
	}
	return d.hyp(), nil
}

// confidence is the mean posterior of the ended utterance's words (docs/PROVIDERS.md), 0
// when the decoder gives none.
func (d *psDecoder) confidence() float64 {
	c := float64(C.spar_confidence(d.ps))
	if c < 0 {
		return 0
	}
	return dialog.ClampConfidence(c)
}

// lastWord is the posterior of the ended utterance's last word (-1 when the search gives
// none) and how long it lasts; ok is false when the utterance has no word.
func (d *psDecoder) lastWord() (post float64, dur time.Duration, ok bool) {
	var p C.double
	var frames C.int
	if C.spar_last_word(d.ps, &p, &frames) == 0 {
		return 0, 0, false
	}
	return float64(p), time.Duration(frames) * 10 * time.Millisecond, true // -frate 100
}

func (d *psDecoder) free() {
	C.ps_free(d.ps)
	C.free(unsafe.Pointer(d.lmSearch))
}
