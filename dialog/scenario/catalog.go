package scenario

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"
)

// Catalog is the set of scenarios a server offers, keyed by id.
type Catalog struct {
	byID map[string]*Scenario
	list []*Scenario
	live Live // nil: files only
}

// Live is a source of scenarios that change while the server runs: the published versions of
// the console's studio scenarios, read from Redis on every lookup so every node sees a
// publish at once. Its ids never shadow a file's.
type Live interface {
	Get(id string) (*Scenario, bool)
	List() []*Scenario
}

// WithLive returns a catalog offering the files of c and, after them, the scenarios of l.
func (c *Catalog) WithLive(l Live) *Catalog {
	return &Catalog{byID: c.byID, list: c.list, live: l}
}

// Files returns the catalog without its live scenarios: the read-only ones loaded at start.
func (c *Catalog) Files() *Catalog { return &Catalog{byID: c.byID, list: c.list} }

// Load parses and validates every *.yaml file in dir. Any problem in any file fails the load,
// so a broken scenario is found at start-up, not mid-call.
func Load(fsys fs.FS, dir string) (*Catalog, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("scenario: load %s: %w", dir, err)
	}
	c := &Catalog{byID: map[string]*Scenario{}}
	var errs []error
	for _, e := range entries {
		if e.IsDir() || !isYAML(e.Name()) {
			continue
		}
		name := path.Join(dir, e.Name())
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			errs = append(errs, fmt.Errorf("scenario: load %s: %w", name, err))
			continue
		}
		s, err := Parse(name, data)
		if err == nil {
			err = s.Validate()
		}
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if prev, dup := c.byID[s.ID]; dup {
			errs = append(errs, fmt.Errorf("%w: %q in %s and %s", ErrDuplicateID, s.ID, prev.File(), name))
			continue
		}
		c.byID[s.ID] = s
		c.list = append(c.list, s)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	slices.SortFunc(c.list, func(a, b *Scenario) int { return strings.Compare(a.ID, b.ID) })
	return c, nil
}

// Get returns the scenario with this id.
func (c *Catalog) Get(id string) (*Scenario, bool) {
	if s, ok := c.byID[id]; ok || c.live == nil {
		return s, ok
	}
	return c.live.Get(id)
}

// List returns every scenario, sorted by id. The slice is the caller's.
func (c *Catalog) List() []*Scenario {
	if c.live == nil {
		return slices.Clone(c.list)
	}
	out := slices.Clone(c.list)
	for _, s := range c.live.List() {
		if _, file := c.byID[s.ID]; !file {
			out = append(out, s)
		}
	}
	slices.SortFunc(out, func(a, b *Scenario) int { return strings.Compare(a.ID, b.ID) })
	return out
}

// Title returns the title of the scenario with this id.
func (c *Catalog) Title(id string) (string, bool) {
	s, ok := c.Get(id)
	if !ok {
		return "", false
	}
	return s.Title, true
}
