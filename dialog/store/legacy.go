package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/redis/go-redis/v9"
)

// layoutVersion is the key layout this code reads and writes. Layout 1 named the account,
// assignment and studio keys without hash tags ("spar:account:user:alice"); layout 2 puts
// each family under one tag ("spar:{account}:user:alice") so that their transactions run
// on Redis Cluster.
const layoutVersion = "2"

// layoutKey holds the key layout the data under the prefix is in (a string; absent before
// layout 2).
func (k keys) layout() string { return k.prefix + "layout" }

// legacyRename returns the layout 2 name of layout 1 key rest (the key without the prefix),
// and false for keys that kept their names.
func legacyRename(rest string) (string, bool) {
	switch {
	case strings.HasPrefix(rest, "account:"):
		return accountTag + strings.TrimPrefix(rest, "account:"), true
	case rest == "assignments":
		return assignmentTag + "all", true
	case strings.HasPrefix(rest, "assignments:"):
		return assignmentTag + strings.TrimPrefix(rest, "assignments:"), true
	case strings.HasPrefix(rest, "assignment:"):
		return assignmentTag + "id:" + strings.TrimPrefix(rest, "assignment:"), true
	case strings.HasPrefix(rest, "studio:"):
		return studioTag + strings.TrimPrefix(rest, "studio:"), true
	}
	return "", false
}

// legacyPatterns are the SCAN patterns (after the escaped prefix) that find layout 1 keys.
var legacyPatterns = []string{"account:*", "assignment*", "studio:*"}

// Migrate brings the keys under the store's prefix to the current layout. It moves the
// account, assignment and studio keys of layout 1 to their tagged names (keeping values and
// TTLs) and then records the layout, so later calls cost one GET. It is safe to run from
// several nodes at once (a key another node moved is skipped) and on a Redis Cluster (each
// master is scanned; keys are moved with DUMP and RESTORE, which cross slots). Nodes still
// running the old layout must be stopped first: they would keep writing the old names.
func (s *Store) Migrate(ctx context.Context) error {
	v, err := s.rdb.Get(ctx, s.keys.layout()).Result()
	if err != nil && !isNil(err) {
		return fmt.Errorf("store: migrate: %w", err)
	}
	if v == layoutVersion {
		return nil
	}
	var mu sync.Mutex
	moved := 0
	scan := func(ctx context.Context, node redis.Cmdable) error {
		for _, pat := range legacyPatterns {
			it := node.Scan(ctx, 0, globEscape(s.cfg.Prefix)+pat, 500).Iterator()
			for it.Next(ctx) {
				ok, err := s.moveLegacy(ctx, it.Val())
				if err != nil {
					return err
				}
				if ok {
					mu.Lock()
					moved++
					mu.Unlock()
				}
			}
			if err := it.Err(); err != nil {
				return err
			}
		}
		return nil
	}
	if c, ok := s.rdb.(*redis.ClusterClient); ok {
		err = c.ForEachMaster(ctx, func(ctx context.Context, m *redis.Client) error { return scan(ctx, m) })
	} else {
		err = scan(ctx, s.rdb)
	}
	if err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	if err := s.rdb.Set(ctx, s.keys.layout(), layoutVersion, 0).Err(); err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	if moved > 0 {
		s.log.Info("store: moved keys to the tagged layout", "keys", moved, "layout", layoutVersion)
	}
	return nil
}

// moveLegacy moves one layout 1 key to its layout 2 name. A key already gone (moved by
// another node) is skipped; a key whose new name exists already is dropped, since the new
// name is the one in use.
func (s *Store) moveLegacy(ctx context.Context, key string) (bool, error) {
	to, ok := legacyRename(strings.TrimPrefix(key, s.cfg.Prefix))
	if !ok || !strings.HasPrefix(key, s.cfg.Prefix) {
		return false, nil
	}
	to = s.cfg.Prefix + to
	data, err := s.rdb.Dump(ctx, key).Result()
	if isNil(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("dump %s: %w", key, err)
	}
	ttl, err := s.rdb.PTTL(ctx, key).Result()
	if err != nil {
		return false, fmt.Errorf("ttl of %s: %w", key, err)
	}
	switch {
	case ttl == -2: // expired meanwhile
		return false, nil
	case ttl < 0:
		ttl = 0
	}
	if err := s.rdb.Restore(ctx, to, ttl, data).Err(); err != nil && !isBusyKey(err) {
		return false, fmt.Errorf("restore %s as %s: %w", key, to, err)
	}
	if err := s.rdb.Del(ctx, key).Err(); err != nil {
		return false, fmt.Errorf("delete %s: %w", key, err)
	}
	return true, nil
}

func isBusyKey(err error) bool {
	var rerr redis.Error
	return errors.As(err, &rerr) && strings.HasPrefix(rerr.Error(), "BUSYKEY")
}

// globEscape escapes the SCAN MATCH special characters in s.
func globEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '*', '?', '[', ']', '\\':
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}
