package store

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/sparlab/spar/telephony"
)

// A spill file keeps what one call could not write to Redis: its timeline entries and,
// if the call ended during the outage, its sealed record. It lives under Config.SpillDir as
// <call ID, path-escaped>.jsonl, one JSON object a line, append-only:
//
//	{"begin":{...}}             first line: the call's description
//	{"n":12,"id":"…-12","f":[…]} one timeline entry: its number, stream ID and fields
//	{"seal":{…Record…}}         last line, fsynced: the call ended
//
// Entries keep the stream IDs the writer gave them, so replaying a file twice, or one whose
// entries partly reached Redis, writes each event once. A file is removed once Redis holds
// all of it (the record included).
type spillLine struct {
	Begin  *spillBegin `json:"begin,omitempty"`
	N      int64       `json:"n,omitempty"`
	ID     string      `json:"id,omitempty"`
	Fields []string    `json:"f,omitempty"`
	Seal   *Record     `json:"seal,omitempty"`
}

// spillBegin describes the call, so that a file replays alone even when Begin never reached
// Redis.
type spillBegin struct {
	Info      telephony.Info `json:"info"`
	Recording string         `json:"recording,omitempty"`
	Node      string         `json:"node"`
	// Begun is true when Begin's keys were written to Redis; false when the call started
	// during an outage and replay must write them.
	Begun bool `json:"begun"`
}

// spillExt ends every spill file's name.
const spillExt = ".jsonl"

// spillPath is the file of call id under dir.
func spillPath(dir, id string) string { return filepath.Join(dir, url.PathEscape(id)+spillExt) }

// spillFile is one call's open spill file, written by the call's writer and then by Seal.
type spillFile struct {
	f    *os.File
	path string
	w    *bufio.Writer
}

// openSpill opens (creating it with its begin line if needed) the spill file of a call.
func openSpill(dir string, b spillBegin) (*spillFile, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("store: spill dir: %w", err)
	}
	path := spillPath(dir, b.Info.ID)
	f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o640)
	if err != nil {
		return nil, fmt.Errorf("store: open spill file: %w", err)
	}
	sf := &spillFile{f: f, path: path, w: bufio.NewWriter(f)}
	if st, err := f.Stat(); err == nil && st.Size() == 0 {
		if err := sf.write(spillLine{Begin: &b}); err != nil {
			f.Close()
			return nil, err
		}
	}
	return sf, nil
}

// write appends lines and hands them to the OS (no fsync: a killed process loses nothing,
// only a crash of the machine can).
func (sf *spillFile) write(lines ...spillLine) error {
	enc := json.NewEncoder(sf.w)
	for _, l := range lines {
		if err := enc.Encode(l); err != nil {
			return fmt.Errorf("store: write spill file: %w", err)
		}
	}
	if err := sf.w.Flush(); err != nil {
		return fmt.Errorf("store: write spill file: %w", err)
	}
	return nil
}

// entries appends timeline entries.
func (sf *spillFile) entries(es []entry) error {
	lines := make([]spillLine, len(es))
	for i, e := range es {
		f := make([]string, len(e.args))
		for j, a := range e.args {
			f[j], _ = a.(string)
		}
		lines[i] = spillLine{N: e.n, ID: e.id, Fields: f}
	}
	return sf.write(lines...)
}

// seal appends the sealed record and makes the file durable: the call is finished and
// Redis may stay away for a long time.
func (sf *spillFile) seal(rec *Record) error {
	if err := sf.write(spillLine{Seal: rec}); err != nil {
		return err
	}
	if err := sf.f.Sync(); err != nil {
		return fmt.Errorf("store: sync spill file: %w", err)
	}
	if d, err := os.Open(filepath.Dir(sf.path)); err == nil {
		_ = d.Sync() // the file's directory entry too
		d.Close()
	}
	return nil
}

func (sf *spillFile) close() error { return sf.f.Close() }

// remove closes and deletes the file: Redis holds all of it.
func (sf *spillFile) remove() error {
	sf.f.Close()
	return removeSpill(sf.path)
}

func removeSpill(path string) error {
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("store: remove spill file: %w", err)
	}
	return nil
}

// spilled is a spill file read back.
type spilled struct {
	path    string
	begin   spillBegin
	entries []entry
	seal    *Record
	modTime time.Time // the last write: about when a call that never sealed died
}

// readSpill reads a spill file. A last line cut short (the process was killed while writing
// it) is ignored; any other bad line is an error.
func readSpill(path string) (*spilled, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("store: read spill file: %w", err)
	}
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("store: read spill file: %w", err)
	}
	sp := &spilled{path: path, modTime: st.ModTime()}
	lines := strings.Split(string(data), "\n")
	haveBegin := false
	for i, raw := range lines {
		if raw == "" {
			continue
		}
		var l spillLine
		if err := json.Unmarshal([]byte(raw), &l); err != nil {
			if i == len(lines)-1 {
				break // torn last write
			}
			return nil, fmt.Errorf("store: spill file %s line %d: %w", path, i+1, err)
		}
		switch {
		case l.Begin != nil:
			sp.begin, haveBegin = *l.Begin, true
		case l.Seal != nil:
			sp.seal = l.Seal
		case l.ID != "":
			args := make([]any, len(l.Fields))
			for j, f := range l.Fields {
				args[j] = f
			}
			sp.entries = append(sp.entries, entry{n: l.N, id: l.ID, args: args})
		}
	}
	if !haveBegin || sp.begin.Info.ID == "" {
		return nil, fmt.Errorf("store: spill file %s has no begin line", path)
	}
	return sp, nil
}

// spillFiles lists the spill files under dir (none when it does not exist).
func spillFiles(dir string) ([]string, error) {
	ents, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("store: list spill files: %w", err)
	}
	var out []string
	for _, e := range ents {
		if !e.IsDir() && strings.HasSuffix(e.Name(), spillExt) {
			out = append(out, filepath.Join(dir, e.Name()))
		}
	}
	return out, nil
}
