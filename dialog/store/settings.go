package store

import (
	"context"
	"fmt"
	"strconv"
)

// RetentionField is the field of the settings hash (AccountKeys.Settings) holding how many
// days calls and recordings are kept; absent or 0 means forever.
const RetentionField = "retention_days"

// MaxRetentionDays is the longest retention period an admin may set (about ten years).
const MaxRetentionDays = 3650

// RetentionDays returns the retention period in days; 0 (also when never set) keeps calls
// forever.
func (s *Store) RetentionDays(ctx context.Context) (int, error) {
	v, err := s.rdb.HGet(ctx, s.AccountKeys().Settings(), RetentionField).Result()
	if isNil(err) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("store: read retention: %w", err)
	}
	days, err := strconv.Atoi(v)
	if err != nil || days < 0 || days > MaxRetentionDays {
		return 0, fmt.Errorf("store: read retention: %w: stored value %q", ErrInvalidRetention, v)
	}
	return days, nil
}

// SetRetentionDays sets the retention period: 1..MaxRetentionDays days, or 0 for forever.
// The sweeper reads it at each pass, so a change applies within the hour.
func (s *Store) SetRetentionDays(ctx context.Context, days int) error {
	if days < 0 || days > MaxRetentionDays {
		return fmt.Errorf("%w: %d days is outside 0..%d", ErrInvalidRetention, days, MaxRetentionDays)
	}
	if err := s.rdb.HSet(ctx, s.AccountKeys().Settings(), RetentionField, days).Err(); err != nil {
		return fmt.Errorf("store: set retention: %w", err)
	}
	return nil
}
