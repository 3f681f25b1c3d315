package storetest_test

import (
	"context"
	"testing"

	"github.com/sparlab/spar/dialog/store/storetest"
)

func TestRedisAnswers(t *testing.T) {
	rdb := storetest.Redis(t)
	ctx := context.Background()
	key := storetest.Prefix(t) + "k"
	if err := rdb.Set(ctx, key, "v", 0).Err(); err != nil {
		t.Fatalf("SET: %v", err)
	}
	got, err := rdb.Get(ctx, key).Result()
	if err != nil || got != "v" {
		t.Fatalf("GET = %q, %v; want v", got, err)
	}
}

func TestPrefixUnique(t *testing.T) {
	seen := map[string]bool{}
	for range 100 {
		p := storetest.Prefix(t)
		if seen[p] {
			t.Fatalf("prefix %q returned twice", p)
		}
		seen[p] = true
	}
}
