package console

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/sparlab/spar/dialog/store"
)

// Comment is a trainer's note pinned to a moment of a call. The learner sees it.
type Comment struct {
	ID         string    `json:"id"`
	Author     string    `json:"author"`
	AuthorName string    `json:"author_name"`
	AtMS       int64     `json:"at_ms"`
	Text       string    `json:"text"`
	Created    time.Time `json:"created"`
	Edited     time.Time `json:"edited,omitzero"`
}

// Override is a trainer's score replacing the judge's, with the reason.
type Override struct {
	Score      int       `json:"score"`
	Pass       bool      `json:"pass"`
	Reason     string    `json:"reason"`
	Author     string    `json:"author"`
	AuthorName string    `json:"author_name"`
	At         time.Time `json:"at"`
}

// Disagreement is a learner's "I disagree" flag on a scorecard.
type Disagreement struct {
	Reason string    `json:"reason"`
	Author string    `json:"author"`
	At     time.Time `json:"at"`
}

// Feedback keeps comments, overrides and disagreements in Redis (store.FeedbackKeys).
type Feedback struct {
	rdb  redis.UniversalClient
	keys store.FeedbackKeys
	now  func() time.Time
}

// Comments returns call id's comments in time order.
func (f *Feedback) Comments(ctx context.Context, id string) ([]Comment, error) {
	m, err := f.rdb.HGetAll(ctx, f.keys.Comments(id)).Result()
	if err != nil {
		return nil, fmt.Errorf("console: comments of %s: %w", id, err)
	}
	out := make([]Comment, 0, len(m))
	for cid, v := range m {
		var c Comment
		if err := json.Unmarshal([]byte(v), &c); err != nil {
			return nil, fmt.Errorf("console: comment %s of %s: %w", cid, id, err)
		}
		out = append(out, c)
	}
	slices.SortFunc(out, func(a, b Comment) int {
		return cmp.Or(cmp.Compare(a.AtMS, b.AtMS), a.Created.Compare(b.Created))
	})
	return out, nil
}

// Comment returns one comment, or ErrNoComment.
func (f *Feedback) Comment(ctx context.Context, id, cid string) (*Comment, error) {
	v, err := f.rdb.HGet(ctx, f.keys.Comments(id), cid).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, ErrNoComment
	}
	if err != nil {
		return nil, fmt.Errorf("console: comment %s of %s: %w", cid, id, err)
	}
	c := new(Comment)
	if err := json.Unmarshal(v, c); err != nil {
		return nil, fmt.Errorf("console: comment %s of %s: %w", cid, id, err)
	}
	return c, nil
}

// PutComment stores c (new when c.ID is empty, which then gets an ID).
func (f *Feedback) PutComment(ctx context.Context, id string, c *Comment) error {
	now := f.now().UTC()
	if c.ID == "" {
		c.ID, c.Created = randomID(), now
	} else {
		c.Edited = now
	}
	data, err := json.Marshal(c)
	if err != nil {
		return fmt.Errorf("console: store comment: %w", err)
	}
	if err := f.rdb.HSet(ctx, f.keys.Comments(id), c.ID, data).Err(); err != nil {
		return fmt.Errorf("console: store comment on %s: %w", id, err)
	}
	return nil
}

// DeleteComment removes a comment, or returns ErrNoComment.
func (f *Feedback) DeleteComment(ctx context.Context, id, cid string) error {
	n, err := f.rdb.HDel(ctx, f.keys.Comments(id), cid).Result()
	if err != nil {
		return fmt.Errorf("console: delete comment on %s: %w", id, err)
	}
	if n == 0 {
		return ErrNoComment
	}
	return nil
}

// Override returns call id's override, or nil.
func (f *Feedback) Override(ctx context.Context, id string) (*Override, error) {
	o := new(Override)
	ok, err := f.getJSON(ctx, f.keys.Override(id), o)
	if !ok {
		o = nil
	}
	return o, err
}

// SetOverride stores o as call id's override.
func (f *Feedback) SetOverride(ctx context.Context, id string, o *Override) error {
	o.At = f.now().UTC()
	return f.setJSON(ctx, f.keys.Override(id), o)
}

// Disagreement returns call id's disagreement flag, or nil.
func (f *Feedback) Disagreement(ctx context.Context, id string) (*Disagreement, error) {
	d := new(Disagreement)
	ok, err := f.getJSON(ctx, f.keys.Disagree(id), d)
	if !ok {
		d = nil
	}
	return d, err
}

// SetDisagreement stores d as call id's flag.
func (f *Feedback) SetDisagreement(ctx context.Context, id string, d *Disagreement) error {
	d.At = f.now().UTC()
	return f.setJSON(ctx, f.keys.Disagree(id), d)
}

// clear deletes one feedback key (an override or a disagreement).
func (f *Feedback) clear(ctx context.Context, key string) error {
	if err := f.rdb.Del(ctx, key).Err(); err != nil {
		return fmt.Errorf("console: clear %s: %w", key, err)
	}
	return nil
}

func (f *Feedback) getJSON(ctx context.Context, key string, v any) (bool, error) {
	data, err := f.rdb.Get(ctx, key).Bytes()
	if errors.Is(err, redis.Nil) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("console: read %s: %w", key, err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		return false, fmt.Errorf("console: read %s: %w", key, err)
	}
	return true, nil
}

func (f *Feedback) setJSON(ctx context.Context, key string, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("console: write %s: %w", key, err)
	}
	if err := f.rdb.Set(ctx, key, data, 0).Err(); err != nil {
		return fmt.Errorf("console: write %s: %w", key, err)
	}
	return nil
}
