package studio

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/sparlab/spar/dialog/store"
)

// MaxYAML bounds one scenario or rubric file.
const MaxYAML = 256 << 10

// OriginImport is the origin of a scenario imported from YAML files.
const OriginImport = "import"

var idRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,63}$`)

// Files gives the YAML of the read-only scenarios (built-in or SPAR_SCENARIO_DIR), to
// duplicate them and to keep their IDs out of the studio.
type Files interface {
	Source(id string) (scenarioYAML, rubricYAML []byte, ok bool)
}

// Version is one saved state of a studio scenario. It never changes once written.
type Version struct {
	Scenario string    `json:"scenario"` // the scenario ID
	N        int       `json:"n"`        // 1, 2, ...
	YAML     string    `json:"yaml"`     // the scenario file, as saved
	Rubric   string    `json:"rubric"`   // the rubric file, as saved
	Author   string    `json:"author"`   // account ID
	At       time.Time `json:"at"`
	Note     string    `json:"note,omitempty"` // "duplicated from double-charge", "imported", ...
	Problems []Problem `json:"problems,omitempty"`
	// Facts are the persona facts a draft from material took, each with the sentence of the
	// material it came from (the first version of a drafted scenario only).
	Facts []Fact `json:"facts,omitempty"`
}

// Fact is one persona fact and the sentence of the material it came from.
type Fact struct {
	Text   string `json:"text"`
	Source string `json:"source"`
}

// Entry describes one studio scenario for lists.
type Entry struct {
	ID        string    `json:"id"`
	Title     string    `json:"title"` // of the latest version
	Latest    int       `json:"latest"`
	Published int       `json:"published"` // 0: a draft only
	Origin    string    `json:"origin"`
	Author    string    `json:"author"` // who created it
	Created   time.Time `json:"created"`
	Updated   time.Time `json:"updated"` // the latest version's time
	// Problems are the latest version's lint problems.
	Problems int `json:"problems"`
}

// Studio stores studio scenarios in Redis.
type Studio struct {
	rdb   redis.UniversalClient
	keys  store.StudioKeys
	files Files
	lint  Linter
	now   func() time.Time
	log   *slog.Logger
	cache parsedCache
}

// New returns a Studio. files may be nil (no file scenarios); now nil is time.Now.
func New(rdb redis.UniversalClient, keys store.StudioKeys, files Files, lint Linter, now func() time.Time, log *slog.Logger) *Studio {
	if now == nil {
		now = time.Now
	}
	return &Studio{rdb: rdb, keys: keys, files: files, lint: lint, now: now, log: log}
}

func (s *Studio) isFile(id string) bool {
	if s.files == nil {
		return false
	}
	_, _, ok := s.files.Source(id)
	return ok
}

// IsFile reports whether id names a read-only file scenario.
func (s *Studio) IsFile(id string) bool { return s.isFile(id) }

// Duplicate makes studio scenario newID from file or studio scenario from (its latest
// version), with the IDs in both files changed and " (copy)" after the title.
func (s *Studio) Duplicate(ctx context.Context, from, newID, author string) (*Version, error) {
	scen, rub, ok := []byte(nil), []byte(nil), false
	if s.files != nil {
		scen, rub, ok = s.files.Source(from)
	}
	if !ok {
		v, err := s.Get(ctx, from, 0)
		if err != nil {
			return nil, err
		}
		scen, rub = []byte(v.YAML), []byte(v.Rubric)
	}
	title, _ := Fields(scen, rub)
	scen, err := SetFields(scen, map[string]string{"id": newID, "title": title["title"] + " (copy)"})
	if err != nil {
		return nil, fmt.Errorf("studio: duplicate %s: %w", from, err)
	}
	if rub, err = SetFields(rub, map[string]string{"scenario": newID}); err != nil {
		return nil, fmt.Errorf("studio: duplicate %s: rubric: %w", from, err)
	}
	return s.create(ctx, newID, scen, rub, author, from, "duplicated from "+from, nil)
}

// Import makes a studio scenario from a scenario file and its rubric, kept byte for byte;
// the ID is the scenario file's id.
func (s *Studio) Import(ctx context.Context, scen, rub []byte, author string) (*Version, error) {
	f, _ := Fields(scen, nil)
	return s.create(ctx, f["id"], scen, rub, author, OriginImport, "imported", nil)
}

// Create makes studio scenario id from a scenario file and its rubric (a draft made from
// material, say); origin and note say where it came from, facts what it took from the
// material (kept with the first version).
func (s *Studio) Create(ctx context.Context, id string, scen, rub []byte, author, origin, note string, facts []Fact) (*Version, error) {
	return s.create(ctx, id, scen, rub, author, origin, note, facts)
}

func (s *Studio) create(ctx context.Context, id string, scen, rub []byte, author, origin, note string, facts []Fact) (*Version, error) {
	if !idRE.MatchString(id) {
		return nil, fmt.Errorf("%w: id %q: use 1-64 lower-case letters, digits and dashes", ErrInvalidID, id)
	}
	if s.isFile(id) {
		return nil, fmt.Errorf("%w: id %q is a built-in or directory scenario", ErrExists, id)
	}
	if err := checkSize(scen, rub); err != nil {
		return nil, err
	}
	now := s.now()
	ok, err := s.rdb.HSetNX(ctx, s.keys.Scenario(id), "created", now.UnixMilli()).Result()
	if err != nil {
		return nil, fmt.Errorf("studio: create %s: %w", id, err)
	}
	if !ok {
		return nil, fmt.Errorf("%w: id %q", ErrExists, id)
	}
	_, err = s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		p.HSet(ctx, s.keys.Scenario(id), "author", author, "origin", origin)
		p.ZAdd(ctx, s.keys.Scenarios(), redis.Z{Score: float64(now.UnixMilli()), Member: id})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("studio: create %s: %w", id, err)
	}
	return s.save(ctx, id, scen, rub, author, note, facts)
}

func checkSize(scen, rub []byte) error {
	if len(scen) > MaxYAML || len(rub) > MaxYAML {
		return fmt.Errorf("%w: at most %d KiB each", ErrTooLarge, MaxYAML>>10)
	}
	return nil
}

// Save stores a new version of studio scenario id, linted, and returns it. A version with
// problems is stored all the same: only publishing needs a clean one.
func (s *Studio) Save(ctx context.Context, id string, scen, rub []byte, author, note string) (*Version, error) {
	return s.save(ctx, id, scen, rub, author, note, nil)
}

func (s *Studio) save(ctx context.Context, id string, scen, rub []byte, author, note string, facts []Fact) (*Version, error) {
	if s.isFile(id) {
		return nil, fmt.Errorf("%w: %s", ErrReadOnly, id)
	}
	if err := checkSize(scen, rub); err != nil {
		return nil, err
	}
	n, err := s.rdb.Exists(ctx, s.keys.Scenario(id)).Result()
	if err != nil {
		return nil, fmt.Errorf("studio: save %s: %w", id, err)
	}
	if n == 0 {
		return nil, fmt.Errorf("%w: %s", ErrNotFound, id)
	}
	v := &Version{Scenario: id, YAML: string(scen), Rubric: string(rub), Author: author,
		At: s.now(), Note: note, Problems: s.lint.Lint(id, scen, rub), Facts: facts}
	num, err := s.rdb.HIncrBy(ctx, s.keys.Scenario(id), "latest", 1).Result()
	if err != nil {
		return nil, fmt.Errorf("studio: save %s: %w", id, err)
	}
	v.N = int(num)
	data, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("studio: save %s: %w", id, err)
	}
	if err := s.rdb.SetNX(ctx, s.keys.Version(id, v.N), data, 0).Err(); err != nil {
		return nil, fmt.Errorf("studio: save %s: %w", id, err)
	}
	return v, nil
}

// Publish makes version n of id the one learners see. A version with lint problems is
// refused with ErrProblems.
func (s *Studio) Publish(ctx context.Context, id string, n int) error {
	v, err := s.Get(ctx, id, n)
	if err != nil {
		return err
	}
	if len(v.Problems) > 0 {
		return fmt.Errorf("%w: %s version %d has %d; the first: %s", ErrProblems, id, v.N, len(v.Problems), v.Problems[0])
	}
	_, err = s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.HSet(ctx, s.keys.Scenario(id), "published", v.N)
		p.HSet(ctx, s.keys.Published(), id, v.N)
		return nil
	})
	if err != nil {
		return fmt.Errorf("studio: publish %s: %w", id, err)
	}
	return nil
}

// Get returns version n of id; n 0 is the latest.
func (s *Studio) Get(ctx context.Context, id string, n int) (*Version, error) {
	if n == 0 {
		e, err := s.Entry(ctx, id)
		if err != nil {
			return nil, err
		}
		n = e.Latest
	}
	data, err := s.rdb.Get(ctx, s.keys.Version(id, n)).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, fmt.Errorf("%w: %s version %d", ErrNotFound, id, n)
	}
	if err != nil {
		return nil, fmt.Errorf("studio: get %s: %w", id, err)
	}
	var v Version
	if err := json.Unmarshal(data, &v); err != nil {
		return nil, fmt.Errorf("studio: get %s version %d: %w", id, n, err)
	}
	return &v, nil
}

// Entry returns the description of studio scenario id.
func (s *Studio) Entry(ctx context.Context, id string) (*Entry, error) {
	es, err := s.entries(ctx, []string{id})
	if err != nil {
		return nil, err
	}
	return es[0], nil
}

// List returns every studio scenario, oldest first.
func (s *Studio) List(ctx context.Context) ([]*Entry, error) {
	ids, err := s.rdb.ZRange(ctx, s.keys.Scenarios(), 0, -1).Result()
	if err != nil {
		return nil, fmt.Errorf("studio: list: %w", err)
	}
	return s.entries(ctx, ids)
}

func (s *Studio) entries(ctx context.Context, ids []string) ([]*Entry, error) {
	hs := make([]*redis.MapStringStringCmd, len(ids))
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, id := range ids {
			hs[i] = p.HGetAll(ctx, s.keys.Scenario(id))
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("studio: list: %w", err)
	}
	out := make([]*Entry, 0, len(ids))
	for i, id := range ids {
		h := hs[i].Val()
		if len(h) == 0 {
			return nil, fmt.Errorf("%w: %s", ErrNotFound, id)
		}
		e := &Entry{ID: id, Origin: h["origin"], Author: h["author"]}
		e.Latest, _ = strconv.Atoi(h["latest"])
		e.Published, _ = strconv.Atoi(h["published"])
		ms, _ := strconv.ParseInt(h["created"], 10, 64)
		e.Created = time.UnixMilli(ms)
		if e.Latest > 0 {
			v, err := s.Get(ctx, id, e.Latest)
			if err != nil {
				return nil, err
			}
			f, _ := Fields([]byte(v.YAML), nil)
			e.Title, e.Updated, e.Problems = f["title"], v.At, len(v.Problems)
		}
		out = append(out, e)
	}
	return out, nil
}

// History returns every version of id, newest first.
func (s *Studio) History(ctx context.Context, id string) ([]*Version, error) {
	e, err := s.Entry(ctx, id)
	if err != nil {
		return nil, err
	}
	out := make([]*Version, 0, e.Latest)
	for n := e.Latest; n >= 1; n-- {
		v, err := s.Get(ctx, id, n)
		if errors.Is(err, ErrNotFound) {
			continue // a save that failed between numbering and writing
		}
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// Lint returns the problems of a draft of scenario id, as Save would record them.
func (s *Studio) Lint(id string, scen, rub []byte) []Problem { return s.lint.Lint(id, scen, rub) }
