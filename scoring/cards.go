package scoring

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/redis/go-redis/v9"

	"github.com/sparlab/spar/dialog/store"
)

// Cards reads and writes scorecards in Redis, one per call (store.ScorecardKey).
type Cards struct {
	rdb redis.UniversalClient
	st  *store.Store
}

// NewCards returns the scorecard store on rdb, with st's key layout.
func NewCards(rdb redis.UniversalClient, st *store.Store) *Cards { return &Cards{rdb: rdb, st: st} }

// Get returns call id's scorecard, or ErrNotScored.
func (c *Cards) Get(ctx context.Context, id string) (*Scorecard, error) {
	data, err := c.rdb.Get(ctx, c.st.ScorecardKey(id)).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, fmt.Errorf("scoring: scorecard %s: %w", id, ErrNotScored)
	}
	if err != nil {
		return nil, fmt.Errorf("scoring: scorecard %s: %w", id, err)
	}
	card := new(Scorecard)
	if err := json.Unmarshal(data, card); err != nil {
		return nil, fmt.Errorf("scoring: scorecard %s: decode: %w", id, err)
	}
	return card, nil
}

// Exists reports whether call id has a scorecard.
func (c *Cards) Exists(ctx context.Context, id string) (bool, error) {
	n, err := c.rdb.Exists(ctx, c.st.ScorecardKey(id)).Result()
	if err != nil {
		return false, fmt.Errorf("scoring: scorecard %s: %w", id, err)
	}
	return n > 0, nil
}

// Add stores card unless the call already has one (SET NX) and reports whether it did.
func (c *Cards) Add(ctx context.Context, card *Scorecard) (bool, error) {
	return c.set(ctx, card, true)
}

// Replace stores card over any earlier one (rescoring).
func (c *Cards) Replace(ctx context.Context, card *Scorecard) error {
	_, err := c.set(ctx, card, false)
	return err
}

func (c *Cards) set(ctx context.Context, card *Scorecard, onlyNew bool) (bool, error) {
	data, err := json.Marshal(card)
	if err != nil {
		return false, fmt.Errorf("scoring: store scorecard %s: encode: %w", card.CallID, err)
	}
	key := c.st.ScorecardKey(card.CallID)
	if !onlyNew {
		if err := c.rdb.Set(ctx, key, data, 0).Err(); err != nil {
			return false, fmt.Errorf("scoring: store scorecard %s: %w", card.CallID, err)
		}
		return true, nil
	}
	ok, err := c.rdb.SetNX(ctx, key, data, 0).Result()
	if err != nil {
		return false, fmt.Errorf("scoring: store scorecard %s: %w", card.CallID, err)
	}
	return ok, nil
}
