package sim

import (
	"errors"
	"fmt"
	"os"

	"github.com/sparlab/spar/media"
)

// recorder writes what the caller heard (mono) and both sides (stereo: caller left, heard
// right) to WAV files as the call runs, one 20 ms frame at a time.
type recorder struct {
	files  []*os.File
	mono   *media.WAVWriter
	stereo *media.WAVWriter
	inter  []int16 // reused interleaving buffer
	failed bool
}

// newRecorder opens the requested files; it returns nil when neither path is set.
func newRecorder(monoPath, stereoPath string) (*recorder, error) {
	if monoPath == "" && stereoPath == "" {
		return nil, nil
	}
	r := &recorder{}
	open := func(path string, channels int) (*media.WAVWriter, error) {
		f, err := os.Create(path)
		if err != nil {
			return nil, err
		}
		r.files = append(r.files, f)
		return media.NewWAVWriter(f, media.Rate8k, channels)
	}
	var err error
	if monoPath != "" {
		if r.mono, err = open(monoPath, 1); err != nil {
			return nil, fmt.Errorf("sim: record: %w", errors.Join(err, r.close()))
		}
	}
	if stereoPath != "" {
		if r.stereo, err = open(stereoPath, 2); err != nil {
			return nil, fmt.Errorf("sim: record stereo: %w", errors.Join(err, r.close()))
		}
	}
	return r, nil
}

// write records one frame: sent is the caller's audio, heard the persona's as played.
func (r *recorder) write(sent, heard []int16) error {
	if r.failed {
		return nil
	}
	if r.mono != nil {
		if err := r.mono.Write(heard); err != nil {
			return err
		}
	}
	if r.stereo != nil {
		r.inter = r.inter[:0]
		for i := range heard {
			r.inter = append(r.inter, sent[i], heard[i])
		}
		return r.stereo.Write(r.inter)
	}
	return nil
}

// fail stops recording after an error; the call goes on.
func (r *recorder) fail() { r.failed = true }

// close patches the WAV headers and closes the files.
func (r *recorder) close() error {
	var errs []error
	for _, w := range []*media.WAVWriter{r.mono, r.stereo} {
		if w != nil {
			errs = append(errs, w.Close())
		}
	}
	for _, f := range r.files {
		errs = append(errs, f.Close())
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("sim: close recording: %w", err)
	}
	return nil
}
