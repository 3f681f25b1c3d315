package scoring

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"path"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/sparlab/spar/dialog/scenario"
)

// Rubric is how one scenario's calls are scored: weighted criteria and a pass mark. One file
// per scenario, configs/rubrics/<scenario-id>.yaml; docs/SCORING.md describes the format.
type Rubric struct {
	Scenario string      `yaml:"scenario"`
	Title    string      `yaml:"title"`
	PassMark float64     `yaml:"pass_mark"` // 0..100
	Criteria []Criterion `yaml:"criteria"`
}

// Criterion is one thing a trainer listens for. It grades behaviours the scenario defines
// (the persona reacts to the same definitions, so the two cannot drift apart): its score
// (0..1) is the mean of its parts, the behaviour credit and the weakest of its metric
// thresholds, minus penalties for anti-patterns.
type Criterion struct {
	ID          string  `yaml:"id"`
	Name        string  `yaml:"name"`
	Weight      float64 `yaml:"weight"`
	Description string  `yaml:"description"`
	Good        string  `yaml:"good"` // what good sounds like
	// Better are lines to try, for the scorecard ("a better line").
	Better []string `yaml:"better"`
	// Required criteria must hold (the mid band, see Holds) for the call to pass, whatever
	// the total.
	Required bool `yaml:"required"`
	// Behaviours are the scenario's behaviours that earn credit: Want distinct ones heard give
	// full credit. A criterion with behaviours earns nothing, metrics included, when none of
	// them was heard.
	Behaviours []string `yaml:"behaviours"`
	Want       int      `yaml:"want"`
	// Outcome criteria need the other side to take it up: a behaviour earns full credit only
	// from a line the persona's next line accepts ("Oh, thank goodness", "Thursday at two
	// works") or shows was done (ShownBy: "Forty, fifty calls a day"), half otherwise.
	Outcome bool `yaml:"outcome"`
	// Max caps helpful repetition: each positive line beyond Max costs half a Penalty
	// ("apologises once", not five times). 0: no cap.
	Max int `yaml:"max"`
	// AvoidBehaviours are anti-patterns: each learner line with one costs Penalty.
	AvoidBehaviours []string `yaml:"avoid_behaviours"`
	Penalty         float64  `yaml:"penalty"`
	// Metrics are thresholds on the call's metrics, each one part of the score.
	Metrics []Threshold `yaml:"metrics"`
}

// Threshold gives full credit at Full and none at Zero, linear in between. Full below Zero
// means lower is better (talk ratio, fillers); above, higher is better (questions).
type Threshold struct {
	Metric string  `yaml:"metric"` // a name from MetricNames
	Full   float64 `yaml:"full"`
	Zero   float64 `yaml:"zero"`
}

// Credit returns the credit (0..1) a metric value earns.
func (t Threshold) Credit(v float64) float64 {
	if t.Full == t.Zero {
		if v == t.Full {
			return 1
		}
		return 0
	}
	return clamp01((v - t.Zero) / (t.Full - t.Zero))
}

const (
	defaultPenalty = 0.35
	defaultWant    = 1
)

// ParseRubric decodes one rubric strictly (unknown keys are errors), applies defaults and
// compiles its phrases.
func ParseRubric(name string, data []byte) (*Rubric, error) {
	var r Rubric
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&r); err != nil && !errors.Is(err, io.EOF) {
		if strings.Contains(err.Error(), "field phrases") || strings.Contains(err.Error(), "field avoid ") {
			err = fmt.Errorf("%w (criteria name the scenario's behaviours with behaviours: and avoid_behaviours:, not phrases of their own)", err)
		}
		return nil, fmt.Errorf("%w: %s: %w", ErrInvalidRubric, name, err)
	}
	if err := r.prepare(); err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrInvalidRubric, name, err)
	}
	return &r, nil
}

// prepare validates the rubric, fills defaults and compiles phrases.
func (r *Rubric) prepare() error {
	var errs []error
	if r.Scenario == "" {
		errs = append(errs, errors.New("scenario is empty"))
	}
	if r.PassMark <= 0 || r.PassMark > 100 {
		errs = append(errs, fmt.Errorf("pass_mark %v is not in (0, 100]", r.PassMark))
	}
	if len(r.Criteria) == 0 {
		errs = append(errs, errors.New("no criteria"))
	}
	seen := map[string]bool{}
	for i := range r.Criteria {
		c := &r.Criteria[i]
		where := fmt.Sprintf("criteria[%d] %q", i, c.ID)
		switch {
		case c.ID == "" || c.Name == "":
			errs = append(errs, fmt.Errorf("%s: id and name are required", where))
		case seen[c.ID]:
			errs = append(errs, fmt.Errorf("%s: duplicate id", where))
		case c.Weight <= 0:
			errs = append(errs, fmt.Errorf("%s: weight %v is not positive", where, c.Weight))
		case len(c.Better) == 0:
			errs = append(errs, fmt.Errorf("%s: no better line", where))
		case c.Want < 0 || c.Max < 0 || c.Penalty < 0:
			errs = append(errs, fmt.Errorf("%s: want, max and penalty must not be negative", where))
		}
		seen[c.ID] = true
		if c.Want == 0 {
			c.Want = defaultWant
		}
		if c.Penalty == 0 {
			c.Penalty = defaultPenalty
		}
		if len(c.Behaviours)+len(c.AvoidBehaviours)+len(c.Metrics) == 0 {
			errs = append(errs, fmt.Errorf("%s: nothing to grade (behaviours, avoid_behaviours or metrics)", where))
		}
		if c.Outcome && len(c.Behaviours) == 0 {
			errs = append(errs, fmt.Errorf("%s: outcome needs behaviours", where))
		}
		if c.Want > len(c.Behaviours) && len(c.Behaviours) > 0 {
			errs = append(errs, fmt.Errorf("%s: want %d is more than its %d behaviours", where, c.Want, len(c.Behaviours)))
		}
		for _, t := range c.Metrics {
			if !knownMetric(t.Metric) {
				errs = append(errs, fmt.Errorf("%s: unknown metric %q (known: %s)", where, t.Metric, strings.Join(MetricNames(), ", ")))
			}
		}
	}
	return errors.Join(errs...)
}

// CheckScenario reports behaviours the rubric names that the scenario does not define.
func (r *Rubric) CheckScenario(sc *scenario.Scenario) error {
	var errs []error
	for _, c := range r.Criteria {
		for _, b := range append(append([]string{}, c.Behaviours...), c.AvoidBehaviours...) {
			if _, ok := sc.Behaviour(b); !ok {
				errs = append(errs, fmt.Errorf("%w: %s: criterion %q: scenario has no behaviour %q", ErrInvalidRubric, r.Scenario, c.ID, b))
			}
		}
	}
	return errors.Join(errs...)
}

// Check checks every rubric whose scenario is loaded against it: each behaviour a criterion
// names must be one the scenario defines.
func (rs *Rubrics) Check(cat Scenarios) error {
	var errs []error
	for _, id := range slices.Sorted(maps.Keys(rs.byScenario)) {
		if sc, ok := cat.Get(id); ok {
			errs = append(errs, rs.byScenario[id].CheckScenario(sc))
		}
	}
	return errors.Join(errs...)
}

// Rubrics are the loaded rubrics, by scenario id.
type Rubrics struct{ byScenario map[string]*Rubric }

// LoadRubrics parses every *.yaml file in dir. A file must be named <scenario>.yaml after the
// scenario it scores. Any problem fails the load.
func LoadRubrics(fsys fs.FS, dir string) (*Rubrics, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("scoring: load rubrics %s: %w", dir, err)
	}
	rs := &Rubrics{byScenario: map[string]*Rubric{}}
	var errs []error
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".yaml") {
			continue
		}
		name := path.Join(dir, e.Name())
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			errs = append(errs, fmt.Errorf("scoring: load rubrics: %w", err))
			continue
		}
		r, err := ParseRubric(name, data)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if want := strings.TrimSuffix(e.Name(), ".yaml"); r.Scenario != want {
			errs = append(errs, fmt.Errorf("%w: %s: scenario %q does not match the file name", ErrInvalidRubric, name, r.Scenario))
			continue
		}
		rs.byScenario[r.Scenario] = r
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return rs, nil
}

// Get returns the rubric of a scenario, or ErrNoRubric.
func (rs *Rubrics) Get(scenarioID string) (*Rubric, error) {
	r, ok := rs.byScenario[scenarioID]
	if !ok {
		return nil, fmt.Errorf("%w %q", ErrNoRubric, scenarioID)
	}
	return r, nil
}
