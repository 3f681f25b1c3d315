package studio

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/sparlab/spar/dialog/store"
)

// TrialTTL is how long a trial ticket can start calls.
const TrialTTL = time.Hour

// Trial is a ticket for trying one version of a studio scenario in a browser call before
// it is published ("Try it" in the editor). Only the trainer it was given to can use it.
type Trial struct {
	Ticket   string    `json:"ticket"`
	Scenario string    `json:"scenario"`
	N        int       `json:"n"`
	By       string    `json:"by"` // the trainer's account ID
	At       time.Time `json:"at"`
}

// Params are the call parameters a trial call is recorded with: its version and the trainer.
func (t *Trial) Params() map[string]string {
	return map[string]string{store.ParamScenarioVersion: strconv.Itoa(t.N), store.ParamTrial: t.By}
}

// NewTrial gives trainer by a ticket to call version n of id (0: the latest). The version
// must have no lint problems: one with problems may not even parse into a call.
func (s *Studio) NewTrial(ctx context.Context, id string, n int, by string) (*Trial, error) {
	v, err := s.Get(ctx, id, n)
	if err != nil {
		return nil, err
	}
	if len(v.Problems) > 0 {
		return nil, fmt.Errorf("%w: %s version %d has %d; the first: %s", ErrProblems, id, v.N, len(v.Problems), v.Problems[0])
	}
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
	t := &Trial{Ticket: base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b[:]),
		Scenario: id, N: v.N, By: by, At: s.now()}
	data, err := json.Marshal(t)
	if err != nil {
		return nil, fmt.Errorf("studio: trial %s: %w", id, err)
	}
	if err := s.rdb.SetNX(ctx, s.keys.Trial(t.Ticket), data, TrialTTL).Err(); err != nil {
		return nil, fmt.Errorf("studio: trial %s: %w", id, err)
	}
	return t, nil
}

// Trial returns the trial ticket, or ErrNoTrial.
func (s *Studio) Trial(ctx context.Context, ticket string) (*Trial, error) {
	if ticket == "" || len(ticket) > 64 {
		return nil, ErrNoTrial
	}
	data, err := s.rdb.Get(ctx, s.keys.Trial(ticket)).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, ErrNoTrial
	}
	if err != nil {
		return nil, fmt.Errorf("studio: trial: %w", err)
	}
	var t Trial
	if err := json.Unmarshal(data, &t); err != nil {
		return nil, fmt.Errorf("studio: trial: %w", err)
	}
	return &t, nil
}
