package studio

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/sparlab/spar/dialog/scenario"
)

// liveTimeout bounds one catalog lookup in Redis.
const liveTimeout = 2 * time.Second

// Live returns the published studio scenarios as a scenario.Live, for the server's catalog:
// each lookup reads the published version numbers from Redis, so a publish on any node is
// seen by every node at its next lookup. Versions never change, so each is parsed once.
func (s *Studio) Live() scenario.Live { return live{s} }

type live struct{ s *Studio }

func (l live) Get(id string) (*scenario.Scenario, bool) {
	ctx, cancel := context.WithTimeout(context.Background(), liveTimeout)
	defer cancel()
	v, err := l.s.rdb.HGet(ctx, l.s.keys.Published(), id).Result()
	if err != nil {
		return nil, false
	}
	n, _ := strconv.Atoi(v)
	return l.s.parsed(ctx, id, n)
}

func (l live) List() []*scenario.Scenario {
	ctx, cancel := context.WithTimeout(context.Background(), liveTimeout)
	defer cancel()
	pub, err := l.s.rdb.HGetAll(ctx, l.s.keys.Published()).Result()
	if err != nil {
		l.s.log.Warn("studio: published scenarios unreadable", "err", err)
		return nil
	}
	var out []*scenario.Scenario
	for id, v := range pub {
		n, _ := strconv.Atoi(v)
		if sc, ok := l.s.parsed(ctx, id, n); ok {
			out = append(out, sc)
		}
	}
	slices.SortFunc(out, func(a, b *scenario.Scenario) int { return strings.Compare(a.ID, b.ID) })
	return out
}

// parsedCache holds parsed versions by "id@n".
type parsedCache struct{ m sync.Map }

// parsed returns version n of id as a scenario. Scenario returns the same.
func (s *Studio) parsed(ctx context.Context, id string, n int) (*scenario.Scenario, bool) {
	key := id + "@" + strconv.Itoa(n)
	if sc, ok := s.cache.m.Load(key); ok {
		return sc.(*scenario.Scenario), true
	}
	sc, err := s.Scenario(ctx, id, n)
	if err != nil {
		s.log.Warn("studio: published scenario unusable", "scenario", id, "version", n, "err", err)
		return nil, false
	}
	s.cache.m.Store(key, sc)
	return sc, true
}

// Scenario parses version n of id (0: latest) into a scenario ready for a call, its Version
// set.
func (s *Studio) Scenario(ctx context.Context, id string, n int) (*scenario.Scenario, error) {
	v, err := s.Get(ctx, id, n)
	if err != nil {
		return nil, err
	}
	sc, err := scenario.Parse(id+".yaml", []byte(v.YAML))
	if err == nil {
		err = sc.Validate()
	}
	if err != nil {
		return nil, err
	}
	sc.Version = v.N
	return sc, nil
}

// RubricFile returns the rubric saved with version n of id (0: latest), as saved.
func (s *Studio) RubricFile(ctx context.Context, id string, n int) ([]byte, error) {
	v, err := s.Get(ctx, id, n)
	if err != nil {
		return nil, err
	}
	return []byte(v.Rubric), nil
}
